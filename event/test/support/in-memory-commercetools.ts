import type * as ct from '@commercetools/platform-sdk';
import type { MessagesSetting, ProjectSettings } from '../../src/commercetools/project';
import type { CommercetoolsReader } from '../../src/commercetools/reads';
import { upstreamUnavailable } from '../../src/errors';

/**
 * commercetools in memory, for unit tests of the handlers: the reads they make
 * (CommercetoolsReader) and the project's settings (ProjectSettings), answered from maps.
 *
 * It keeps the rules the HTTP reader and commercetools keep, so a handler meets here what it
 * meets in production (in-memory-commercetools.integration.test.ts runs the same reads against the
 * HTTP reader over the stand-in):
 * - a resource it does not hold is undefined;
 * - an order is read with its discount codes expanded, as the HTTP reader asks; commercetools
 *   stores only the reference, so an order added with an expanded code is held without it;
 * - emails are compared trimmed and in lower case;
 * - a message is kept only when the project's messages are enabled when it is created, and only
 *   for the project's retention (as src/dev/commercetools-stand-in.ts keeps them);
 * - every answer is a copy: a handler cannot change what is held.
 */
export interface InMemoryCommercetools {
  reader: CommercetoolsReader;
  /** The project's settings, read when this was created, as the server reads them at start. */
  project: ProjectSettings;
  /** Holds a resource as given (replacing one with its id), an order with references to its codes. */
  add(typeId: HeldTypeId, resource: object): void;
  /** Forgets a resource, as commercetools does when it is deleted. */
  remove(typeId: HeldTypeId, id: string): void;
  /** Changes the project's messages setting; the connector sees it from its next settings read (`project.refresh()`). */
  setMessages(setting: { enabled: boolean; deleteDaysAfterCreation?: number }): void;
  /**
   * commercetools creates a message (a notification in the Platform format is taken as the message
   * it carries): kept when the project's messages are enabled now. Returns whether it was kept.
   */
  publish(message: object): boolean;
  /**
   * The next `count` requests to commercetools (of the kind `what` names, such as 'customer
   * look-up', or of any kind) fail as a 503 does: the reader rejects with upstream-unavailable, as
   * the HTTP reader does.
   */
  failNext(count?: number, what?: string): void;
  /** Every request the reader made, named as the HTTP reader names it ('order read', 'customer look-up'…). */
  readonly reads: string[];
}

export type HeldTypeId =
  'order' | 'customer' | 'payment' | 'business-unit' | 'quote-request' | 'quote' | 'discount-code';

export interface InMemoryCommercetoolsOptions {
  /** The project keeps messages; off by default, as in new projects. */
  messages?: boolean;
  /** The clock of message retention; Date.now by default. */
  now?: () => number;
}

/** A commercetools Message resource: its common fields (id, type, resource, createdAt…) and its type's own. */
type StoredMessage = ct.Message & Record<string, unknown>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The retention commercetools gives a project that does not set one. */
const DEFAULT_DELETE_DAYS = 15;
/** The HTTP reader asks for this many emails per look-up query (reads.ts). */
const EMAILS_PER_QUERY = 50;

const copy = <T>(value: T): T => structuredClone(value);
const normalizedEmail = (email: string) => email.trim().toLowerCase();

