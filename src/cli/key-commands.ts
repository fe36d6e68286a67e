import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashKey } from '../config/keys.ts';
import { UsageProblem } from './usage.ts';

// `hash-key` and `gen-key`: virtual keys for tenants.*.keys, kept out of shell history.

const MAX_KEY_BYTES = 4096;

export async function hashKeyCommand(args: string[], stdin: NodeJS.ReadableStream & { isTTY?: boolean }, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageProblem(`hash-key takes one KEY, got ${positionals.length} arguments (quote a key with spaces)`, 'hash-key');
  let key = positionals[0];
  if (key === undefined) {
    if (stdin.isTTY) err('Key (then Enter; Ctrl-D to cancel): ');
    key = await readKey(stdin);
  }
  if (key === '') throw new UsageProblem('the key is empty', 'hash-key');
  out(`${hashKey(key)}\n`);
  return 0;
}

/** The first line of stdin, without its line ending. */
async function readKey(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
    if (text.length > MAX_KEY_BYTES) throw new UsageProblem(`a key longer than ${MAX_KEY_BYTES} bytes on stdin: is this the right input?`, 'hash-key');
  }
  const firstLine = text.split('\n')[0]!;
  return firstLine.endsWith('\r') ? firstLine.slice(0, -1) : firstLine;
}

/** 32 random bytes (256 bits), base64url: `tg-` and 43 characters. */
export function newKey(): string {
  return `tg-${randomBytes(32).toString('base64url')}`;
}

export function genKeyCommand(args: string[], out: (text: string) => void): number {
  parseArgs({ args, options: {}, allowPositionals: false, strict: true });
  const key = newKey();
  out(`key:    ${key}\n`);
  out(`config: - "${hashKey(key)}"    # under tenants.NAME.keys\n`);
  out('Give the key to its team now: only its hash goes in the config, and the key cannot be shown again.\n');
  return 0;
}
