import type { Customer, Order } from '@commercetools/platform-sdk';
import { z } from 'zod';
import { badRequest } from '../errors';
import { newCustomerPlanner } from '../handlers/customer';
import { orderCompletedPlanner } from '../handlers/order';
import type { PlanContext } from '../handlers/types';
import type { MappingResult } from '../mapping/types';
import type { SkipReason } from '../outcome';
import type { SegmentCall } from '../segment/calls';
import { describeIssues } from '../transport/parse';

/**
 * What the connector would send for one order or customer, computed by the very functions the
 * live path uses (orderCompletedPlanner, newCustomerPlanner), without sending anything.
 */

export type ResourceType = 'order' | 'customer';

export type PreviewRequest =
  /** Read the resource from commercetools, as the handler of its creation does. */
  | { kind: 'id'; resourceType: ResourceType; id: string }
  /** A resource as saved from the API (e.g. `GET /orders/{id}`); `resourceType` forces its type. */
  | { kind: 'file'; resource: unknown; resourceType?: ResourceType };

export type PreviewResult =
  | { kind: 'calls'; resourceType: ResourceType; id: string; calls: SegmentCall[]; notes: string[] }
  | { kind: 'skipped'; resourceType: ResourceType; id: string; reason: SkipReason; notes: string[] }
  | { kind: 'not-found'; resourceType: ResourceType; id: string };

/** Just enough of each resource to tell them apart and to fail clearly on a wrong file. */
const orderShape = z.looseObject({
  id: z.string().min(1),
  createdAt: z.string(),
  lineItems: z.array(z.unknown()),
  totalPrice: z.looseObject({ currencyCode: z.string(), centAmount: z.number() }),
});
const customerShape = z.looseObject({
  id: z.string().min(1),
  version: z.number(),
  email: z.string(),
  createdAt: z.string(),
  lastModifiedAt: z.string(),
  addresses: z.array(z.unknown()),
});

/** Orders have line items and a total price; customers have an email and no line items. */
export function detectResourceType(value: unknown): ResourceType | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ('lineItems' in value || 'totalPrice' in value) return 'order';
  if ('email' in value) return 'customer';
  return undefined;
}

function parseResource(
  resource: unknown,
  forced: ResourceType | undefined,
): { kind: 'order'; order: Order } | { kind: 'customer'; customer: Customer } {
  const kind = forced ?? detectResourceType(resource);
  if (!kind)
    throw badRequest('cannot tell whether the file holds an order or a customer: pass --type order or --type customer');
  if (kind === 'order') {
    const parsed = orderShape.safeParse(resource);
    if (!parsed.success)
      throw badRequest(`the file is not a commercetools order (${describeIssues(parsed.error, orderShape)})`);
    // The shape checked above is what the mappers read first; the rest is commercetools' own JSON.
    return { kind, order: parsed.data as unknown as Order };
  }
  const parsed = customerShape.safeParse(resource);
  if (!parsed.success)
    throw badRequest(`the file is not a commercetools customer (${describeIssues(parsed.error, customerShape)})`);
  return { kind, customer: parsed.data as unknown as Customer };
}

/** What the live path would do: `disabled` when no planner is enabled for the resource (see the planners). */
function resultOf(
  { resourceType, id }: { resourceType: ResourceType; id: string },
  mapped: MappingResult | undefined,
  notes: string[],
): PreviewResult {
  if (!mapped) return { kind: 'skipped', resourceType, id, reason: 'disabled', notes };
  if (mapped.kind === 'skip') return { kind: 'skipped', resourceType, id, reason: mapped.reason, notes };
  return { kind: 'calls', resourceType, id, calls: mapped.calls, notes };
}

/** Discount codes the API returned unexpanded: their code text (the coupon) is unknown. */
function unexpandedDiscountCodes(order: Order): boolean {
  return (order.discountCodes ?? []).some((code) => code.discountCode.obj === undefined);
}

