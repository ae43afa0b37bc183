import type { z } from 'zod';
import { badRequest } from '../errors';
import { notificationSchema, type Notification } from './notification';

/**
 * Helpers every envelope decoder shares: one way to validate a notification, one way to describe
 * what is wrong with input without echoing it, and one guard against hostile JSON.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes what is wrong without echoing values: the payload may hold personal data. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export function parseNotification(value: unknown): Notification {
  const parsed = notificationSchema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(`not a commercetools notification (${describeIssues(parsed.error)})`);
  }
  return parsed.data;
}

export interface JsonLimits {
  /** Deepest nesting of objects and arrays accepted (the outermost object is level 1). */
  maxDepth: number;
  /** Most object keys and array items accepted in one document, counted together. */
  maxKeys: number;
}

/**
 * Generous for commercetools payloads (an OrderCreated message carrying a large order has some
 * tens of thousands of keys) while refusing documents built to exhaust the code that walks them.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxKeys: 100_000 };

/**
 * Refuses JSON nested or sized to hurt whatever walks it next (zod, mappers, serialisers).
 * Iterative on purpose: the guard itself must not be the thing that overflows the stack.
 */
export function assertWithinLimits(value: unknown, limits: JsonLimits, what: string): void {
  const pending: [unknown, number][] = [[value, 1]];
  let keys = 0;
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const [current, depth] = entry;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limits.maxDepth) throw badRequest(`${what} nests deeper than ${limits.maxDepth} levels`);
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    keys += children.length;
    if (keys > limits.maxKeys) throw badRequest(`${what} has more than ${limits.maxKeys} keys and items`);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
}

/** JSON text carried inside an envelope (Pub/Sub data, SNS Message): parsed, then held to the limits. */
export function parseEmbeddedJson(text: string, what: string, limits: JsonLimits): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(`${what} does not hold JSON`);
  }
  assertWithinLimits(value, limits, what);
  return value;
}
