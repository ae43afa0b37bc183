import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDecoder } from '../../src/transport/decode';
import type { Decoder } from '../../src/transport/notification';
import { createSnsVerifier, type SnsVerifierOptions } from '../../src/transport/sns';

/**
 * Amazon SNS, as far as the connector sees it, without leaving the machine: a real RSA key and
 * self-signed X.509 certificate made with the openssl CLI, messages signed the way SNS signs
 * them (written here independently of the code under test), and a `fetchText` that serves the
 * certificate at an SNS URL and records every URL asked for.
 */

export const SNS_REGION = 'eu-west-1';
export const TOPIC_ARN = `arn:aws:sns:${SNS_REGION}:123456789012:commercetools-segment`;
export const CERT_URL = `https://sns.${SNS_REGION}.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem`;
export const SUBSCRIBE_URL = `https://sns.${SNS_REGION}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Token=2336412f37fb687f5d51e6e2425c464de`;

export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** An SNS HTTP(S) delivery body. */
export interface SnsBody {
  Type: SnsType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

export interface SnsMessageOptions {
  messageId?: string;
  topicArn?: string;
  subject?: string;
  signatureVersion?: '1' | '2';
  signingCertUrl?: string;
  /** When SNS signed it; now by default (a signature authenticates only while fresh). */
  timestamp?: string;
}

export interface SnsStandIn {
  certificatePem: string;
  /** Every URL fetchText was asked for, in order. */
  fetched: string[];
  /** When set, GETs of SubscribeURLs fail (Amazon unreachable). */
  failSubscribe: boolean;
  /** Serves the certificate at CERT_URL and answers SubscribeURLs; anything else is a 404. */
  fetchText(url: string): Promise<string>;
  notification(message: string | object, options?: SnsMessageOptions): SnsBody;
  subscriptionConfirmation(options?: SnsMessageOptions): SnsBody;
  unsubscribeConfirmation(options?: SnsMessageOptions): SnsBody;
  /** Signs `body` as it now is (after an edit), with its SignatureVersion. */
  sign(body: SnsBody): SnsBody;
  /** The connector's decoder, its SNS verifier fetching from this stand-in. */
  decoder(options?: SnsVerifierOptions): Decoder;
  /** Forgets the URLs fetched, and reaches Amazon again. */
  reset(): void;
}

/** A self-signed certificate valid for a day, and its private key. */
export function makeCertificate(commonName = 'sns.amazonaws.com'): { keyPem: string; certificatePem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sns-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        `/CN=${commonName}`,
      ],
      { stdio: 'pipe' },
    );
    return { keyPem: readFileSync(keyFile, 'utf8'), certificatePem: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SIGNED_FIELDS: Record<SnsType, (keyof SnsBody)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function signSnsBody(body: SnsBody, keyPem: string): SnsBody {
  let text = '';
  for (const key of SIGNED_FIELDS[body.Type]) {
    const value = body[key];
    if (value !== undefined) text += `${key}\n${value}\n`;
  }
  const algorithm = body.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  return { ...body, Signature: sign(algorithm, Buffer.from(text, 'utf8'), keyPem).toString('base64') };
}

let sequence = 0;
const nextId = () => `8c8d0c57-7e5a-5c1f-9b2e-${String((sequence += 1)).padStart(12, '0')}`;

export function createSnsStandIn(): SnsStandIn {
  const { keyPem, certificatePem } = makeCertificate();

  const envelope = (Type: SnsType, Message: string, options: SnsMessageOptions): SnsBody => ({
    Type,
    MessageId: options.messageId ?? nextId(),
    TopicArn: options.topicArn ?? TOPIC_ARN,
    Message,
    Timestamp: options.timestamp ?? new Date().toISOString(),
    SignatureVersion: options.signatureVersion ?? '2',
    Signature: '',
    SigningCertURL: options.signingCertUrl ?? CERT_URL,
  });

  const confirmation = (Type: SnsType, Message: string, options: SnsMessageOptions) =>
    signSnsBody(
      { ...envelope(Type, Message, options), SubscribeURL: SUBSCRIBE_URL, Token: '2336412f37fb687f5d51e6e2425c464de' },
      keyPem,
    );

  const standIn: SnsStandIn = {
    certificatePem,
    fetched: [],
    failSubscribe: false,
    async fetchText(url) {
      standIn.fetched.push(url);
      if (url === CERT_URL) return certificatePem;
      if (url.includes('Action=ConfirmSubscription')) {
        if (standIn.failSubscribe) throw new TypeError('fetch failed');
        return '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>';
      }
      throw Object.assign(new Error('HTTP 404'), { status: 404 });
    },
    notification(message, options = {}) {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      const body = {
        ...envelope('Notification', text, options),
        ...(options.subject !== undefined ? { Subject: options.subject } : {}),
        UnsubscribeURL: `https://sns.${SNS_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:1`,
      };
      return signSnsBody(body, keyPem);
    },
    subscriptionConfirmation(options = {}) {
      return confirmation(
        'SubscriptionConfirmation',
        `You have chosen to subscribe to the topic ${options.topicArn ?? TOPIC_ARN}.`,
        options,
      );
    },
    unsubscribeConfirmation(options = {}) {
      return confirmation(
        'UnsubscribeConfirmation',
        `You have chosen to deactivate subscription ${options.topicArn ?? TOPIC_ARN}:1.`,
        options,
      );
    },
    sign: (body) => signSnsBody(body, keyPem),
    decoder: (options = {}) =>
      createDecoder({ sns: createSnsVerifier({ fetchText: (url) => standIn.fetchText(url), ...options }) }),
    reset() {
      standIn.fetched.length = 0;
      standIn.failSubscribe = false;
    },
  };
  return standIn;
}
