import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadConfigFile } from '../config/load.ts';
import { ConfigReloader } from '../config/reload.ts';
import { createLogger } from '../telemetry/logger.ts';
import { UsageProblem } from './usage.ts';

// `tollgate serve`: start, reload the config on SIGHUP and on file change, drain on
// SIGTERM/SIGINT (a second one exits at once).

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: 'config/tollgate.yaml' },
      port: { type: 'string' },
      host: { type: 'string' },
      watch: { type: 'boolean', default: true },
    },
    allowNegative: true,
    allowPositionals: false,
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (values.port!.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageProblem(`--port must be 0-65535, got ${values.port}`, 'serve');
  }
  const file = values.config!;
  const loaded = loadConfigFile(file);
  const logger = createLogger(loaded.config.logging.level, undefined, loaded.config.logging.format);
  // Loaded here, not at the top: the server (and its tokenizer tables, about a second to
  // load) is not needed by the other commands.
  const { startGateway } = await import('../main.ts');
  const gateway = await startGateway(loaded, logger, { port, host: values.host });
  const reloader = new ConfigReloader({ file, logger, apply: (next) => gateway.reload(next) });
  if (values.watch) reloader.watch();
  const onHangup = () => {
    logger.info({ signal: 'SIGHUP' }, 'signal received: reloading the configuration');
    reloader.reload('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    let draining = false;
    const stop = (signal: 'SIGINT' | 'SIGTERM') => {
      if (draining) return exitNow(logger, signal);
      draining = true;
      reloader.close();
      logger.info({ signal, again: 'exits at once' }, 'signal received');
      void gateway.shutdown().then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // Still handled (and ignored) until exit: a late SIGHUP must not kill a drained gateway mid-flush.
  process.off('SIGHUP', onHangup);
  process.on('SIGHUP', () => logger.info({ signal: 'SIGHUP' }, 'signal ignored: shutting down'));
  logger.flush();
  return 0;
}

/** A second signal during the drain (Ctrl-C twice): exit now, with the shell's code for it. */
function exitNow(logger: Logger, signal: 'SIGINT' | 'SIGTERM'): void {
  const code = 128 + constants.signals[signal];
  logger.warn({ signal, exitCode: code }, 'second signal during the drain: exiting now, open requests are cut');
  logger.flush(() => process.exit(code));
  // Exit even if the log cannot be flushed.
  setTimeout(() => process.exit(code), 1_000).unref();
}
