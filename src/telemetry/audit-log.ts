import pino, { type Logger } from 'pino';
import type { TelemetryConfig } from '../config/schema.ts';

// The audit log: a separate pino destination (`telemetry.audit.path`: stdout or a file)
// for every tool call the model proposed and every policy decision. Each line carries
// `audit: <kind>`, the time, tenant, run id and the verdict; never a key or a prompt.

export interface AuditLog {
  readonly logger: Logger;
  close(): Promise<void>;
}

export function openAuditLog(config: TelemetryConfig, main: Logger, destination?: pino.DestinationStream): AuditLog {
  if (destination !== undefined) return { logger: pino({ base: { service: 'tollgate', log: 'audit' } }, destination), close: async () => {} };
  const path = config.audit.path;
  // stdout: the main log's own destination (one writer, so lines never interleave), at info
  // whatever `logging.level` says: audit lines are not debug output.
  if (path === 'stdout') return { logger: main.child({ log: 'audit' }, { level: 'info' }), close: async () => {} };
  const stream = pino.destination({ dest: path, sync: false, mkdir: true });
  const logger = pino({ base: { service: 'tollgate', log: 'audit' } }, stream);
  return {
    logger,
    close: () =>
      new Promise<void>((resolve) => {
        // Waits for the file to be open before flushing (a gateway stopped at once).
        const done = () => {
          try {
            stream.flushSync();
          } catch {
            // Nothing buffered, or the destination is gone: nothing more can be written.
          }
          stream.end();
          resolve();
        };
        if ((stream as unknown as { fd: number }).fd >= 0) done();
        else stream.once('ready', done);
      }),
  };
}