export function createInMemoryCommercetools(options: InMemoryCommercetoolsOptions = {}): InMemoryCommercetools {
  const now = options.now ?? Date.now;
  const held = new Map<HeldTypeId, Map<string, object>>();
  const messages = new Map<string, StoredMessage>();
  const reads: string[] = [];
  let setting: MessagesSetting = { enabled: options.messages === true, deleteDaysAfterCreation: DEFAULT_DELETE_DAYS };
  let failures = { count: 0, what: undefined as string | undefined };
  /** Whether this request is one told to fail; counts it off. */
  const fails = (what: string) => {
    if (failures.count === 0 || (failures.what !== undefined && failures.what !== what)) return false;
    failures.count -= 1;
    return true;
  };

  const all = <T>(typeId: HeldTypeId): T[] => [...(held.get(typeId)?.values() ?? [])] as T[];
  const one = <T>(typeId: HeldTypeId, id: string): T | undefined => held.get(typeId)?.get(id) as T | undefined;

  /** One request to commercetools: refused once the deadline passed, failed when told, counted otherwise. */
  function request<T>(what: string, signal: AbortSignal | undefined, answer: () => T): Promise<T> {
    if (signal?.aborted)
      return Promise.reject(upstreamUnavailable(`commercetools ${what} not attempted: deadline passed`));
    reads.push(what);
    if (fails(what)) return Promise.reject(upstreamUnavailable(`commercetools ${what} failed (HTTP 503)`));
    return Promise.resolve(copy(answer()));
  }

  /** The order with its discount codes expanded, where commercetools holds them. */
  function expanded(order: ct.Order | undefined): ct.Order | undefined {
    if (!order) return undefined;
    const discountCodes = order.discountCodes?.map((info) => {
      const code = one<ct.DiscountCode>('discount-code', info.discountCode.id);
      return code ? { ...info, discountCode: { ...info.discountCode, obj: code } } : info;
    });
    return discountCodes ? { ...order, discountCodes } : order;
  }

  /** Kept now: younger than the project's retention. */
  const isHeld = (message: StoredMessage) =>
    now() - Date.parse(message.createdAt) < setting.deleteDaysAfterCreation * DAY_MS;

  function registered(emails: readonly string[]): Set<string> {
    const wanted = new Set(emails.map(normalizedEmail));
    return new Set(
      all<ct.Customer>('customer')
        .map((customer) => normalizedEmail(customer.email))
        .filter((email) => wanted.has(email)),
    );
  }

  function store(typeId: HeldTypeId, resource: object) {
    const { id } = resource as { id: string };
    let byId = held.get(typeId);
    if (!byId) held.set(typeId, (byId = new Map()));
    if (typeId !== 'order') return void byId.set(id, copy(resource));
    // commercetools holds references; what an expanded one carries is a code it holds too.
    const order = copy(resource) as ct.Order;
    const discountCodes = order.discountCodes?.map((info) => {
      const { obj, ...reference } = info.discountCode;
      if (obj) store('discount-code', obj);
      return { ...info, discountCode: reference };
    });
    byId.set(id, discountCodes ? { ...order, discountCodes } : order);
  }

  const reader: CommercetoolsReader = {
    getOrder: (id, signal) => request('order read', signal, () => expanded(one('order', id))),
    getCustomer: (id, signal) => request('customer read', signal, () => one<ct.Customer>('customer', id)),
    isEmailRegistered: (email, signal) =>
      request('customer look-up', signal, () => registered([email]).has(normalizedEmail(email))),
    async registeredEmails(emails, signal) {
      const wanted = [...new Set(emails.map(normalizedEmail).filter((email) => email !== ''))];
      const found = new Set<string>();
      for (let start = 0; start < wanted.length; start += EMAILS_PER_QUERY) {
        const chunk = wanted.slice(start, start + EMAILS_PER_QUERY);
        for (const email of await request('customer look-up', signal, () => registered(chunk))) found.add(email);
      }
      return found;
    },
    getPayment: (id, signal) => request('payment read', signal, () => one<ct.Payment>('payment', id)),
    findOrderByPaymentId: (paymentId, signal) =>
      request('order look-up by payment', signal, () =>
        expanded(
          all<ct.Order>('order').find((order) =>
            order.paymentInfo?.payments.some((payment) => payment.id === paymentId),
          ),
        ),
      ),
    getBusinessUnit: (id, signal) =>
      request('business unit read', signal, () => one<ct.BusinessUnit>('business-unit', id)),
    getQuoteRequest: (id, signal) =>
      request('quote request read', signal, () => one<ct.QuoteRequest>('quote-request', id)),
    getQuote: (id, signal) => request('quote read', signal, () => one<ct.Quote>('quote', id)),
    getMessage: (id, signal) =>
      request('message read', signal, () => {
        const message = messages.get(id);
        return message && isHeld(message) ? message : undefined;
      }),
    findMessage: (resource, type, signal) =>
      request(
        'message look-up',
        signal,
        () =>
          [...messages.values()]
            .filter(
              (message) =>
                isHeld(message) &&
                message.type === type &&
                message.resource.typeId === resource.typeId &&
                message.resource.id === resource.id,
            )
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0],
      ),
  };

  let known = copy(setting);
  const project: ProjectSettings = {
    messages: () => Promise.resolve(copy(known)),
    async refresh() {
      if (fails('project settings read')) {
        throw upstreamUnavailable('commercetools refused the project settings read (HTTP 503)');
      }
      known = copy(setting);
      return copy(known);
    },
  };

  return {
    reader,
    project,
    reads,
    add: store,
    remove(typeId, id) {
      held.get(typeId)?.delete(id);
    },
    setMessages({ enabled, deleteDaysAfterCreation }) {
      setting = { enabled, deleteDaysAfterCreation: deleteDaysAfterCreation ?? setting.deleteDaysAfterCreation };
    },
    publish(message) {
      if (!setting.enabled) return false;
      const { notificationType: _type, projectKey: _project, ...stored } = message as Record<string, unknown>;
      const kept = stored as StoredMessage;
      messages.set(kept.id, copy(kept));
      return true;
    },
    failNext(count = 1, what) {
      failures = { count, what };
    },
  };
}
