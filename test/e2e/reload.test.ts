import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigReloader } from '../../src/config/reload.ts';
import { startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// Config hot reload through the real server: a new config is swapped in whole, long-lived
// state (budgets, breakers) carries over, requests already running finish on their config.

const NEW_KEY = 'tg-new-team-key';

function configYaml(fakeUrl: string, extra: { models?: string; tenants?: string; mockModel?: string } = {}): string {
  return `
server: { host: 127.0.0.1, port: 0, drainTimeout: 5s }
providers:
  fake: { kind: openai, baseUrl: ${fakeUrl}, apiKey: ${UPSTREAM_KEY} }
  mock: { kind: mock, chunkDelay: 20ms }
models:
  chat: { targets: [{ provider: fake, model: fake-model }], retries: 0, breaker: { failures: 1, cooldown: 10m } }
  ${extra.mockModel ?? 'mock-chat'}: { targets: [{ provider: mock, model: mock-1 }] }
${extra.models ?? ''}
tenants:
  team-a:
    keys: ["${hashKey(TEAM_KEY)}"]
    models: "*"
    budgets: [{ window: day, requests: 3, model: ${extra.mockModel ?? 'mock-chat'} }]
${extra.tenants ?? ''}
`;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness({ config: (url) => configYaml(url) });
  return harness;
}

const ask = (client: OpenAI, model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('config hot reload', () => {
  test('a valid config adds a model and a tenant; the old tenant keeps its budget usage', async () => {
    const h = await start();
    await ask(h.client(), 'mock-chat');
    await ask(h.client(), 'mock-chat');
    await expect(ask(h.client(NEW_KEY), 'mock-chat')).rejects.toMatchObject({ status: 401 });
    await expect(ask(h.client(), 'mock-extra')).rejects.toMatchObject({ status: 404 });

    const next = configYaml(h.fake.url, {
      models: '  mock-extra: { targets: [{ provider: mock, model: mock-2 }] }',
      tenants: `  team-new:\n    keys: ["${hashKey(NEW_KEY)}"]\n    models: [mock-extra]`,
    });
    h.gateway.reload(parseConfig(next, 'next.yaml', {}));
    expect(h.logs.some((l) => l.msg === 'configuration reloaded from next.yaml')).toBe(true);

    expect((await ask(h.client(NEW_KEY), 'mock-extra')).model).toBe('mock-2');
    expect((await ask(h.client(), 'mock-extra')).model).toBe('mock-2');
    // Two of three requests were used before the reload: one is left, then 429.
    await ask(h.client(), 'mock-chat');
    await expect(ask(h.client(), 'mock-chat')).rejects.toMatchObject({ status: 429 });
  });

  test('an open breaker stays open across a reload', async () => {
    const h = await start();
    h.fake.enqueue({ status: 500 });
    await expect(ask(h.client(), 'chat')).rejects.toMatchObject({ status: 502 });
    h.gateway.reload(parseConfig(configYaml(h.fake.url), 'same.yaml', {}));
    const refused = (await ask(h.client(), 'chat').catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused).toMatchObject({ status: 503 });
    expect(refused.headers?.get('x-tollgate-attempts')).toBe('fake/fake-model=open');
    const ready = await fetch(`${h.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
  });

  test('a stream that started before the reload finishes on its config, though its model is gone', async () => {
    const h = await start();
    const stream = await h.client().chat.completions.create({ model: 'mock-chat', stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);

    h.gateway.reload(parseConfig(configYaml(h.fake.url, { mockModel: 'mock-renamed' }), 'renamed.yaml', {}));
    let text = first.value!.choices[0]?.delta.content ?? '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += next.value.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: one two three four five six');

    await expect(ask(h.client(), 'mock-chat')).rejects.toMatchObject({ status: 404 });
    expect((await ask(h.client(), 'mock-renamed')).model).toBe('mock-1');
  });

  test('an invalid file is rejected with its problems logged, and the old config keeps serving', async () => {
    const h = await start();
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-reload-')), 'tollgate.yaml');
    writeFileSync(file, configYaml(h.fake.url).replace('providers:', 'provders:'));
    const reloader = new ConfigReloader({ file, logger: h.logger, apply: (next) => h.gateway.reload(next) });
    expect(reloader.reload('test')).toBe('rejected');
    const rejected = h.logs.find((l) => l.msg === 'configuration rejected: the running configuration keeps serving');
    expect(rejected?.problems).toEqual([expect.stringMatching(/^\(root\): unknown key "provders" \(did you mean "providers"\?\)/)]);
    expect((await ask(h.client(), 'mock-chat')).model).toBe('mock-1');
  });

  test('file changes reload once their burst is over (debounced)', async () => {
    const h = await start();
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-watch-')), 'tollgate.yaml');
    writeFileSync(file, configYaml(h.fake.url));
    let applied = 0;
    const reloader = new ConfigReloader({
      file,
      logger: h.logger,
      debounceMs: 200,
      apply: (next) => {
        applied++;
        h.gateway.reload(next);
      },
    });
    reloader.watch();
    try {
      // An editor's save: several writes in a row; only the last content matters.
      for (let i = 0; i < 5; i++) writeFileSync(file, configYaml(h.fake.url, { mockModel: `mock-v${i}` }));
      await waitFor(() => applied > 0);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(applied).toBe(1);
      expect((await ask(h.client(), 'mock-v4')).model).toBe('mock-1');
    } finally {
      reloader.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
