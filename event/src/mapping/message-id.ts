import { createHash } from 'node:crypto';

export interface MessageIdParts {
  projectKey: string;
  /** commercetools resource type: 'order', 'customer'. */
  typeId: string;
  resourceId: string;
  /** Short slug naming the Segment call: 'order-completed', 'identify', 'guest-identify'. */
  event: string;
  /** What makes this occurrence unique for the resource, e.g. the customer version. */
  discriminator: string | number;
}

/** Keeps ids far below Segment's 100-character limit: 3 + 40 + 1 + 32 characters at most. */
const EVENT_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_EVENT_LENGTH = 40;
const HASH_LENGTH = 32;

/**
 * A deterministic Segment messageId. Redelivered notifications map to the same id, so Segment
 * drops the duplicate instead of counting an order twice; the hash keeps resource ids out of
 * the id while still telling projects, resources and occurrences apart.
 */
export function buildMessageId(parts: MessageIdParts): string {
  const { projectKey, typeId, resourceId, event, discriminator } = parts;
  if (!EVENT_SLUG.test(event) || event.length > MAX_EVENT_LENGTH) {
    throw new RangeError(`messageId event must be a short lowercase slug, got "${event}"`);
  }
  const hash = createHash('sha256')
    .update([projectKey, typeId, resourceId, event, String(discriminator)].join('|'))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  return `ct-${event}-${hash}`;
}
