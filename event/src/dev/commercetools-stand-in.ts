/**
 * The commercetools stand-in of the tests, the demo and the benchmarks: @labdigital/commercetools-mock
 * served over HTTP, plus the one API it lacks that the connector relies on, the Messages API.
 *
 * As in commercetools, a message is kept only when the project's messages are enabled at the
 * time it is created (Project `messages.enabled`; the mock starts with them disabled, as new
 * projects do), and only for `messages.deleteDaysAfterCreation` days. Subscriptions deliver
 * messages either way: `publish` stores a message as commercetools would and says whether it was
 * kept; the caller delivers it to the connector as the subscription would.
 *
 * Categories keep their `ancestors` as commercetools stores them (root first), so that expanding
 * `categories[*].ancestors[*]` on a product works as it does there: the mock computes them only
 * when a category itself is read.
 *
 * It keeps one more rule of commercetools' the connector relies on: an order's `setCustomerId`
 * names a customer the project holds (the mock accepts any id), so an order's customerId is
 * always a customer commercetools knows.
 */
import type { AddressInfo } from 'node:net';
import { CommercetoolsMock, InMemoryStorage } from '@labdigital/commercetools-mock';

type Json = Record<string, unknown>;

/** A commercetools Message resource: common fields (id, type, resource, createdAt…) and its type's own. */
export type StoredMessage = Json & {
  id: string;
  type: string;
  resource: { typeId: string; id: string };
  createdAt: string;
};

export interface CommercetoolsStandIn {
  mock: CommercetoolsMock;
  url: string;
  /** Stores a resource exactly as given (replacing one with its id). */
  add(typeId: string, resource: object): Promise<void>;
  /** Deletes a resource, as commercetools does when it is deleted. */
  remove(typeId: string, id: string): Promise<void>;
  /** Changes the project's messages setting (as the `changeMessagesConfiguration` update action does). */
  setMessages(setting: { enabled: boolean; deleteDaysAfterCreation?: number }): Promise<void>;
  /**
   * commercetools creates a message: kept by the Messages API when the project's messages are
   * enabled now, as commercetools does. A notification in the Platform format is accepted as the
   * message it carries. Resolves whether it was kept.
   */
  publish(message: object): Promise<boolean>;
  /** Every Messages API request the stand-in answered (method and URL), for counting reads. */
  readonly messageRequests: string[];
  close(): Promise<void>;
}

