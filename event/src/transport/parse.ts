import type { z } from 'zod';
import { badRequest } from '../errors';
import { notificationSchema, type Notification } from './notification';
import { issuePath } from './paths';

/**
 * Helpers every envelope decoder shares: one way to validate a notification, one way to describe
 * what is wrong with input without echoing it, and one guard against hostile JSON.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Issues named in an answer, at most: the first ones say what to fix. */
const DESCRIBED_ISSUES = 5;
/** Characters of one issue's message, at most. */
const MESSAGE_LENGTH = 100;

/**
 * Describes what is wrong without echoing anything the sender chose: the schema's field names,
 * with record keys and unknown keys as `*` (a key can be an email), and zod's messages, which
 * name the expected type or format, never the value; the one that quotes keys is replaced.
 */
export function describeIssues(error: z.ZodError, schema: z.ZodType): string {
  return error.issues
    .slice(0, DESCRIBED_ISSUES)
    .map((issue) => {
      const message = issue.code === 'unrecognized_keys' ? 'unrecognized keys' : issue.message;
      return `${issuePath(issue.path, schema) || '(root)'}: ${message.slice(0, MESSAGE_LENGTH)}`;
    })
    .join('; ');
}

export function parseNotification(value: unknown): Notification {
  const parsed = notificationSchema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(`not a commercetools notification (${describeIssues(parsed.error, notificationSchema)})`);
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
