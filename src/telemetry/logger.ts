import pino, { type Logger } from 'pino';

// JSON logs on stdout. Writes are asynchronous (off the request path) and flushed on exit.
// Nothing logs request headers; the redaction list is a second line of defence.

export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["api-key"]',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'key',
  '*.key',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
