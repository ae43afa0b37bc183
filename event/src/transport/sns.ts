import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { badRequest, ConnectorError, unauthorized, upstreamUnavailable } from '../errors';
import { describeIssues } from './parse';

/**
 * Amazon SNS over HTTP(S), as Connect on AWS delivers: a JSON body (sent as text/plain) that is
 * trusted only once its signature checks out against Amazon's signing certificate.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */

/** Amazon's SNS endpoints, the only hosts certificates and confirmations are fetched from. */
const SNS_HOST = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(?:\.cn)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ALGORITHMS = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' } as const;

/** Missing or malformed, these make a message unauthenticated rather than malformed. */
const SIGNATURE_FIELDS = new Set(['SignatureVersion', 'Signature', 'SigningCertURL']);

const common = {
  MessageId: z.string().min(1).max(256),
  TopicArn: z.string().min(1).max(512),
  Message: z.string(),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.string().max(8),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
};

const snsMessageSchema = z.discriminatedUnion('Type', [
  z.looseObject({ ...common, Type: z.literal('Notification'), Subject: z.string().nullish() }),
  z.looseObject({
    ...common,
    Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
    SubscribeURL: z.string().min(1).max(4096),
    Token: z.string().min(1).max(4096),
  }),
]);

type SnsMessage = z.infer<typeof snsMessageSchema>;

/** What a verified SNS message says. */
export type VerifiedSnsMessage =
  | {
      type: 'Notification';
      messageId: string;
      topicArn: string;
      /** The published message, as text. */
      message: string;
      /** Verified as coming from the one topic the verifier accepts (see SnsVerifierOptions.topicArn). */
      fromExpectedTopic: boolean;
      /** When SNS signed it (the message's Timestamp). */
      timestamp: string;
    }
  | {
      type: 'SubscriptionConfirmation';
      messageId: string;
      topicArn: string;
      /** Confirms the subscription (GET SubscribeURL); rejects with upstream-unavailable. */
      confirm: () => Promise<void>;
    }
  | { type: 'UnsubscribeConfirmation'; messageId: string; topicArn: string };

export interface SnsVerifier {
  /**
   * Checks that `body` is an SNS message signed by Amazon (and from the expected topic) and
   * says what it is. Rejects with unauthorized, bad-request or (certificate unreachable)
   * upstream-unavailable errors.
   */
  verify(body: unknown): Promise<VerifiedSnsMessage>;
}

export interface SnsVerifierOptions {
  /**
   * GETs a URL and resolves with its body: the signing certificate and the subscription
   * confirmation. For HTTP failures, reject with an error carrying the HTTP `status`.
   * Default: fetch, with `timeoutMs` and no redirects.
   */
  fetchText?: (url: string) => Promise<string>;
  /** When set, messages from any other topic are refused (and never confirmed). */
  topicArn?: string;
  /** Signing certificates kept in memory, by URL. Default 16. */
  certificateCacheSize?: number;
  /** Timeout of the default fetchText. Default 5000 ms. */
  timeoutMs?: number;
}

/** SNS messages are told apart by their `Type` and `TopicArn`. */
export function isSnsMessage(body: Record<string, unknown>): boolean {
  return 'Type' in body && 'TopicArn' in body;
}

/** https on an Amazon SNS host, on the default port, without credentials; certificates end in `.pem`. */
export function isAllowedSnsUrl(value: string, kind: 'certificate' | 'subscribe'): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') return false;
  if (!SNS_HOST.test(url.hostname)) return false;
  return kind === 'subscribe' || url.pathname.endsWith('.pem');
}

/** AWS's string to sign: the listed fields in this order, each as `Key\nValue\n`. */
function stringToSign(message: SnsMessage): string {
  const fields: [string, string | null | undefined][] =
    message.Type === 'Notification'
      ? [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ['Subject', message.Subject],
          ['Timestamp', message.Timestamp],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ]
      : [
          ['Message', message.Message],
          ['MessageId', message.MessageId],
          ['SubscribeURL', message.SubscribeURL],
          ['Timestamp', message.Timestamp],
          ['Token', message.Token],
          ['TopicArn', message.TopicArn],
          ['Type', message.Type],
        ];
  return fields
    .filter((field): field is [string, string] => typeof field[1] === 'string')
    .map(([key, value]) => `${key}\n${value}\n`)
    .join('');
}

/** validFrom/validTo strings rather than the *Date properties, which Node 22 gained only in 22.10. */
function isValidNow(certificate: X509Certificate): boolean {
  const now = Date.now();
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now && now <= to;
}

