import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE, scrub } from './scrub.ts';

const SECRET = 'sk-live-abcdef123456';
const KEY = 'tg0123456789abcdefghijklmnopqrstuvwxyz';

describe('scrub: configured secrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(scrub(`a ${SECRET} b ${SECRET} c other-secret`, [SECRET, 'other-secret'])).toBe('a [redacted] b [redacted] c [redacted]');
  });

  it('ignores secrets shorter than 4 characters', () => {
    expect(scrub('abc the abc', ['abc', ''])).toBe('abc the abc');
  });

  it('masks a secret quoted in another case', () => {
    expect(scrub(`key ${KEY.toUpperCase()} refused`, [KEY])).toBe('key [redacted] refused');
  });

  it('masks 12 consecutive characters of a secret, not 11', () => {
    expect(scrub(`x ${KEY.slice(5, 17)} y`, [KEY])).toBe('x [redacted] y');
    expect(scrub(`x ${KEY.slice(5, 16)} y`, [KEY])).toBe(`x ${KEY.slice(5, 16)} y`);
  });

  it('masks a truncated or partly starred quote of the key, whatever the case', () => {
    const quoted = `Incorrect API key provided: ${KEY.slice(0, 20).toUpperCase()}****${KEY.slice(-4)}`;
    expect(scrub(quoted, [KEY])).toBe(`Incorrect API key provided: [redacted]****${KEY.slice(-4)}`);
  });

  it('truncates long messages to 1000 characters plus an ellipsis', () => {
    const out = scrub('x'.repeat(5000), []);
    expect(out).toHaveLength(MAX_MESSAGE + 1);
    expect(out.endsWith('x…')).toBe(true);
    expect(scrub('y'.repeat(1000), [])).toBe('y'.repeat(1000));
  });

  it('never lets part of a secret through across the truncation point', () => {
    for (const at of [985, 990, 995, 999]) {
      const out = scrub(`${'x'.repeat(at)}${KEY}${'z'.repeat(64 * 1024)}`, [KEY]);
      expect(out).not.toContain(KEY.slice(0, 12));
      const kept = out.slice(at, MAX_MESSAGE);
      expect(kept.startsWith('[redacted]') || '[redacted]'.startsWith(kept)).toBe(true);
    }
  });

  it('bounds its work on a 64 KB message full of near-misses', () => {
    const noise = KEY.slice(0, 11).repeat(6000);
    const out = scrub(noise, [KEY, SECRET]);
    expect(out.length).toBeLessThanOrEqual(MAX_MESSAGE + 1);
  });
});

describe('scrub: key-shaped tokens', () => {
  it.each([
    ['OpenAI', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['Anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv'],
    ['AWS', 'AKIAIOSFODNN7EXAMPLE'],
    ['Slack', 'xoxb-123456789012-abcdefABCDEF'],
    ['GitHub', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['Google', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234'],
  ])('masks a %s key nobody configured', (_name, key) => {
    expect(scrub(`denied for ${key}.`, [])).toBe('denied for [redacted].');
  });

  it('masks what follows Bearer, keeping the word', () => {
    expect(scrub('got header Bearer 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', [])).toBe('got header Bearer [redacted]');
    expect(scrub('got header bearer dGhpcyBpcyBhIHRva2VuIQ==', [])).toBe('got header bearer [redacted]');
  });

  it('leaves ordinary words and short ids alone', () => {
    const text = 'The model `gpt-4o` does not exist; request id req_123, see https://platform.openai.com/docs.';
    expect(scrub(text, [])).toBe(text);
  });
});
