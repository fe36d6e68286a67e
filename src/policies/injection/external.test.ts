import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { injectionSchema } from '../../config/injection-schema.ts';
import { externalClassifier, scoreOfChat, scoreOfHttp } from './external.ts';
import { resolvePolicy, scanMessages } from './policy.ts';

// The external classifier against a small local fake, and how its answers become verdicts.

let server: Server;
let url = '';
const seen: Array<{ path: string; body: Record<string, unknown>; auth: string | undefined }> = [];
let answer: (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void = (_req, res) => res.end('{"score":0.9}');

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', body, auth: req.headers.authorization });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = (extra: Record<string, unknown>) => injectionSchema.parse({ external: { url: `${url}/classify`, timeout: '5s', ...extra } });

describe('external classifier', () => {
  test('http: posts {text, channel} with the key and reads {score}', async () => {
    answer = (_req, res) => res.end('{"score":0.83}');
    const ask = externalClassifier(config({ apiKey: 'k-123' }).external!);
    expect(await ask('some text', 'tool', new AbortController().signal)).toBe(0.83);
    expect(seen.at(-1)).toMatchObject({ path: '/classify', body: { text: 'some text', channel: 'tool' }, auth: 'Bearer k-123' });
  });

  test('openai: asks a chat model and reads the number it answers', async () => {
    answer = (_req, res) => res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: '0.97' } }] }));
    const ask = externalClassifier(injectionSchema.parse({ external: { kind: 'openai', url: `${url}/v1`, model: 'guard', timeout: '5s' } }).external!);
    expect(await ask('x', 'user', new AbortController().signal)).toBe(0.97);
    expect(seen.at(-1)!.path).toBe('/v1/chat/completions');
    expect(seen.at(-1)!.body.model).toBe('guard');
  });

  test('answer shapes: labels and Hugging Face lists', () => {
    expect(scoreOfHttp({ label: 'INJECTION', score: 0.8 })).toBe(0.8);
    expect(scoreOfHttp([[{ label: 'BENIGN', score: 0.9 }, { label: 'INJECTION', score: 0.1 }]])).toBeCloseTo(0.1);
    expect(() => scoreOfHttp({ verdict: 'x' })).toThrow();
    expect(scoreOfChat({ choices: [{ message: { content: 'yes' } }] })).toBe(1);
  });

  test('a hung classifier times out', async () => {
    answer = () => undefined; // never answers
    const ask = externalClassifier(config({ timeout: '300ms' }).external!);
    await expect(ask('x', 'user', new AbortController().signal)).rejects.toThrow();
  });
});

describe('grey zone verdicts', () => {
  // A text the local model scores in the middle: forced by a grey zone covering everything.
  const messages = [{ role: 'user', content: 'Please help me write a polite email to my landlord.' }];
  const policyWith = (onError: 'failOpen' | 'failClosed', greyZone = { low: 0, high: 1 }) =>
    resolvePolicy(injectionSchema.parse({ external: { url: `${url}/classify`, timeout: '5s', onError, greyZone } }), undefined)!;

  test('the classifier decides inside the grey zone', async () => {
    answer = (_req, res) => res.end('{"score":0.99}');
    const before = seen.length;
    const verdicts = await scanMessages(messages, policyWith('failOpen'), new AbortController().signal);
    expect(seen.length).toBe(before + 1);
    expect(verdicts).toEqual([{ index: 0, channel: 'user', score: 0.99, action: 'block', by: 'external' }]);
  });

  test('outside the grey zone it is not asked', async () => {
    const before = seen.length;
    expect(await scanMessages(messages, policyWith('failOpen', { low: 0.95, high: 0.99 }), new AbortController().signal)).toEqual([]);
    expect(seen.length).toBe(before);
  });

  test('failOpen keeps the local verdict; failClosed treats the message as an injection', async () => {
    answer = (_req, res) => {
      res.statusCode = 500;
      res.end('{}');
    };
    expect(await scanMessages(messages, policyWith('failOpen'), new AbortController().signal)).toEqual([]);
    const closed = await scanMessages(messages, policyWith('failClosed'), new AbortController().signal);
    expect(closed).toMatchObject([{ index: 0, channel: 'user', action: 'block', by: 'external_error' }]);
  });
});

describe('policy resolution', () => {
  test('a tenant override replaces only what it names', () => {
    const global = injectionSchema.parse({ action: { user: 'flag' }, threshold: { user: 0.7 } });
    const p = resolvePolicy(global, { mode: 'shadow', threshold: { tool: 0.95 } })!;
    expect(p.mode).toBe('shadow');
    expect(p.action).toEqual({ user: 'flag', tool: 'spotlight' });
    expect(p.threshold.user).toBe(0.7);
    expect(p.threshold.tool).toBe(0.95);
    expect(resolvePolicy(undefined, undefined)).toBeUndefined();
    expect(resolvePolicy(undefined, { mode: 'enforce' })!.channels).toEqual(new Set(['user', 'tool']));
  });
});
