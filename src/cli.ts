import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from './config/load.ts';
import { genKeyCommand, hashKeyCommand } from './cli/key-commands.ts';
import { commandUsage, COMMANDS, overallUsage, UsageProblem, wantsHelp } from './cli/usage.ts';

// `tollgate COMMAND [ARGS]`: every command answers --help with its usage (exit 0), a
// mistake in how it is called exits 2 with that usage, an unusable config exits 1.

const out = (text: string) => void process.stdout.write(text);
const err = (text: string) => void process.stderr.write(text);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    err(`${overallUsage()}\n`);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    out(`${topic !== undefined && topic in COMMANDS ? commandUsage(topic) : overallUsage()}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    out(`tollgate ${version()}\n`);
    return 0;
  }
  if (!(command in COMMANDS)) throw new UsageProblem(`unknown command "${command}"`);
  // Before any parsing: `hash-key --help` must not hash the text "--help".
  if (wantsHelp(rest)) {
    out(`${commandUsage(command)}\n`);
    return 0;
  }
  switch (command) {
    case 'serve': {
      // Loaded on demand: the server and its modules are not needed by the other commands.
      const { serveCommand } = await import('./cli/serve-command.ts');
      return serveCommand(rest);
    }
    case 'check-config':
      return checkConfigCommand(rest);
    case 'hash-key':
      return hashKeyCommand(rest, process.stdin, out, err);
    case 'gen-key':
      return genKeyCommand(rest, out);
    case 'config-schema': {
      parseArgs({ args: rest, options: {}, allowPositionals: false, strict: true });
      // Loaded on demand, like the router commands below.
      const { configJsonSchema } = await import('./config/json-schema.ts');
      out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    }
    case 'validate-tool-calls': {
      parseArgs({ args: rest, options: {}, allowPositionals: false, strict: true });
      // Loaded on demand: ajv is not needed by the other commands.
      const { validateToolCallsCommand } = await import('./policies/tool-calls/cli.ts');
      return validateToolCallsCommand(process.stdin, out);
    }
    case 'scan':
    case 'eval-injection':
      return injectionCommand(command, rest);
    default:
      return routerCommand(command as 'eval-router' | 'route-scores', rest);
  }
}

async function injectionCommand(command: 'scan' | 'eval-injection', args: string[]): Promise<number> {
  // Loaded on demand, like the router's model.
  const { evalInjectionCommand, scanCommand, UsageError } = await import('./policies/injection/cli.ts');
  try {
    if (command === 'eval-injection') return evalInjectionCommand(args, out);
    return await scanCommand(args, process.stdin, out, err);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageProblem(error.message, command);
    throw error;
  }
}

function checkConfigCommand(args: string[]): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageProblem(positionals.length === 0 ? 'check-config needs a FILE' : `check-config takes one FILE, got ${positionals.length}`, 'check-config');
  const file = positionals[0]!;
  const loaded = loadConfigFile(file);
  const disabled = [...loaded.disabledProviders].map(([name, why]) => ` (provider "${name}" would be disabled: ${why})`);
  out(`${file}: OK${disabled.join('')}\n`);
  return 0;
}

async function routerCommand(command: 'eval-router' | 'route-scores', args: string[]): Promise<number> {
  // Loaded on demand: other commands (serve, check-config) do not pay for the model.
  const { evalRouterCommand, routeScoresCommand, UsageError } = await import('./router/eval-cli.ts');
  try {
    if (command === 'eval-router') return evalRouterCommand(args, out);
    return await routeScoresCommand(args, process.stdin, out, err);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageProblem(error.message, command);
    throw error;
  }
}

/** The package's version, from package.json beside dist/ and src/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** parseArgs reports unknown options and unexpected arguments as TypeErrors with an ERR_PARSE_ARGS_ code. */
function isArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageProblem || isArgsError(error)) {
      const command = error instanceof UsageProblem ? error.command : process.argv[2];
      const usage = command !== undefined && command in COMMANDS ? commandUsage(command) : overallUsage();
      err(`tollgate: ${error.message}\n${usage}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      err(`${error.message}\n`);
      process.exitCode = 1;
    } else {
      err(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
