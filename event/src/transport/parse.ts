import type { z } from 'zod';
import { badRequest } from '../errors';
import { JsonTooDeepError, scanJson } from './json-cost';
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
  /**
   * Most heap bytes a document may cost once parsed per byte of its text (see json-cost.ts).
   * Documents that cost little in all are never refused for their proportion.
   */
  maxCostPerByte: number;
}

/**
 * Measured on commercetools payloads (`bench/json-cost.ts`): a large order costs 2.5 bytes of
 * heap a byte of text once parsed (estimated; 1.5 measured), small orders up to 4.1 and small
 * customers 6 (each key is new in a small document; such documents are below the 64 KB the
 * proportion spares anyway). 8 leaves room above them, while `[{},{},…]` estimates 27, `[[],[],…]`
 * 16 and objects of made-up keys 19. Pub/Sub's largest message (10 MB) holds a 10 MB order of
 * about 515,000 keys and items (51,500 a MB) nested 10 deep; a million allows it while bounding
 * what zod and the mappers walk.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxKeys: 1_000_000, maxCostPerByte: 8 };

/** Below this estimated cost a document is not refused for its proportion: `{"a":{}}` is 10 to 1. */
const SMALL_DOCUMENT_COST = 64 * 1024;

/**
 * Where the memory a request's JSON costs is charged (the edge's byte budget, see
 * inbound/budget.ts): `charge` throws an `overloaded` ConnectorError when the budget cannot hold it.
 */
export interface ByteAccount {
  charge(bytes: number): void;
  release(bytes: number): void;
}

/** How JSON is read: the limits it is held to, and where the memory it costs is charged (if anywhere). */
export interface JsonReading {
  limits: JsonLimits;
  account?: ByteAccount;
}

/**
 * Refuses JSON nested or sized to hurt whatever walks it next (zod, mappers, serialisers), for a
 * value parsed elsewhere (a replayed line; the HTTP body was measured before it was parsed).
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

/**
 * UTF-8 JSON text: measured before it is parsed (nesting, keys and items, what it will cost),
 * refused as a bad request when out of bounds, charged to `account` (the text as a string and
 * the parsed value), then parsed. The text's charge is released once parsed; the value's stays
 * until the account closes with the request.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string, { limits, account }: JsonReading): unknown {
  let shape;
  try {
    shape = scanJson(bytes, limits.maxDepth);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw badRequest(`${what} nests deeper than ${limits.maxDepth} levels`);
    throw error;
  }
  if (shape.members > limits.maxKeys) throw badRequest(`${what} has more than ${limits.maxKeys} keys and items`);
  if (shape.cost > SMALL_DOCUMENT_COST && shape.cost > limits.maxCostPerByte * bytes.length) {
    throw badRequest(`${what} would cost more memory once parsed than its size allows`);
  }
  // V8 keeps text outside Latin-1 at two bytes a character: at most twice its UTF-8 length.
  const textBytes = shape.ascii ? bytes.length : 2 * bytes.length;
  account?.charge(textBytes + shape.cost);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    account?.release(shape.cost); // nothing was made
    throw badRequest(`${what} does not hold JSON`);
  } finally {
    account?.release(textBytes);
  }
}

/** JSON text carried inside an envelope (Pub/Sub data, SNS Message), held to the limits before it is parsed. */
export function parseEmbeddedJson(text: string, what: string, reading: JsonReading): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const { account } = reading;
  account?.charge(bytes.length);
  try {
    return parseJsonBytes(bytes, what, reading);
  } finally {
    account?.release(bytes.length);
  }
}
