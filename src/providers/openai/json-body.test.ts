import { describe, expect, it } from 'vitest';
import { findUsage } from '../usage-scan.ts';
import { FULL_PARSE_BYTES, inspectJsonBody } from './json-body.ts';

const USAGE = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
const METERED = { promptTokens: 5, completionTokens: 7, totalTokens: 12, source: 'upstream' };
const inspect = (text: string) => inspectJsonBody(Buffer.from(text), 'p');
const padding = 'x'.repeat(FULL_PARSE_BYTES);

describe('inspectJsonBody: small bodies are parsed whole', () => {
  it('reads usage', () => {
    expect(inspect(JSON.stringify({ id: 'a', usage: USAGE }))).toEqual({ usage: METERED, errorText: undefined });
  });

  it('refuses invalid JSON and JSON that is not an object', () => {
    expect(() => inspect('{"id": ')).toThrow(/not valid JSON/);
    expect(() => inspect('[1,2]')).toThrow(/not a JSON object/);
    expect(() => inspect('"text"')).toThrow(/not a JSON object/);
  });

  it('reports an error envelope, but not a null error', () => {
    expect(inspect('{"error":{"message":"boom"}}').errorText).toBe('{"error":{"message":"boom"}}');
    expect(inspect('{"error":null,"usage":{"prompt_tokens":1}}').errorText).toBeUndefined();
  });
});

describe('inspectJsonBody: large bodies are checked at their edges', () => {
  it('reads usage from the tail, written with or without spaces', () => {
    expect(inspect(`{"content":"${padding}","usage":${JSON.stringify(USAGE)},"system_fingerprint":"fp"}`).usage).toEqual(METERED);
    expect(inspect(`{"content": "${padding}", "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}\n`).usage).toEqual(METERED);
  });

  it('reads usage from the head when the tail has none', () => {
    expect(inspect(`{"usage":${JSON.stringify(USAGE)},"content":"${padding}"}`).usage).toEqual(METERED);
  });

  it('takes the real usage key, not one quoted inside a string', () => {
    const quoted = '\\"usage\\": {\\"prompt_tokens\\": 999}';
    expect(inspect(`{"content":"${padding}${quoted}","usage":${JSON.stringify(USAGE)}}`).usage).toEqual(METERED);
    expect(inspect(`{"content":"${padding}${quoted}"}`).usage).toBeUndefined();
  });

  it('refuses a body that is not an object', () => {
    expect(() => inspect(`["${padding}"]`)).toThrow(/not a JSON object/);
    expect(() => inspect(`{"content":"${padding}"`)).toThrow(/not a JSON object/);
    expect(() => inspect(' '.repeat(FULL_PARSE_BYTES + 1))).toThrow(/not a JSON object/);
  });

  it('reports an error key that opens or closes the body', () => {
    expect(inspect(`{"error": {"message": "boom"}, "p": "${padding}"}`).errorText).toMatch(/^\{"error"/);
    expect(inspect(`{"p": "${padding}", "error": {"message": "boom"}}`).errorText).toBe('');
    expect(inspect(`{"p": "${padding}", "error": null, "usage": ${JSON.stringify(USAGE)}}`).errorText).toBeUndefined();
    expect(inspect(`{"error": null, "p": "${padding}"}`).errorText).toBeUndefined();
  });
});

describe('findUsage', () => {
  it('gives up on a usage object that never closes nearby', () => {
    expect(findUsage(`"usage": {"prompt_tokens": 1, "x": "${'y'.repeat(20_000)}"}`)).toBeUndefined();
    expect(findUsage('"usage": {"prompt_tokens": 1')).toBeUndefined();
  });
});
