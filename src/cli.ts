import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { ConfigError, loadConfigFile } from './config/load.ts';
import { configJsonSchema } from './config/json-schema.ts';
import { hashKey } from './config/keys.ts';
import { createLogger } from './telemetry/logger.ts';

// `tollgate serve | check-config | hash-key | config-schema | eval-router | route-scores | validate-tool-calls | scan | eval-injection`

const USAGE = `Usage:
  tollgate serve [--config FILE] [--port N] [--host H]   start the gateway (default config: config/tollgate.yaml)
  tollgate check-config FILE                           validate a config; print every problem with its path
  tollgate hash-key KEY                                print the sha256:<hex> form of a virtual key for the config
  tollgate config-schema                               print the config's JSON Schema (for editor autocompletion)
  tollgate eval-router FILE.jsonl [--config F [--alias A] | --threshold T]
                                                       measure the router's difficulty score on {"prompt","difficulty"} lines
  tollgate route-scores [--config F [--alias A] | --threshold T]
                                                       score {"prompt"} or chat request lines from stdin: {"score","side"} per line
  tollgate validate-tool-calls                         check {"tools","tool_calls"} lines from stdin: {"valid","errors"} per line
  tollgate scan [--config F]                           score {"text","channel"} lines from stdin for prompt injection: {"score","verdict"} per line
  tollgate eval-injection FILE.jsonl [--config F]      TPR, FPR and balanced accuracy of the injection filter per channel and source`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'check-config': {
      const file = rest[0];
      if (file === undefined) return usage('check-config needs a FILE');
      const loaded = loadConfigFile(file);
      const disabled = [...loaded.disabledProviders].map(([name, why]) => ` (provider "${name}" would be disabled: ${why})`);
      process.stdout.write(`${file}: OK${disabled.join('')}\n`);
      return 0;
    }
    case 'hash-key': {
      const key = rest[0];
      if (key === undefined || key === '') return usage('hash-key needs a KEY');
      process.stdout.write(`${hashKey(key)}\n`);
      return 0;
    }
    case 'config-schema':
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    case 'eval-router':
    case 'route-scores':
      return routerCommand(command, rest);
    case 'validate-tool-calls': {
      if (rest.length > 0) return usage('validate-tool-calls takes no arguments (lines come on stdin)');
      // Loaded on demand: ajv is not needed by the other commands.
      const { validateToolCallsCommand } = await import('./policies/tool-calls/cli.ts');
      return validateToolCallsCommand(process.stdin, (text) => process.stdout.write(text));
    }
    case 'scan':
    case 'eval-injection':
      return injectionCommand(command, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      return usage(`unknown command "${command}"`);
  }
}

async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', default: 'config/tollgate.yaml' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const loaded = loadConfigFile(values.config!);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return usage(`--port must be 0-65535, got ${values.port}`);
  const logger = createLogger(loaded.config.logging.level);
  // Loaded here, not at the top: the server (and its tokenizer tables, about a second to
  // load) is not needed by the other commands.
  const { startGateway } = await import('./main.ts');
  const gateway = await startGateway(loaded, logger, { port, host: values.host });
  await new Promise<void>((resolve) => {
    let draining = false;
    const stop = (signal: 'SIGINT' | 'SIGTERM') => {
      if (draining) return exitNow(logger, signal);
      draining = true;
      logger.info({ signal, again: 'exits at once' }, 'signal received');
      void gateway.shutdown().then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
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

async function routerCommand(command: 'eval-router' | 'route-scores', args: string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  // Loaded on demand: other commands (serve, check-config) do not pay for the model.
  const { evalRouterCommand, routeScoresCommand, UsageError } = await import('./router/eval-cli.ts');
  try {
    if (command === 'eval-router') return evalRouterCommand(args, out);
    return await routeScoresCommand(args, process.stdin, out, (text) => process.stderr.write(text));
  } catch (err) {
    // parseArgs reports unknown options as TypeErrors with a code.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return usage((err as Error).message);
    throw err;
  }
}

async function injectionCommand(command: 'scan' | 'eval-injection', args: string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(text);
  // Loaded on demand, like the router's model.
  const { evalInjectionCommand, scanCommand, UsageError } = await import('./policies/injection/cli.ts');
  try {
    if (command === 'eval-injection') return evalInjectionCommand(args, out);
    return await scanCommand(args, process.stdin, out, (text) => process.stderr.write(text));
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return usage((err as Error).message);
    throw err;
  }
}

function usage(problem: string): number {
  process.stderr.write(`tollgate: ${problem}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`tollgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
