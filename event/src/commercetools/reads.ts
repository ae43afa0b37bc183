import type {
  BusinessUnit,
  ByProjectKeyRequestBuilder,
  Customer,
  Message,
  Order,
  Payment,
  Quote,
  QuoteRequest,
} from '@commercetools/platform-sdk';
import { upstreamUnavailable } from '../errors';
import { withRequestSignal } from './client';
import { statusOf } from './errors';

/**
 * What the handlers need from commercetools, and nothing more. Every read takes the request's
 * abort signal: once it aborts (the notification's deadline passed), the HTTP request in flight
 * is abandoned and the read rejects with upstream-unavailable.
 */
export interface CommercetoolsReader {
  /** The order with its discount codes expanded; undefined when it no longer exists. */
  getOrder(id: string, signal?: AbortSignal): Promise<Order | undefined>;
  /** undefined when the customer no longer exists. */
  getCustomer(id: string, signal?: AbortSignal): Promise<Customer | undefined>;
  /** Whether any registered customer uses this email (compared case-insensitively). */
  isEmailRegistered(email: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Which of these emails registered customers use, lower-cased: the same answers as
   * isEmailRegistered, in a few queries for many emails (a backfill page's guest orders).
   */
  registeredEmails(emails: readonly string[], signal?: AbortSignal): Promise<Set<string>>;
  /** undefined when the payment no longer exists. */
  getPayment(id: string, signal?: AbortSignal): Promise<Payment | undefined>;
  /** The order a payment belongs to (discount codes expanded); undefined when none. */
  findOrderByPaymentId(paymentId: string, signal?: AbortSignal): Promise<Order | undefined>;
  /** undefined when the business unit no longer exists. */
  getBusinessUnit(id: string, signal?: AbortSignal): Promise<BusinessUnit | undefined>;
  /** undefined when the quote request no longer exists. */
  getQuoteRequest(id: string, signal?: AbortSignal): Promise<QuoteRequest | undefined>;
  /** undefined when the quote no longer exists. */
  getQuote(id: string, signal?: AbortSignal): Promise<Quote | undefined>;
  /**
   * The message commercetools keeps under this id (Messages API, scope view_messages); undefined
   * when it holds none: never created, older than the project's retention, or messages disabled.
   */
  getMessage(id: string, signal?: AbortSignal): Promise<Message | undefined>;
  /** The newest message of this type about this resource; undefined when commercetools holds none. */
  findMessage(
    resource: { typeId: string; id: string },
    type: string,
    signal?: AbortSignal,
  ): Promise<Message | undefined>;
}

/**
 * Emails per look-up query: short enough for any URL limit, and far fewer results than a page of
 * 500 (store-specific customers can share an email, but not by the dozen).
 */
const EMAILS_PER_QUERY = 50;

/** Orders are read with their discount codes, so the coupon is the code the shopper typed. */
const ORDER_EXPAND = ['discountCodes[*].discountCode'];

/**
 * Every failure other than "not found" means commercetools could not answer now (network, timeout,
 * 5xx, 429) or we may not read (401/403: credentials or scopes): both are worth a redelivery once
 * fixed, so both become upstream-unavailable. The cause is kept for the log, never for the caller.
 */
export async function readOrUndefined<T>(
  what: string,
  read: () => Promise<{ body: T }>,
  signal?: AbortSignal,
): Promise<T | undefined> {
  if (signal?.aborted) throw upstreamUnavailable(`commercetools ${what} not attempted: deadline passed`);
  try {
    return (await withRequestSignal(signal, read)).body;
  } catch (error) {
    if (signal?.aborted) throw upstreamUnavailable(`commercetools ${what} stopped: deadline passed`, error);
    const status = statusOf(error);
    if (status === 404) return undefined;
    throw upstreamUnavailable(`commercetools ${what} failed${status ? ` (HTTP ${status})` : ''}`, error);
  }
}

export function createCommercetoolsReader(api: ByProjectKeyRequestBuilder): CommercetoolsReader {
  return {
    getOrder: (id, signal) =>
      readOrUndefined(
        'order read',
        () =>
          api
            .orders()
            .withId({ ID: id })
            .get({ queryArgs: { expand: ORDER_EXPAND } })
            .execute(),
        signal,
      ),

    getCustomer: (id, signal) =>
      readOrUndefined('customer read', () => api.customers().withId({ ID: id }).get().execute(), signal),

    async isEmailRegistered(email, signal) {
      // A predicate variable keeps the email out of the predicate text: no quoting or injection issues.
      const page = await readOrUndefined(
        'customer look-up',
        () =>
          api
            .customers()
            .get({
              queryArgs: {
                where: 'lowercaseEmail = :email',
                'var.email': email.trim().toLowerCase(),
                limit: 1,
                withTotal: false,
              },
            })
            .execute(),
        signal,
      );
      return (page?.results.length ?? 0) > 0;
    },

    async registeredEmails(emails, signal) {
      const wanted = [...new Set(emails.map((email) => email.trim().toLowerCase()).filter((email) => email !== ''))];
      const registered = new Set<string>();
      for (let start = 0; start < wanted.length; start += EMAILS_PER_QUERY) {
        const chunk = wanted.slice(start, start + EMAILS_PER_QUERY);
        // Variables again: a repeated var.emails is how commercetools takes a list for `in`.
        const page = await readOrUndefined(
          'customer look-up',
          () =>
            api
              .customers()
              .get({
                queryArgs: { where: 'lowercaseEmail in :emails', 'var.emails': chunk, limit: 500, withTotal: false },
              })
              .execute(),
          signal,
        );
        for (const customer of page?.results ?? []) registered.add(customer.email.trim().toLowerCase());
      }
      return registered;
    },

    getPayment: (id, signal) =>
      readOrUndefined('payment read', () => api.payments().withId({ ID: id }).get().execute(), signal),

    async findOrderByPaymentId(paymentId, signal) {
      const page = await readOrUndefined(
        'order look-up by payment',
        () =>
          api
            .orders()
            .get({
              queryArgs: {
                where: 'paymentInfo(payments(id = :paymentId))',
                'var.paymentId': paymentId,
                expand: ORDER_EXPAND,
                limit: 1,
                withTotal: false,
              },
            })
            .execute(),
        signal,
      );
      return page?.results[0];
    },

    getBusinessUnit: (id, signal) =>
      readOrUndefined('business unit read', () => api.businessUnits().withId({ ID: id }).get().execute(), signal),

    getQuoteRequest: (id, signal) =>
      readOrUndefined('quote request read', () => api.quoteRequests().withId({ ID: id }).get().execute(), signal),

    getQuote: (id, signal) =>
      readOrUndefined('quote read', () => api.quotes().withId({ ID: id }).get().execute(), signal),

    getMessage: (id, signal) =>
      readOrUndefined('message read', () => api.messages().withId({ ID: id }).get().execute(), signal),

    async findMessage(resource, type, signal) {
      const page = await readOrUndefined(
        'message look-up',
        () =>
          api
            .messages()
            .get({
              queryArgs: {
                where: 'resource(typeId = :typeId and id = :id) and type = :type',
                'var.typeId': resource.typeId,
                'var.id': resource.id,
                'var.type': type,
                sort: 'createdAt desc',
                limit: 1,
                withTotal: false,
              },
            })
            .execute(),
        signal,
      );
      return page?.results[0];
    },
  };
}
