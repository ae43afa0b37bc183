import { z } from 'zod';
import { badRequest } from '../errors';
import { notificationSchema, type DecodedDelivery, type Notification } from './notification';

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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes what is wrong without echoing values: the payload may hold personal data. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function parseNotification(value: unknown): Notification {
  const parsed = notificationSchema.safeParse(value);
  if (!parsed.success) {
    throw badRequest(`not a commercetools notification (${describeIssues(parsed.error)})`);
  }
  return parsed.data;
}

function decodePubSub(body: Record<string, unknown>): DecodedDelivery {
  const envelope = pubSubPushSchema.safeParse(body);
  if (!envelope.success) throw badRequest(`invalid Pub/Sub push envelope (${describeIssues(envelope.error)})`);
  const { message, deliveryAttempt } = envelope.data;
  const data = message.data.trim();
  if (data === '' || !BASE64.test(data)) throw badRequest('message.data is not valid base64');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch {
    throw badRequest('message.data does not hold JSON');
  }
  const deliveryId = message.messageId ?? message.message_id;
  return {
    notification: parseNotification(decoded),
    delivery: {
      transport: 'pubsub',
      ...(deliveryId ? { deliveryId } : {}),
      ...(deliveryAttempt ? { deliveryAttempt } : {}),
    },
  };
}

/**
 * Turns a request body into one notification: a Pub/Sub push envelope (what Connect on GCP
 * delivers) or a notification posted as is (local tools, other transports).
 */
export function decodeDelivery(body: unknown): DecodedDelivery {
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  if ('message' in body) return decodePubSub(body);
  return { notification: parseNotification(body), delivery: { transport: 'direct' } };
}
