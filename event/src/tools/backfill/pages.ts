/** commercetools pages: id-cursor queries within the filters, and counts for an ETA. */
import type { BusinessUnit, ByProjectKeyRequestBuilder, Customer, Order } from '@commercetools/platform-sdk';
import { statusOf } from '../../commercetools/errors';
import { ConnectorError, upstreamUnavailable } from '../../errors';
import { shardRange } from './shards';
import type { BackfillFilters, BackfillResourceType } from './types';

export type Resource = Customer | BusinessUnit | Order;

/** The predicate of a page: after the cursor, within the filters. User input only in variables. */
export function pageQuery(
  resourceType: BackfillResourceType,
  filters: Omit<BackfillFilters, 'resourceTypes'>,
  after: string | null,
): { where?: string; variables: Record<string, string> } {
  const clauses: string[] = [];
  const variables: Record<string, string> = {};
  if (after !== null) {
    clauses.push('id > :after');
    variables['var.after'] = after;
  }
  const { from, to } = filters.shard ? shardRange(filters.shard) : {};
  if (from !== undefined && (after === null || after < from)) {
    clauses.push('id >= :shardFrom');
    variables['var.shardFrom'] = from;
  }
  if (to !== undefined) {
    clauses.push('id < :shardTo');
    variables['var.shardTo'] = to;
  }
  if (filters.since) {
    clauses.push('createdAt >= :since');
    variables['var.since'] = filters.since;
  }
  if (filters.until) {
    clauses.push('createdAt < :until');
    variables['var.until'] = filters.until;
  }
  if (filters.store) {
    // An order belongs to one store; a customer or a business unit to none (global) or several.
    clauses.push(resourceType === 'order' ? 'store(key = :store)' : 'stores(key = :store)');
    variables['var.store'] = filters.store;
  }
  return { ...(clauses.length > 0 ? { where: clauses.join(' and ') } : {}), variables };
}

/** The resources of one type within the filters, after a cursor (an id; null for the first page). */
export interface PageRequest {
  resourceType: BackfillResourceType;
  filters: BackfillFilters;
  after: string | null;
}

/** One page of `limit` resources, in id order. */
export async function readPage(
  api: ByProjectKeyRequestBuilder,
  { resourceType, filters, after, limit }: PageRequest & { limit: number },
): Promise<Resource[]> {
  const { where, variables } = pageQuery(resourceType, filters, after);
  // Cursor paging on the id: commercetools refuses offsets beyond 10,000, and a cursor is as
  // fast on the last page as on the first.
  const queryArgs = { ...(where ? { where } : {}), ...variables, sort: 'id asc', limit, withTotal: false };
  try {
    if (resourceType === 'customer') return (await api.customers().get({ queryArgs }).execute()).body.results;
    if (resourceType === 'business-unit') return (await api.businessUnits().get({ queryArgs }).execute()).body.results;
    return (
      await api
        .orders()
        .get({ queryArgs: { ...queryArgs, expand: ['discountCodes[*].discountCode'] } })
        .execute()
    ).body.results;
  } catch (error) {
    throw commercetoolsFailure(`${resourceType} page read`, error);
  }
}

/** How many resources the pages from the cursor on hold. */
export async function countResources(
  api: ByProjectKeyRequestBuilder,
  { resourceType, filters, after }: PageRequest,
): Promise<number> {
  const { where, variables } = pageQuery(resourceType, filters, after);
  const queryArgs = { ...(where ? { where } : {}), ...variables, limit: 0, withTotal: true };
  try {
    const page =
      resourceType === 'customer'
        ? await api.customers().get({ queryArgs }).execute()
        : resourceType === 'business-unit'
          ? await api.businessUnits().get({ queryArgs }).execute()
          : await api.orders().get({ queryArgs }).execute();
    return page.body.total ?? 0;
  } catch (error) {
    throw commercetoolsFailure(`${resourceType} count`, error);
  }
}

function commercetoolsFailure(what: string, error: unknown): ConnectorError {
  const status = statusOf(error);
  const detail = status ? ` (HTTP ${status})` : '';
  // commercetools' own message for a refused query (e.g. a predicate it does not support); it never holds our variables.
  const text = (error as { message?: unknown } | undefined)?.message;
  const message =
    status && status >= 400 && status < 500 && status !== 429 && typeof text === 'string' ? `: ${text}` : '';
  return upstreamUnavailable(`commercetools ${what} failed${detail}${message}`, error);
}
