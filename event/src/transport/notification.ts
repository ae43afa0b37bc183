import { z } from 'zod';
import type { ByteAccount } from './parse';

/**
 * commercetools ids and keys are made of letters, digits, `-` and `_`. Holding identifiers to that
 * keeps free text (an email a stranger posts as an "id") out of our logs.
 */
export const identifier = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a commercetools identifier');
const isoDateTime = z.iso.datetime({ offset: true });

const resourceReference = z.object({
  typeId: z.string().min(1).max(64),
  id: identifier,
});

const common = {
  projectKey: identifier,
  resource: resourceReference,
  resourceUserProvidedIdentifiers: z.record(z.string(), z.unknown()).optional(),
};

const changeFields = {
  ...common,
  version: z.number().int().nonnegative().optional(),
  modifiedAt: isoDateTime.optional(),
};

const resourceCreated = z.looseObject({ ...changeFields, notificationType: z.literal('ResourceCreated') });
const resourceUpdated = z.looseObject({
  ...changeFields,
  notificationType: z.literal('ResourceUpdated'),
  oldVersion: z.number().int().nonnegative().optional(),
});
const resourceDeleted = z.looseObject({
  ...changeFields,
  notificationType: z.literal('ResourceDeleted'),
  dataErasure: z.boolean().optional(),
});
const message = z.looseObject({
  ...common,
  notificationType: z.literal('Message'),
  id: identifier,
  type: z.string().min(1).max(128),
  version: z.number().int().nonnegative(),
  sequenceNumber: z.number().int().nonnegative(),
  resourceVersion: z.number().int().nonnegative(),
  createdAt: isoDateTime,
  lastModifiedAt: isoDateTime.optional(),
});

/**
 * A commercetools subscription notification, as much of it as the connector relies on. Parsed
 * once, here; the rest of the code trusts these types. Unknown extra fields are kept (messages
 * carry type-specific fields) but never required.
 */
export const notificationSchema = z.discriminatedUnion('notificationType', [
  resourceCreated,
  resourceUpdated,
  resourceDeleted,
  message,
]);

export type Notification = z.infer<typeof notificationSchema>;
export type ChangeNotification = Exclude<Notification, { notificationType: 'Message' }>;
export type MessageNotification = Extract<Notification, { notificationType: 'Message' }>;

export type TransportName = 'pubsub' | 'cloudevents' | 'sns' | 'direct';

/**
 * One transport's handing of a notification to the endpoint (a Pub/Sub push, an SNS message, a
 * CloudEvent, a direct POST): what the logs say of where it came from, never its content.
 */
export interface Delivery {
  transport: TransportName;
  /** The transport's own id (Pub/Sub's messageId, SNS's MessageId, a CloudEvent's id), when there is one. */
  deliveryId?: string;
  /** Pub/Sub's delivery attempt (present when a dead-letter topic is configured). */
  deliveryAttempt?: number;
  /**
   * The transport itself proved who sent it: an SNS signature that verified, from the one topic
   * SNS_TOPIC_ARN names (without it, any AWS account can sign messages from a topic of its own).
   */
  authenticated?: boolean;
}

/** A notification as decoded from its delivery. */
export interface DecodedNotification {
  notification: Notification;
  delivery: Delivery;
  /**
   * Tells the transport that this delivery was acknowledged (answered 2xx), so that a copy of it
   * is no longer believed (see sns-freshness.ts).
   */
  acknowledge?: () => void;
}

/**
 * What a request turned out to be: a notification to route, or a transport's own control
 * message (SNS subscription confirmation…) that the app answers without routing.
 */
export type Decoded =
  | ({ kind: 'notification' } & DecodedNotification)
  | {
      kind: 'control';
      transport: TransportName;
      /** e.g. 'subscription-confirmed', 'unsubscribe-ignored': the answer's status and the log's outcome. */
      status: string;
      /** Side effect to run before answering 200 (e.g. confirming the SNS subscription). */
      run?: () => Promise<void>;
    };

/**
 * Turns a parsed request body into what it is. Rejects with bad-request or unauthorized errors,
 * or overloaded when the JSON the body carries cannot be charged to `account` (the request's share
 * of the edge's byte budget; none outside the HTTP route).
 */
export type Decoder = (body: unknown, account?: ByteAccount) => Promise<Decoded>;
