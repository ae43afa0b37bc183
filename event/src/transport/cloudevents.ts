import { z } from 'zod';
import { badRequest } from '../errors';
import type { Notification } from './notification';
import { describeIssues, isObject, parseNotification } from './parse';

/**
 * commercetools Subscriptions with `format: { type: 'CloudEvents', cloudEventsVersion: '1.0' }`
 * deliver a structured-mode CloudEvent (the platform SDK's `CloudEventsPayload`):
 * `type` is `com.commercetools.<typeId>.<change|message>.<ResourceCreated|MessageType…>`, `source`
 * the resource type's REST path including the project key (`/<projectKey>/orders`), `subject` the
 * resource id, `sequence` the message's sequenceNumber as a string, and `data` the same
 * notification the Platform format delivers (notificationType, projectKey, resource…).
 *
 * A `data` holding only the bare message or change payload is accepted too: what it lacks is
 * taken from the envelope.
 */
const COMMERCETOOLS_TYPE = /^com\.commercetools\.([a-z][a-z0-9-]*)\.(change|message)\.([A-Za-z][A-Za-z0-9]*)$/;

const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0', { message: 'must be 1.0' }),
  id: z.string().min(1).max(256),
  type: z.string().min(1).max(256),
  source: z.string().min(1).max(2048),
  subject: z.string().min(1).max(256).optional(),
  time: z.string().max(64).optional(),
  sequence: z.union([z.string().regex(/^\d{1,15}$/, 'must be an integer'), z.number().int().nonnegative()]).optional(),
  sequencetype: z.string().max(64).optional(),
  dataref: z.string().max(2048).optional(),
  datacontenttype: z.string().max(256).optional(),
  data: z.custom<Record<string, unknown>>(isObject, 'must be a JSON object'),
});

type CloudEvent = z.infer<typeof cloudEventSchema>;

export interface DecodedCloudEvent {
  notification: Notification;
  /** The CloudEvent's `id`. */
  eventId: string;
}

/** CloudEvents (structured mode) are told apart by their required `specversion`. */
export function isCloudEvent(value: Record<string, unknown>): boolean {
  return 'specversion' in value;
}

/** Turns a structured-mode commercetools CloudEvent into the notification it carries. */
export function decodeCloudEvent(value: unknown): DecodedCloudEvent {
  const parsed = cloudEventSchema.safeParse(value);
  if (!parsed.success) throw badRequest(`invalid CloudEvent (${describeIssues(parsed.error, cloudEventSchema)})`);
  const event = parsed.data;
  const candidate = 'notificationType' in event.data ? event.data : fromEnvelope(event);
  return { notification: parseNotification(candidate), eventId: event.id };
}

/** A bare payload completed from the envelope; the payload's own fields win where both have one. */
function fromEnvelope(event: CloudEvent): Record<string, unknown> {
  const match = COMMERCETOOLS_TYPE.exec(event.type);
  if (!match) throw badRequest('invalid CloudEvent (type: not a commercetools change or message type)');
  const [, typeId, kind, name] = match;
  const projectKey = projectKeyOf(event.source);
  const derived = {
    ...(projectKey ? { projectKey } : {}),
    ...(event.subject ? { resource: { typeId, id: event.subject } } : {}),
  };
  if (kind === 'change') return { ...derived, ...event.data, notificationType: name };
  return {
    ...derived,
    ...(event.sequence !== undefined ? { sequenceNumber: Number(event.sequence) } : {}),
    type: name,
    ...event.data,
    notificationType: 'Message',
  };
}

/** `/<projectKey>/orders`, or the same path in an absolute URI. */
function projectKeyOf(source: string): string | undefined {
  let path = source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source)) {
    try {
      path = new URL(source).pathname;
    } catch {
      return undefined;
    }
  }
  return path.split('/').find((segment) => segment !== '');
}