export async function previewResource(request: PreviewRequest, context: PlanContext): Promise<PreviewResult> {
  const notes: string[] = [];
  let target: ReturnType<typeof parseResource>;
  if (request.kind === 'id') {
    if (request.resourceType === 'order') {
      const order = await context.commercetools.getOrder(request.id);
      if (!order) return { kind: 'not-found', resourceType: 'order', id: request.id };
      target = { kind: 'order', order };
    } else {
      const customer = await context.commercetools.getCustomer(request.id);
      if (!customer) return { kind: 'not-found', resourceType: 'customer', id: request.id };
      target = { kind: 'customer', customer };
    }
  } else {
    target = parseResource(request.resource, request.resourceType);
    if (target.kind === 'order' && unexpandedDiscountCodes(target.order)) {
      notes.push(
        'the discount codes in the file are not expanded, so "coupon" is left out; the connector reads orders with them expanded (preview the order by id to see it)',
      );
    }
  }
  try {
    if (target.kind === 'order') {
      const { order } = target;
      return resultOf({ resourceType: 'order', id: order.id }, await orderCompletedPlanner(context)?.(order), notes);
    }
    const { customer } = target;
    return resultOf({ resourceType: 'customer', id: customer.id }, newCustomerPlanner(context)?.(customer), notes);
  } catch (error) {
    // Only a hand-made file can miss what the mappers read (commercetools always sends it).
    if (request.kind === 'file' && error instanceof TypeError) {
      throw badRequest(`the file is not a complete commercetools ${target.kind} (${error.message})`, error);
    }
    throw error;
  }
}

/**
 * A call with its fields in the order people read them: what, who, which, when, then the payload.
 * The same fields the sink hands to analytics-node; Segment adds its own (context.library, sentAt…).
 */
export function presentCall(call: SegmentCall): Record<string, unknown> {
  const identity = {
    ...(call.userId !== undefined ? { userId: call.userId } : {}),
    ...(call.anonymousId !== undefined ? { anonymousId: call.anonymousId } : {}),
  };
  const head = call.type === 'track' ? { type: call.type, event: call.event } : { type: call.type };
  const payload = call.type === 'track' ? { properties: call.properties } : { traits: call.traits };
  return {
    ...head,
    ...identity,
    messageId: call.messageId,
    timestamp: call.timestamp,
    ...payload,
    ...(call.context ? { context: call.context } : {}),
  };
}

const SKIP_EXPLANATIONS: Partial<Record<SkipReason, string>> = {
  'invalid-consent': 'its consent custom field is not a JSON object (fix the data, then replay the notification)',
  'no-identity': 'it has neither customerId nor anonymousId, and ANONYMOUS_ID_FALLBACK gives it none',
  disabled: 'the events it would produce are switched off in the configuration',
};

export interface PreviewOutput {
  /** The JSON to print on stdout (empty when there is nothing to print). */
  stdout: string;
  /** Notes for people, for stderr. */
  stderr: string;
  exitCode: 0 | 1;
}

/** stdout holds JSON only, so the output can be piped to jq; everything for people goes to stderr. */
export function formatPreview(result: PreviewResult): PreviewOutput {
  switch (result.kind) {
    case 'not-found':
      return {
        stdout: '',
        stderr: `${result.resourceType} ${result.id} was not found in commercetools\n`,
        exitCode: 1,
      };
    case 'skipped': {
      const why = SKIP_EXPLANATIONS[result.reason] ?? result.reason;
      const notes = [...result.notes, `nothing would be sent for ${result.resourceType} ${result.id}: ${why}`];
      return {
        stdout: `${JSON.stringify({ skipped: result.reason }, null, 2)}\n`,
        stderr: notesText(notes),
        exitCode: 0,
      };
    }
    case 'calls':
      return {
        stdout: `${JSON.stringify(result.calls.map(presentCall), null, 2)}\n`,
        stderr: notesText(result.notes),
        exitCode: 0,
      };
  }
}

function notesText(notes: string[]): string {
  return notes.map((note) => `note: ${note}\n`).join('');
}
