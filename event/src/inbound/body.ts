import type { IncomingMessage } from 'node:http';
import type { ByteAccount } from '../transport/parse';

/**
 * Reads a request's body ourselves, rather than with express.json, so that what a sender can
 * hold is bounded: its bytes are charged to the byte budget as they arrive, the body must arrive
 * within a deadline once asked for, and a request waiting for its turn is read no further than a
 * small share (enough to see a sender that sent a small request and hung up).
 */
export interface BodyLimits {
  /** Largest body accepted, bytes. */
  maxBytes: number;
  /** Longest a body may take to arrive once its request has a turn, ms. */
  deadlineMs: number;
  /** Bytes read from a request still waiting for its turn; beyond them its socket is left unread. */
  waitingBytes: number;
}

/**
 * Pub/Sub's largest message, 10 MB of data, arrives base64-encoded in a JSON envelope: 13.4 MB,
 * and a little more with attributes (at most 100 of 1 KB). 14 MiB holds it with room to spare.
 */
export const MAX_BODY_BYTES = 14 * 1024 * 1024;

/**
 * Pub/Sub pushes from Google's network, where even 14 MB take well under a second; 4 s leave a
 * slow but honest sender time and the notification 4.5 s of its 8.5 s deadline. A sender that
 * trickles its body (or never sends it) holds a turn for 4 s at most.
 */
export const BODY_DEADLINE_MS = 4_000;

/**
 * Enough for a change notification or a message as pushed (1 to 4 KB), so a waiting sender that
 * sent its whole request and hung up is seen at once, not only when its turn comes; a read can go
 * past it by what the socket delivered at once (64 KiB at most), charged like the rest.
 */
export const WAITING_BODY_BYTES = 16 * 1024;

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBytes: MAX_BODY_BYTES,
  deadlineMs: BODY_DEADLINE_MS,
  waitingBytes: WAITING_BODY_BYTES,
};

/** Why a body was not read: each is answered (see app.ts), except `aborted`, which has no one to answer. */
export type BodyFailureKind = 'payload-too-large' | 'request-timeout' | 'overloaded' | 'bad-request' | 'aborted';

export class BodyError extends Error {
  constructor(
    readonly kind: BodyFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface IncomingBody {
  /** Why the request is refused before anything is read: a declared length over the limit, a compressed body. */
  readonly refused?: BodyError;
  /** Reads the rest within the deadline and resolves with the whole body; rejects with a BodyError. */
  read(): Promise<Buffer>;
  /** Stops reading and drops what was read: the request has ended. */
  discard(): void;
}

function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return undefined;
  return Number(header);
}

/**
 * Starts taking the body off `req` at once (up to `waitingBytes`), so that a sender who hangs up
 * while its request waits is seen; the rest is read by `read()`. `onFailure` hears of a failure
 * that happens before `read()` is called (the budget spent while waiting), to answer it then.
 * Every byte read is charged to `account` and stays charged until the account closes with the
 * request (or the caller releases the body it was handed).
 */
export function receiveBody(
  req: IncomingMessage,
  { account, limits, onFailure }: { account: ByteAccount; limits: BodyLimits; onFailure: (error: BodyError) => void },
): IncomingBody {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  // A compressed body's size says nothing of what it inflates to; Pub/Sub and SNS never compress.
  if (encoding && encoding !== 'identity') {
    return refused(new BodyError('bad-request', 'compressed bodies are not accepted'));
  }
  const declared = declaredLength(req.headers['content-length']);
  if (declared !== undefined && declared > limits.maxBytes) {
    return refused(new BodyError('payload-too-large', 'the body exceeds the size limit'));
  }

  // With a declared length, bytes go straight into one buffer of that size (its pages are only
  // resident once written): joining chunks at the end would hold the body twice for a moment.
  let whole: Buffer | undefined;
  let chunks: Buffer[] = [];
  let received = 0;
  let state: 'watching' | 'reading' | 'complete' | 'failed' = 'watching';
  let failure: BodyError | undefined;
  let waiter: { resolve: (body: Buffer) => void; reject: (error: BodyError) => void } | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let socketPaused = false;

  const stop = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    req.off('error', onError);
    clearTimeout(deadline);
  };
  const take = (): Buffer => {
    const body = whole ? whole.subarray(0, received) : Buffer.concat(chunks, received);
    whole = undefined;
    chunks = [];
    return body;
  };
  const fail = (error: BodyError) => {
    if (state === 'complete' || state === 'failed') return;
    const wasWatching = state === 'watching';
    state = 'failed';
    failure = error;
    stop();
    whole = undefined;
    chunks = [];
    // Nothing more is read: the answer closes the connection (see app.ts).
    req.pause();
    if (waiter) waiter.reject(error);
    else if (wasWatching && error.kind !== 'aborted') onFailure(error);
  };
  function onData(chunk: Buffer) {
    if (received + chunk.length > limits.maxBytes) {
      return fail(new BodyError('payload-too-large', 'the body exceeds the size limit'));
    }
    try {
      account.charge(chunk.length);
    } catch {
      return fail(new BodyError('overloaded', 'the connector holds all it can; retry later'));
    }
    if (declared === undefined) chunks.push(chunk);
    else {
      whole ??= Buffer.allocUnsafe(declared);
      chunk.copy(whole, received);
    }
    received += chunk.length;
    // Waiting: leave the rest in the socket until the turn comes, unless this was the last of it.
    if (state === 'watching' && received >= limits.waitingBytes && received !== declared) {
      req.pause();
      // Else Node's parser would go on filling the request's buffer (64 KiB) unaccounted.
      req.socket?.pause();
      socketPaused = true;
    }
  }
  function onEnd() {
    if (state === 'failed') return;
    state = 'complete';
    stop();
    waiter?.resolve(take());
  }
  function onClose() {
    if (!req.complete) fail(new BodyError('aborted', 'the sender hung up'));
  }
  function onError() {
    fail(new BodyError('aborted', 'the request could not be read'));
  }
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('close', onClose);
  req.on('error', onError);

  return {
    read() {
      if (failure) return Promise.reject(failure);
      if (state === 'complete') return Promise.resolve(take());
      state = 'reading';
      return new Promise<Buffer>((resolve, reject) => {
        waiter = { resolve, reject };
        deadline = setTimeout(
          () => fail(new BodyError('request-timeout', `the body did not arrive within ${limits.deadlineMs} ms`)),
          limits.deadlineMs,
        );
        req.resume();
        // Resuming the request does not resume a socket paused by hand.
        if (socketPaused) req.socket?.resume();
      });
    },
    discard() {
      whole = undefined;
      chunks = [];
      fail(new BodyError('aborted', 'the request ended'));
    },
  };
}

function refused(error: BodyError): IncomingBody {
  return { refused: error, read: () => Promise.reject(error), discard: () => undefined };
}
