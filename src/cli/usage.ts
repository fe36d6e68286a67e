// The CLI's one table of commands: `tollgate --help` lists them, `tollgate COMMAND --help`
// prints one, and a usage error prints the usage of the command it concerns.

export interface CommandHelp {
  readonly synopsis: string;
  readonly summary: string;
  /** Options and notes, printed by `tollgate COMMAND --help`. */
  readonly details?: string;
}

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  serve: {
    synopsis: 'tollgate serve [--config FILE] [--port N] [--host H] [--no-watch]',
    summary: 'start the gateway (default config: config/tollgate.yaml)',
    details: `  --config FILE   the YAML config (default config/tollgate.yaml)
  --port N        listen port, overriding server.port (0: any free port)
  --host H        listen address, overriding server.host
  --no-watch      do not reload the config when its file changes (SIGHUP still reloads)
The config is reloaded on SIGHUP and when its file changes; an invalid one is logged and
the running one keeps serving. SIGTERM or SIGINT drains and stops; a second one exits at once.`,
  },
  'check-config': {
    synopsis: 'tollgate check-config FILE',
    summary: 'validate a config; print every problem with its path (exit 1 if any)',
  },
  'hash-key': {
    synopsis: 'tollgate hash-key [KEY]',
    summary: 'print the sha256:<hex> form of a virtual key for tenants.*.keys',
    details: `Without KEY, the key is read from stdin (one line), so it stays out of shell history:
  tollgate hash-key < key.txt        printf %s "$KEY" | tollgate hash-key`,
  },
  'gen-key': {
    synopsis: 'tollgate gen-key',
    summary: 'print a new random virtual key and the config line with its hash',
  },
  'config-schema': {
    synopsis: 'tollgate config-schema',
    summary: "print the config's JSON Schema (for editor autocompletion and help)",
  },
  'eval-router': {
    synopsis: 'tollgate eval-router FILE.jsonl [--config F [--alias A] | --threshold T]',
    summary: 'measure the router\'s difficulty score on {"prompt","difficulty"} lines',
  },
  'route-scores': {
    synopsis: 'tollgate route-scores [--config F [--alias A] | --threshold T]',
    summary: 'score {"prompt"} or chat request lines from stdin: {"score","side"} per line',
  },
  'validate-tool-calls': {
    synopsis: 'tollgate validate-tool-calls',
    summary: 'check {"tools","tool_calls"} lines from stdin: {"valid","errors"} per line',
  },
  scan: {
    synopsis: 'tollgate scan [--config F]',
    summary: 'score {"text","channel"} lines from stdin for prompt injection: {"score","verdict"} per line',
  },
  'eval-injection': {
    synopsis: 'tollgate eval-injection FILE.jsonl [--config F]',
    summary: 'TPR, FPR and balanced accuracy of the injection filter per channel and source',
  },
};

export function overallUsage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.synopsis}\n      ${c.summary}`);
  return `Usage:\n${lines.join('\n')}\n  tollgate --version\n      print the version\n  tollgate COMMAND --help\n      the usage of one command`;
}

export function commandUsage(command: string): string {
  const help = COMMANDS[command]!;
  return `Usage: ${help.synopsis}\n${help.summary[0]!.toUpperCase()}${help.summary.slice(1)}.${help.details ? `\n${help.details}` : ''}`;
}

/** A mistake in how a command was called: exit 2 with its usage. */
export class UsageProblem extends Error {
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageProblem';
    this.command = command;
  }
}

/** `--help` or `-h` before any `--` (after it, `hash-key -- --help` hashes the text "--help"). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.includes('--help') || options.includes('-h');
}
