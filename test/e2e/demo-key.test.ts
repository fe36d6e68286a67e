import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

// The README's published demo key works on 127.0.0.1 (npm start) and nowhere else unless
// the config says so; the container config has no tenant at all.

const DEMO_KEY = 'tg-demo-key';
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.shutdown();
  gateway = undefined;
});

async function start(host: string, allowDemoKey = false) {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) logs.push(JSON.parse(l));
      done();
    },
  });
  const text = readFileSync('config/tollgate.yaml', 'utf8');
  const loaded = parseConfig(allowDemoKey ? text.replace(/^server:\n/m, 'server:\n  allowDemoKey: true\n') : text, 'tollgate.yaml', {});
  gateway = await startGateway(loaded, createLogger('info', sink), { port: 0, host });
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { status: res.status, logs };
}

it('answers the demo key on loopback, as the README shows', async () => {
  expect((await start('127.0.0.1')).status).toBe(200);
});

it('answers an Anthropic client on /v1/messages with the mock, with no provider key', async () => {
  await start('127.0.0.1');
  const client = new Anthropic({ baseURL: gateway!.url, apiKey: DEMO_KEY, maxRetries: 0 });
  const message = await client.messages.create({ model: 'mock-chat', max_tokens: 50, messages: [{ role: 'user', content: 'ping' }] });
  expect(message.content).toEqual([{ type: 'text', text: 'Echo: ping' }]);
  // Claude aliases exist but are disabled without ANTHROPIC_API_KEY, and not the demo tenant's.
  await expect(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
});

it('serves the Responses API on the mock provider with no provider key, as the README shows', async () => {
  await start('127.0.0.1');
  const client = new OpenAI({ baseURL: `${gateway!.url}/v1`, apiKey: DEMO_KEY, maxRetries: 0 });
  const first = await client.responses.create({ model: 'mock-chat', input: 'hello' });
  const next = await client.responses.create({ model: 'mock-chat', input: 'again', previous_response_id: first.id });
  expect(next.output_text).toBe('Echo: again');
});

it('refuses the demo key on every interface, and says so loudly', async () => {
  const { status, logs } = await start('0.0.0.0');
  expect(status).toBe(401);
  expect(logs.find((l) => typeof l.msg === 'string' && l.msg.includes('demo key'))).toMatchObject({ level: 40, tenants: ['demo'] });
});

it('keeps the demo key beyond loopback only when server.allowDemoKey says so', async () => {
  expect((await start('0.0.0.0', true)).status).toBe(200);
});

it('the container config has no demo key and no tenant', () => {
  const text = readFileSync('config/container.yaml', 'utf8');
  expect(text).not.toContain(hashKey(DEMO_KEY).slice('sha256:'.length));
  expect(parseConfig(text, 'container.yaml', {}).config.tenants).toEqual({});
});
