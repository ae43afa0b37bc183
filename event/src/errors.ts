/**
 * The few kinds of failure the connector distinguishes. Each kind has one answer in the table of
 * answers (ANSWERS in pipeline.ts), so "acknowledge or retry" is decided in one place.
 */
export type ErrorKind =
  /** The request is not something we can ever process: 4xx, never retried. */
  | 'bad-request'
  /** The request could not be authenticated (push token, SNS signature): 401. */
  | 'unauthorized'
  /** commercetools or Segment failed or timed out: 5xx, so the message is redelivered. */
  | 'upstream-unavailable'
  /** The connector holds as much as its memory budget allows: 503, so the message is redelivered later. */
  | 'overloaded';

export class ConnectorError extends Error {
  readonly kind: ErrorKind;
  /** Safe to show to callers and to log: never personal data. */
  readonly publicMessage: string;

  constructor(kind: ErrorKind, publicMessage: string, options?: { cause?: unknown }) {
    super(publicMessage, options);
    this.name = 'ConnectorError';
    this.kind = kind;
    this.publicMessage = publicMessage;
  }
}

export const badRequest = (message: string, cause?: unknown) => new ConnectorError('bad-request', message, { cause });

export const upstreamUnavailable = (message: string, cause?: unknown) =>
  new ConnectorError('upstream-unavailable', message, { cause });

export const unauthorized = (message: string, cause?: unknown) =>
  new ConnectorError('unauthorized', message, { cause });

export const overloaded = (message: string) => new ConnectorError('overloaded', message);
