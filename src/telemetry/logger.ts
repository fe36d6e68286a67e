import pino, { type Logger } from 'pino';
import { prettyDestination } from './pretty-log.ts';

// JSON logs on stdout, written asynchronously (off the request path) and flushed on exit.
// Keys and headers stay out of the logs by construction: log lines are built from named
// fields (see the logRequest stage), never from request or config objects. pino's path
// redaction is not used: it cost about 6% of the gateway's CPU for fields never present.
// Timestamps are epoch milliseconds, pino's cheapest and the usual input for log pipelines.
// On a terminal (`logging.format: auto`) or with `pretty`, the same lines are rendered for
// people instead (see pretty-log.ts).

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  const json = destination ?? pino.destination({ dest: 1, sync: pretty });
  return pino({ level, base: { service: 'tollgate' } }, pretty ? prettyDestination(json) : json);
}