function signatureMatches(
  message: SnsMessage,
  version: keyof typeof ALGORITHMS,
  certificate: X509Certificate,
): boolean {
  try {
    return verifySignature(
      ALGORITHMS[version],
      Buffer.from(stringToSign(message), 'utf8'),
      certificate.publicKey,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch {
    // A key the algorithm cannot use (e.g. not RSA) is a signature that does not match.
    return false;
  }
}

class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.status = status;
  }
}

function fetchWithTimeout(timeoutMs: number) {
  return async (url: string): Promise<string> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status);
    }
    return response.text();
  };
}

export function createSnsVerifier(options: SnsVerifierOptions = {}): SnsVerifier {
  const fetchText = options.fetchText ?? fetchWithTimeout(options.timeoutMs ?? 5_000);
  const cacheSize = Math.max(1, options.certificateCacheSize ?? 16);
  const certificates = new Map<string, Promise<X509Certificate>>();

  async function loadCertificate(url: string): Promise<X509Certificate> {
    let pem: string;
    try {
      pem = await fetchText(url);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      const status = (error as { status?: unknown }).status;
      // A certificate Amazon does not have means a forged message; other failures are transient.
      if (typeof status === 'number' && status >= 400 && status < 500)
        throw unauthorized('the SNS signing certificate does not exist', error);
      throw upstreamUnavailable('the SNS signing certificate could not be fetched', error);
    }
    // Trust comes from where it was fetched: https, from an SNS host (both checked before).
    try {
      return new X509Certificate(pem);
    } catch (error) {
      throw unauthorized('the SNS signing certificate is not an X.509 certificate', error);
    }
  }

  /** Least recently used goes first; a failed load is forgotten so the next message retries. */
  function certificate(url: string): Promise<X509Certificate> {
    const cached = certificates.get(url);
    if (cached) {
      certificates.delete(url);
      certificates.set(url, cached);
      return cached;
    }
    const loading = loadCertificate(url);
    certificates.set(url, loading);
    loading.catch(() => {
      if (certificates.get(url) === loading) certificates.delete(url);
    });
    for (const oldest of certificates.keys()) {
      if (certificates.size <= cacheSize) break;
      certificates.delete(oldest);
    }
    return loading;
  }

  async function confirm(subscribeUrl: string): Promise<void> {
    try {
      await fetchText(subscribeUrl);
    } catch (error) {
      // SNS resends the confirmation request when it gets no 2xx.
      throw upstreamUnavailable('the SNS subscription could not be confirmed', error);
    }
  }

  return {
    async verify(body) {
      const parsed = snsMessageSchema.safeParse(body);
      if (!parsed.success) {
        const unsigned = parsed.error.issues.some((issue) => SIGNATURE_FIELDS.has(String(issue.path[0])));
        const description = describeIssues(parsed.error, snsMessageSchema);
        throw unsigned
          ? unauthorized(`SNS message is not signed (${description})`)
          : badRequest(`invalid SNS message (${description})`);
      }
      const message = parsed.data;
      const version = message.SignatureVersion;
      if (version !== '1' && version !== '2') throw unauthorized('unsupported SNS SignatureVersion');
      if (options.topicArn !== undefined && message.TopicArn !== options.topicArn) {
        throw unauthorized('SNS message from another topic');
      }
      if (!isAllowedSnsUrl(message.SigningCertURL, 'certificate')) {
        throw unauthorized('SigningCertURL is not an Amazon SNS certificate URL');
      }
      if (!BASE64.test(message.Signature)) throw unauthorized('SNS Signature is not base64');

      const signingCertificate = await certificate(message.SigningCertURL);
      if (!isValidNow(signingCertificate)) throw unauthorized('the SNS signing certificate is not valid now');
      if (!signatureMatches(message, version, signingCertificate)) throw unauthorized('invalid SNS signature');

      const { MessageId: messageId, TopicArn: topicArn } = message;
      switch (message.Type) {
        case 'Notification':
          return {
            type: 'Notification',
            messageId,
            topicArn,
            message: message.Message,
            fromExpectedTopic: options.topicArn !== undefined,
            timestamp: message.Timestamp,
          };
        case 'UnsubscribeConfirmation':
          return { type: 'UnsubscribeConfirmation', messageId, topicArn };
        case 'SubscriptionConfirmation': {
          const subscribeUrl = message.SubscribeURL;
          if (!isAllowedSnsUrl(subscribeUrl, 'subscribe')) throw unauthorized('SubscribeURL is not an Amazon SNS URL');
          return { type: 'SubscriptionConfirmation', messageId, topicArn, confirm: () => confirm(subscribeUrl) };
        }
      }
    },
  };
}
