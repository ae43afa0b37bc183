import { z } from 'zod';
import { badRequest, unauthorized } from '../errors';
import { decodeCloudEvent, isCloudEvent } from './cloudevents';
import type { Decoded, DecodedNotification, Decoder, Notification } from './notification';
import {
  assertWithinLimits,
  DEFAULT_JSON_LIMITS,
  describeIssues,
  isObject,
  parseEmbeddedJson,
  parseJsonBytes,
  parseNotification,
  type ByteAccount,
  type JsonLimits,
  type JsonReading,
} from './parse';
import { createSnsVerifier, isSnsMessage, type SnsVerifier, type VerifiedSnsMessage } from './sns';
import { createSnsFreshness, type SnsFreshness } from './sns-freshness';

/** Google Pub/Sub push envelope: https://cloud.google.com/pubsub/docs/push */
const pubSubPushSchema = z.object({
  message: z.object({
    data: z.string({ message: 'message.data must be a base64 string' }),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().max(256).optional(),
    message_id: z.string().max(256).optional(),
    publishTime: z.string().optional(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().int().positive().optional(),
});

/**
 * Base64 in whole quartets, padded. Checked as a length and one character class rather than a
 * repeated group: V8 runs out of stack backtracking such a group over a 13 MB string (Pub/Sub's
 * largest message), and the request failed as internal.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64.test(text);

/** What an envelope carries: a notification in the Platform format or as a CloudEvent. */
function decodePayload(value: unknown): Notification {
  return isObject(value) && isCloudEvent(value) ? decodeCloudEvent(value).notification : parseNotification(value);
}

function decodePubSub(body: Record<string, unknown>, reading: JsonReading): DecodedNotification {
  const envelope = pubSubPushSchema.safeParse(body);
  if (!envelope.success)
    throw badRequest(`invalid Pub/Sub push envelope (${describeIssues(envelope.error, pubSubPushSchema)})`);
  const { message, deliveryAttempt } = envelope.data;
  const data = message.data.trim();
  if (data === '' || !isBase64(data)) throw badRequest('message.data is not valid base64');
  // The decoded bytes are charged before they exist, and measured before they are parsed.
  const decodedBytes = Math.ceil((data.length * 3) / 4);
  const { account } = reading;
  account?.charge(decodedBytes);
  let payload: unknown;
  try {
    payload = parseJsonBytes(Buffer.from(data, 'base64'), 'message.data', reading);
  } finally {
    account?.release(decodedBytes);
  }
  const deliveryId = message.messageId ?? message.message_id;
  return {
    notification: decodePayload(payload),
    delivery: {
      transport: 'pubsub',
      ...(deliveryId ? { deliveryId } : {}),
      ...(deliveryAttempt ? { deliveryAttempt } : {}),
    },
  };
}

/** Every transport that needs no network: Pub/Sub push, a CloudEvent, a notification as is. */
function decodeLocal(body: unknown, reading: JsonReading): DecodedNotification {
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  if ('message' in body) return decodePubSub(body, reading);
  if (isSnsMessage(body)) throw unauthorized('SNS messages are accepted only once verified');
  if (isCloudEvent(body)) {
    const { notification, eventId } = decodeCloudEvent(body);
    return { notification, delivery: { transport: 'cloudevents', deliveryId: eventId } };
  }
  return { notification: parseNotification(body), delivery: { transport: 'direct' } };
}

/**
 * Turns a request body into one notification, without network: a Pub/Sub push envelope (what
 * Connect on GCP delivers, in the Platform or CloudEvents format), a CloudEvent, or a
 * notification posted as is. SNS messages need `createDecoder`, which verifies them.
 */
export function decodeDelivery(
  body: unknown,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
  account?: ByteAccount,
): DecodedNotification {
  assertWithinLimits(body, limits, 'the body');
  return decodeLocal(body, { limits, ...(account ? { account } : {}) });
}

function decodeSns(verified: VerifiedSnsMessage, freshness: SnsFreshness, reading: JsonReading): Decoded {
  switch (verified.type) {
    case 'SubscriptionConfirmation':
      return { kind: 'control', transport: 'sns', status: 'subscription-confirmed', run: verified.confirm };
    case 'UnsubscribeConfirmation':
      // Someone unsubscribed on purpose: resubscribing would undo it.
      return { kind: 'control', transport: 'sns', status: 'unsubscribe-ignored' };
    case 'Notification': {
      const payload = parseEmbeddedJson(verified.message, 'Message', reading);
      const { messageId } = verified;
      // A stale or replayed signature is no credential: the delivery is then proven like any other.
      const authenticated = verified.fromExpectedTopic && freshness.believable(messageId, verified.timestamp);
      return {
        kind: 'notification',
        notification: decodePayload(payload),
        delivery: { transport: 'sns', deliveryId: messageId, ...(authenticated ? { authenticated: true } : {}) },
        ...(verified.fromExpectedTopic ? { acknowledge: () => freshness.acknowledged(messageId) } : {}),
      };
    }
  }
}

export interface DecoderOptions {
  /**
   * Verifies SNS messages. Default: `createSnsVerifier()`, which fetches signing certificates
   * from Amazon and accepts every topic; pass one with `topicArn` to accept one topic only.
   */
  sns?: SnsVerifier;
  /** Nesting, size and cost limits for the body and for the JSON envelopes carry. */
  limits?: Partial<JsonLimits>;
  /** Which signed SNS messages may still authenticate their delivery; a new one by default. */
  snsFreshness?: SnsFreshness;
}

/** The decoder for every transport the connector accepts: Pub/Sub, CloudEvents, SNS, direct. */
export function createDecoder(options: DecoderOptions = {}): Decoder {
  const sns = options.sns ?? createSnsVerifier();
  const limits: JsonLimits = { ...DEFAULT_JSON_LIMITS, ...options.limits };
  const freshness = options.snsFreshness ?? createSnsFreshness();
  return async (body, account) => {
    assertWithinLimits(body, limits, 'the body');
    const reading: JsonReading = { limits, ...(account ? { account } : {}) };
    if (isObject(body) && isSnsMessage(body)) return decodeSns(await sns.verify(body), freshness, reading);
    return { kind: 'notification', ...decodeLocal(body, reading) };
  };
}
