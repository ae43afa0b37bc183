import request from 'supertest';
import { pubSubEnvelope } from './notifications';
import type { Harness } from './harness';

/** The processing deadline of the fault suites: short, so a failure is answered quickly. */
export const DEADLINE_MS = 3_000;
/** Bounds a request that never comes back, so a hang fails clearly instead of timing Jest out. */
export const ANSWER_BOUND_MS = DEADLINE_MS + 5_000;

/** Delivers `notification` as Pub/Sub's delivery attempt `deliveryAttempt`, within ANSWER_BOUND_MS. */
export const deliver = (harness: Harness, notification: object, deliveryAttempt = 1) =>
  request(harness.app)
    .post('/')
    .timeout(ANSWER_BOUND_MS)
    .send(pubSubEnvelope(notification, { messageId: `delivery-${deliveryAttempt}`, deliveryAttempt }));
