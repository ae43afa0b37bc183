import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * We never pass personal data or secrets to the logger; these paths are a safety net in case a
 * future change does (an error's cause, a request object…).
 */
const REDACTED_PATHS = [
  'email',
  '*.email',
  'customerEmail',
  '*.customerEmail',
  'traits',
  '*.traits',
  'properties',
  '*.properties',
  'context.consent',
  'password',
  '*.password',
  'clientSecret',
  '*.clientSecret',
  'writeKey',
  '*.writeKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'commercetools-segment-connector' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
