import type { MessagesSetting } from '../commercetools/project';
import { upstreamUnavailable } from '../errors';
import { skipped, type Outcome } from '../outcome';
import { messageFields, readMessage, type HandledMessageType, type MessageFields } from '../transport/messages';
import type { ChangeNotification, MessageNotification } from '../transport/notification';
import type { HandlerContext } from './types';

/**
 * Every claim a delivery makes is proven by commercetools before anything reaches Segment. An
 * authenticated delivery (a verified Pub/Sub push token, a fresh SNS signature from the expected
 * topic) is commercetools' own word. Anything else is only a claim: the message is looked up in
 * commercetools' Messages API, or, where the project keeps no messages, the resource's current
 * state must show it (checked by the handler, see states.ts).
 */

/**
 * A message as proven (see ProofKind): its fields believed as they are, or, in a project without
 * messages, its claim, for the handler to check against the resource.
 */
export type ProvenMessage<T extends HandledMessageType> =
  | {
      kind: 'delivery' | 'messages-api';
      /** The message's fields, from the authenticated delivery or from the message commercetools holds. */
      fields: MessageFields<T>;
      /** The message's id and creation time, as commercetools holds them. */
      id: string;
      createdAt: string;
    }
  | {
      kind: 'state';
      /** What the sender claims; believed only as far as the resource's current state shows it. */
      claim: MessageFields<T>;
    };

/**
 * How long after a message's (claimed) creation its absence from the Messages API is taken as "not
 * there yet" rather than "never was": the notification is answered 503 and redelivered, so a real
 * message that commercetools has not made readable yet is not lost. A forgery dated now only earns
 * itself a 503.
 */
export const MESSAGE_PROOF_GRACE_MS = 5 * 60 * 1000;

function withinGrace(claimedAt: string | undefined, now: number): boolean {
  if (claimedAt === undefined) return false;
  const at = Date.parse(claimedAt);
  return Number.isFinite(at) && Math.abs(now - at) <= MESSAGE_PROOF_GRACE_MS;
}

/**
 * The message as proven, or undefined when commercetools does not hold it (the caller skips it as
 * `unproven`). Costs one read (the message) when the delivery is not authenticated and the project
 * keeps messages; none otherwise (the project's settings are read at start and hourly).
 */
export async function proveMessage<T extends HandledMessageType>(
  notification: MessageNotification,
  type: T,
  context: Pick<HandlerContext, 'trusted' | 'commercetools' | 'project' | 'signal'>,
): Promise<ProvenMessage<T> | undefined> {
  const claim = readMessage(notification, type);
  if (context.trusted)
    return { kind: 'delivery', fields: claim, id: notification.id, createdAt: notification.createdAt };
  const messages = await context.project.messages(context.signal);
  if (!messages.enabled) return { kind: 'state', claim };
  const stored = await context.commercetools.getMessage(notification.id, context.signal);
  if (!stored) {
    if (withinGrace(notification.createdAt, Date.now())) {
      throw upstreamUnavailable('the message is not in the Messages API yet');
    }
    return undefined;
  }
  const { resource } = notification;
  if (stored.type !== type || stored.resource.typeId !== resource.typeId || stored.resource.id !== resource.id) {
    return undefined;
  }
  const parsed = messageFields[type].safeParse(stored);
  // commercetools' own message without the fields its type has: nothing to believe.
  if (!parsed.success) return undefined;
  return { kind: 'messages-api', fields: parsed.data as MessageFields<T>, id: stored.id, createdAt: stored.createdAt };
}

/** What a customer ResourceDeleted change needs before a deletion may be requested. */
export type DeletionProof =
  { kind: 'proven'; by: 'delivery' | 'messages-api' } | { kind: 'unproven'; outcome: Outcome };

/**
 * A customer deletion is irreversible in Segment: it is requested only when the delivery was
 * authenticated or commercetools' Messages API holds the customer's CustomerDeleted message. A
 * project without messages cannot prove it otherwise: `unverified-deletion`.
 */
export async function proveCustomerDeletion(
  notification: ChangeNotification,
  context: Pick<HandlerContext, 'trusted' | 'commercetools' | 'project' | 'signal'>,
): Promise<DeletionProof> {
  if (context.trusted) return { kind: 'proven', by: 'delivery' };
  const messages = await context.project.messages(context.signal);
  if (!messages.enabled) return { kind: 'unproven', outcome: skipped('unverified-deletion') };
  const found = await context.commercetools.findMessage(notification.resource, 'CustomerDeleted', context.signal);
  if (found) return { kind: 'proven', by: 'messages-api' };
  if (withinGrace(notification.modifiedAt, Date.now())) {
    throw upstreamUnavailable('the CustomerDeleted message is not in the Messages API yet');
  }
  return { kind: 'unproven', outcome: skipped('unproven') };
}

/** What the deployment can prove, in one line for operators (start-up and post-deploy). */
export interface ProofSummary {
  line: string;
  /** Customer deletions are on, with a Public API token, but no delivery could ever prove one. */
  deletionsUnprovable: boolean;
}

export function summarizeProofs(
  messages: MessagesSetting,
  deployment: {
    /** Deliveries can be authenticated (Pub/Sub push tokens checked, or an SNS topic named). */
    authenticatedTransport: boolean;
    /** SEGMENT_DELETE_USERS is on and a Public API token is set. */
    deletions: boolean;
  },
): ProofSummary {
  const deletionsUnprovable = deployment.deletions && !messages.enabled && !deployment.authenticatedTransport;
  const authenticated = deployment.authenticatedTransport ? 'Authenticated deliveries are believed as they are; ' : '';
  const line = messages.enabled
    ? `${authenticated}messages are proven with commercetools' Messages API (kept ${messages.deleteDaysAfterCreation} days): one read per message; customer deletions by their CustomerDeleted message.`
    : `${authenticated}the project keeps no messages: a state claim is proven by the resource's current state, and customer deletions ${
        deployment.authenticatedTransport
          ? 'only from authenticated deliveries'
          : 'cannot be proven (skipped as unverified-deletion)'
      }. Enable messages in the project settings to prove every message.`;
  return { line: line.charAt(0).toUpperCase() + line.slice(1), deletionsUnprovable };
}
