import { z } from 'zod';

/**
 * A commercetools subscription notification, as much of it as the connector relies on. Parsed
 * once, here; the rest of the code trusts these types. Unknown extra fields are kept (messages
 * carry type-specific fields) but never required.
 */
const identifier = z.string().min(1).max(256);
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

export const notificationSchema = z.discriminatedUnion('notificationType', [
  resourceCreated,
  resourceUpdated,
  resourceDeleted,
  message,
]);

export type Notification = z.infer<typeof notificationSchema>;
export type ChangeNotification = Exclude<Notification, { notificationType: 'Message' }>;
export type MessageNotification = Extract<Notification, { notificationType: 'Message' }>;

/** Where the notification came from, for logs: never its content. */
export interface DeliveryInfo {
  transport: 'pubsub' | 'direct';
  /** The transport's own id (Pub/Sub messageId), when there is one. */
  deliveryId?: string;
  /** Pub/Sub's delivery attempt (present when a dead-letter topic is configured). */
  deliveryAttempt?: number;
}

export interface DecodedDelivery {
  notification: Notification;
  delivery: DeliveryInfo;
}
