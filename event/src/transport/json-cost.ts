import { randomInt } from 'node:crypto';

/**
 * What a JSON document will cost once parsed, read from its text before JSON.parse runs: a
 * sender chooses the text, and 300 KB of `[{},{},…]` becomes 6.4 MB of objects. One pass over the
 * bytes counts what JSON.parse will make and tracks the nesting; it allocates nothing in
 * proportion to the input and does not validate (JSON.parse does that next).
 */

/** What the text will hold once parsed. */
export interface JsonShape {
  /** Objects and arrays. */
  containers: number;
  /** Object properties and array items. */
  members: number;
  /** Deepest nesting of objects and arrays (the outermost is level 1). */
  depth: number;
  /** No byte outside ASCII: the text makes a one-byte string in V8. */
  ascii: boolean;
  /** Estimated heap bytes of the parsed value: never below what V8 makes, by measurement (see below). */
  cost: number;
}

/**
 * Heap bytes per thing JSON.parse makes, on 64-bit V8 without pointer compression (Node's
 * default), rounded up from measurements (`bench/json-cost.ts` prints them):
 * - an object 64 (300 KB of `{}` items made 6.4 MB) and an array 32;
 * - a property or item 16 (an 8-byte slot, doubled for backing stores that grow);
 * - a string 16 of header plus its characters, two bytes each once any is outside ASCII;
 * - a number 16 unless it is a small integer, which V8 keeps in the slot;
 * - a hidden class (map and descriptors, about 120) for each distinct sequence of keys an object
 *   starts with, plus the key's own string: objects of one shape share theirs, so an order's
 *   thousands of line items cost one, while `[{"a1":0},{"a2":0},…]` costs one per object
 *   (measured 14 bytes a byte of text; estimated 19);
 * - a property of an object with 128 or more 80 more: V8 keeps such objects as dictionaries
 *   (57 to 70 bytes a property, measured; 7 to 8 bytes a byte of `{"k1":0,"k2":0,…}`).
 */
const OBJECT_BYTES = 64;
const ARRAY_BYTES = 32;
const MEMBER_BYTES = 16;
const STRING_BYTES = 16;
const NUMBER_BYTES = 16;
const HIDDEN_CLASS_BYTES = 120;
const DICTIONARY_MEMBER_BYTES = 80;
const DICTIONARY_PROPERTIES = 128;
/** Largest integer literal V8 keeps unboxed (a 31-bit small integer) has at most 9 digits. */
const SMALL_INTEGER_DIGITS = 9;
/**
 * Distinct key sequences remembered per document; past it, every new one counts in full. Orders
 * have a few hundred.
 */
const REMEMBERED_SHAPES = 8_192;
const RECENT_SHAPES = 1_024;

/**
 * Key sequences are remembered by a 32-bit hash seeded once per process, so a sender cannot
 * craft keys whose hashes collide with ones already seen to make new shapes look known.
 */
const SEED = randomInt(0x7fffffff) | 1;
const FNV_PRIME = 16777619;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
/** `.`, `e`, `E`, `+`: a number with one of these is not a small integer. */
const isFractionOrExponent = (code: number) => code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b;

export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`nests deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * Scans UTF-8 JSON text. Throws JsonTooDeepError once the nesting passes `maxDepth`, so a
 * document of a million `[` costs a few dozen steps, not a million.
 */
export function scanJson(bytes: Uint8Array, maxDepth: number): JsonShape {
  let cost = 0;
  let containers = 0;
  let members = 0;
  let nonAscii = false;
  let stringBytes = 0;
  let depth = 0;
  let deepest = 0;
  const shapes = new Set<number>();
  const recent = new Int32Array(RECENT_SHAPES);
  // Per open container (index = depth): members so far, whether it is an object, and (objects)
  // the hash of the keys it started with.
  const counts = new Array<number>(maxDepth + 1).fill(0);
  const objects = new Array<boolean>(maxDepth + 1).fill(false);
  const prefixes = new Array<number>(maxDepth + 1).fill(SEED);
  // After `{`, `[` or `,`: the next token (unless it closes) is a member, and in an object its key.
  let memberStarts = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const code = bytes[i] as number;
    if (isSpace(code)) continue;
    const isKey = memberStarts && objects[depth] === true && code === QUOTE;
    if (memberStarts && code !== CLOSE_OBJECT && code !== CLOSE_ARRAY) {
      members += 1;
      counts[depth] = (counts[depth] ?? 0) + 1;
    }
    memberStarts = false;
    if (code === QUOTE) {
      let hash = prefixes[depth] as number;
      const start = i;
      for (i += 1; i < bytes.length; i += 1) {
        const inner = bytes[i] as number;
        if (inner === QUOTE) break;
        if (inner >= 0x80) nonAscii = true;
        if (isKey) hash = Math.imul(hash ^ inner, FNV_PRIME);
        if (inner === BACKSLASH && i + 1 < bytes.length) {
          i += 1; // the escaped character cannot end the string
          if (isKey) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
        }
      }
      const length = i - start - 1;
      stringBytes += length;
      if (!isKey) cost += STRING_BYTES;
      else {
        hash = Math.imul(hash ^ COLON, FNV_PRIME);
        prefixes[depth] = hash;
        // The last shape seen in each cache slot answers most look-ups: objects repeat shapes.
        const slot = hash & (RECENT_SHAPES - 1);
        if (recent[slot] === hash) stringBytes -= length;
        else if (shapes.has(hash)) {
          recent[slot] = hash;
          stringBytes -= length; // a key seen in this position before is shared
        } else {
          if (shapes.size < REMEMBERED_SHAPES) shapes.add(hash);
          recent[slot] = hash;
          cost += HIDDEN_CLASS_BYTES + STRING_BYTES;
        }
      }
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) throw new JsonTooDeepError(maxDepth);
      if (depth > deepest) deepest = depth;
      containers += 1;
      cost += code === OPEN_OBJECT ? OBJECT_BYTES : ARRAY_BYTES;
      counts[depth] = 0;
      objects[depth] = code === OPEN_OBJECT;
      prefixes[depth] = SEED;
      memberStarts = true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      const count = counts[depth] ?? 0;
      if (objects[depth] && count >= DICTIONARY_PROPERTIES) cost += count * DICTIONARY_MEMBER_BYTES;
      if (depth > 0) depth -= 1;
    } else if (code === COMMA) {
      memberStarts = true;
    } else if (code === 0x2d || isDigit(code)) {
      let digits = isDigit(code) ? 1 : 0;
      let boxed = false;
      while (i + 1 < bytes.length) {
        const next = bytes[i + 1] as number;
        if (isDigit(next)) digits += 1;
        else if (isFractionOrExponent(next) || next === 0x2d) boxed = true;
        else break;
        i += 1;
      }
      if (boxed || digits > SMALL_INTEGER_DIGITS) cost += NUMBER_BYTES;
    }
  }
  cost += members * MEMBER_BYTES + stringBytes * (nonAscii ? 2 : 1);
  return { containers, members, depth: deepest, ascii: !nonAscii, cost };
}