export interface StandInOptions {
  projectKey: string;
  /** The stand-in's clock, for message retention; Date.now by default. */
  now?: () => number;
  /** Sees every request's URL, before it is answered. */
  onRequest?: (url: string) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function commercetoolsError(statusCode: number, code: string, message: string) {
  return { statusCode, message, errors: [{ code, message }] };
}

export async function startCommercetoolsStandIn(options: StandInOptions): Promise<CommercetoolsStandIn> {
  const { projectKey } = options;
  const now = options.now ?? Date.now;
  const storage = new InMemoryStorage();
  const mock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: true,
    defaultProjectKey: projectKey,
    silent: true,
    storage,
  });
  const messages = new Map<string, StoredMessage>();
  const messageRequests: string[] = [];
  if (options.onRequest) {
    const { onRequest } = options;
    mock.app.addHook('onRequest', async (request) => onRequest(request.url));
  }

  /** Held now: created while messages were enabled, and younger than the retention of that time. */
  const held = (message: StoredMessage, deleteDays: number) =>
    now() - Date.parse(message.createdAt) < deleteDays * DAY_MS;

  const retention = async () => (await storage.getProject(projectKey)).messages.deleteDaysAfterCreation ?? 15;

  // The Messages API, behind the mock's own token check.
  mock.app.register(async (instance) => {
    instance.addHook('preHandler', async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!token || !mock.authStore().validateToken(token)) {
        return reply.status(401).send(commercetoolsError(401, 'invalid_token', 'invalid_token'));
      }
      messageRequests.push(`${request.method} ${request.url}`);
      const { projectKey: asked } = request.params as { projectKey: string };
      if (asked !== projectKey) {
        return reply.status(404).send(commercetoolsError(404, 'ResourceNotFound', `Project '${asked}' not found.`));
      }
      return undefined;
    });

    instance.get('/:projectKey/messages/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const message = messages.get(id);
      if (!message || !held(message, await retention())) {
        return reply
          .status(404)
          .send(commercetoolsError(404, 'ResourceNotFound', `The Resource with ID '${id}' was not found.`));
      }
      return reply.send(message);
    });

    instance.get('/:projectKey/messages', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      let matches: (message: Json) => boolean;
      try {
        matches = predicateOf(query);
      } catch (error) {
        const message = error instanceof Error ? error.message : 'invalid predicate';
        return reply.status(400).send(commercetoolsError(400, 'InvalidInput', message));
      }
      const days = await retention();
      const sort = typeof query.sort === 'string' ? query.sort : undefined;
      const results = [...messages.values()].filter((message) => held(message, days) && matches(message));
      if (sort === 'createdAt desc') results.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      else if (sort === 'createdAt asc' || sort === undefined)
        results.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      else return reply.status(400).send(commercetoolsError(400, 'InvalidInput', `unsupported sort ${sort}`));
      const limit = Number(query.limit ?? 20);
      const offset = Number(query.offset ?? 0);
      const page = results.slice(offset, offset + limit);
      return reply.send({ limit, offset, count: page.length, results: page });
    });
  });

  /** Stores every category's ancestors, root first, as commercetools keeps them. */
  const storeAncestors = async () => {
    const categories = await storage.all(projectKey, 'category');
    const byId = new Map(categories.map((category) => [category.id, category]));
    for (const category of categories) {
      const ancestors: { typeId: 'category'; id: string }[] = [];
      const seen = new Set([category.id]);
      for (let id = category.parent?.id; id && byId.has(id) && !seen.has(id); id = byId.get(id)?.parent?.id) {
        seen.add(id);
        ancestors.unshift({ typeId: 'category', id });
      }
      await storage.add(projectKey, 'category', { ...category, ancestors });
    }
  };
  mock.app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && /\/categories(\/|\?|$)/.test(request.url) && reply.statusCode < 300) {
      await storeAncestors();
    }
    return payload;
  });

  // commercetools refuses an order's setCustomerId for a customer it does not hold; the mock does not.
  mock.app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !/\/orders\/[^/?]+(\?|$)/.test(request.url)) return undefined;
    const actions = (request.body as { actions?: { action?: string; customerId?: unknown }[] } | undefined)?.actions;
    for (const action of actions ?? []) {
      if (action.action !== 'setCustomerId' || typeof action.customerId !== 'string') continue;
      const customer = await storage.get(projectKey, 'customer', action.customerId).catch(() => undefined);
      if (!customer) {
        const message = `The referenced object of type 'customer' with identifier '${action.customerId}' was not found.`;
        return reply.status(400).send(commercetoolsError(400, 'ReferencedResourceNotFound', message));
      }
    }
    return undefined;
  });

  await mock.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    mock,
    url: `http://127.0.0.1:${(mock.app.server?.address() as AddressInfo).port}`,
    messageRequests,
    async add(typeId, resource) {
      await mock.project(projectKey).unsafeAdd(typeId as never, resource as never);
      if (typeId === 'category') await storeAncestors();
    },
    async remove(typeId, id) {
      await storage.delete(projectKey, typeId as never, id);
    },
    async setMessages({ enabled, deleteDaysAfterCreation }) {
      const project = await storage.getProject(projectKey);
      await storage.saveProject({
        ...project,
        messages: {
          enabled,
          deleteDaysAfterCreation: deleteDaysAfterCreation ?? project.messages.deleteDaysAfterCreation,
        },
        version: project.version + 1,
      });
    },
    async publish(message) {
      const { notificationType: _type, projectKey: _project, ...stored } = message as Json;
      const project = await storage.getProject(projectKey);
      if (!project.messages.enabled) return false;
      const kept = stored as StoredMessage;
      messages.set(kept.id, kept);
      return true;
    },
    close: () => mock.app.close(),
  };
}

/**
 * The part of commercetools' query predicates the connector's message look-ups use: terms joined
 * with `and`, each `field = value` or `field(terms)` on a nested object, values `"text"` or a
 * `:variable` given as `var.<name>`. Anything else is refused (400), as an unknown construct
 * would be: a look-up that relied on more would fail here first.
 */
function predicateOf(query: Record<string, unknown>): (message: Json) => boolean {
  const where = query.where;
  if (where === undefined) return () => true;
  if (typeof where !== 'string') throw new Error('one where predicate only');
  const variable = (name: string) => {
    const value = query[`var.${name}`];
    if (typeof value !== 'string') throw new Error(`missing variable ${name}`);
    return value;
  };
  return conjunction(where.trim(), variable);
}

function conjunction(text: string, variable: (name: string) => string): (object: Json) => boolean {
  const terms: ((object: Json) => boolean)[] = [];
  for (const part of splitTopLevel(text, ' and ')) {
    const nested = /^([A-Za-z]+)\s*\((.*)\)$/s.exec(part);
    if (nested) {
      const [, field, inner] = nested;
      const test = conjunction((inner ?? '').trim(), variable);
      terms.push((object) => {
        const value = object[field as string];
        return typeof value === 'object' && value !== null && test(value as Json);
      });
      continue;
    }
    const comparison = /^([A-Za-z]+)\s*=\s*(?::([A-Za-z][A-Za-z0-9]*)|"([^"]*)")$/.exec(part);
    if (!comparison) throw new Error(`unsupported predicate: ${part.slice(0, 80)}`);
    const [, field, name, literal] = comparison;
    const expected = name !== undefined ? variable(name) : (literal as string);
    terms.push((object) => object[field as string] === expected);
  }
  return (object) => terms.every((term) => term(object));
}

/** Splits on `separator` outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth -= 1;
    else if (!quoted && depth === 0 && text.startsWith(separator, index)) {
      parts.push(text.slice(start, index).trim());
      start = index + separator.length;
      index = start - 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}
