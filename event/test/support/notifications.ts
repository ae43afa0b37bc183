import { PROJECT_KEY } from './environment';

/** A Google Pub/Sub push request body carrying `notification`, as Connect on GCP delivers it. */
export function pubSubEnvelope(notification: object, options: { messageId?: string; deliveryAttempt?: number } = {}) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(notification)).toString('base64'),
      attributes: {},
      messageId: options.messageId ?? '1234567890',
      publishTime: '2026-11-23T10:00:00.000Z',
    },
    subscription: 'projects/connect-project/subscriptions/segment-connector',
    ...(options.deliveryAttempt ? { deliveryAttempt: options.deliveryAttempt } : {}),
  };
}

let sequence = 0;

/** A commercetools Message notification (the Platform format), with `fields` specific to its type. */
export function messageNotification(
  typeId: string,
  resourceId: string,
  type: string,
  fields: object,
  options: { id?: string; resourceVersion?: number; createdAt?: string } = {},
) {
  sequence += 1;
  return {
    notificationType: 'Message',
    projectKey: PROJECT_KEY,
    id: options.id ?? `0a1b2c3d-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    version: 1,
    sequenceNumber: sequence,
    resource: { typeId, id: resourceId },
    resourceVersion: options.resourceVersion ?? sequence + 1,
    resourceUserProvidedIdentifiers: {},
    type,
    createdAt: options.createdAt ?? '2026-11-23T10:15:00.000Z',
    lastModifiedAt: options.createdAt ?? '2026-11-23T10:15:00.000Z',
    ...fields,
  };
}

/** A change notification for `resource`, as commercetools sends it. */
export function changeNotification(
  notificationType: 'ResourceCreated' | 'ResourceUpdated' | 'ResourceDeleted',
  typeId: string,
  id: string,
  version = 1,
) {
  return {
    notificationType,
    projectKey: PROJECT_KEY,
    resource: { typeId, id },
    resourceUserProvidedIdentifiers: {},
    version,
    ...(notificationType === 'ResourceUpdated' ? { oldVersion: version - 1 } : {}),
    modifiedAt: '2026-11-23T09:59:58.000Z',
  };
}

/** A commercetools CloudEvent (format CloudEvents 1.0) carrying `notification`, as the platform builds it. */
export function cloudEvent(
  notification: Record<string, unknown> & { resource: { typeId: string; id: string } },
  fields: object = {},
) {
  const kind =
    notification.notificationType === 'Message'
      ? `message.${String(notification.type)}`
      : `change.${String(notification.notificationType)}`;
  return {
    specversion: '1.0',
    id: 'e6a0c4b1-3f2d-4c8e-9a7b-5d1e0f2a3b4c',
    type: `com.commercetools.${notification.resource.typeId}.${kind}`,
    source: `/${PROJECT_KEY}/${notification.resource.typeId}s`,
    subject: notification.resource.id,
    time: '2026-11-23T10:15:00.000Z',
    ...(notification.notificationType === 'Message'
      ? {
          sequence: String(notification.sequenceNumber),
          sequencetype: 'Integer',
          dataref: `/${PROJECT_KEY}/messages/${String(notification.id)}`,
        }
      : {}),
    data: notification,
    ...fields,
  };
}
