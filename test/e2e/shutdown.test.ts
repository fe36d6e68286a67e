import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { cleanupProcesses, GatewayProcess, writeTempConfig } from './process-harness.ts';

// Graceful shutdown of a real `tollgate serve` process: SIGTERM lets an in-flight stream finish,
// ends it with a `shutting_down` event when the drain timeout runs out, and exits promptly when idle.

const KEY = 'tg-shutdown-test-key';

function configFor(fake: FakeUpstream, drainTimeout: string): string {
  return writeTempConfig(`
server: { host: 127.0.0.1, port: 0, drainTimeout: ${drainTimeout} }
logging: { level: info }
providers:
  fake:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: sk-upstream-test
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  t:
    keys: ["${hashKey(KEY)}"]
    models: [chat]
`);
}

interface SseEvent {
  data: string;
  /** performance.now() when the event was read. */
  at: number;
}

/** Reads an SSE body in the background, timestamping each `data:` event. */
class SseReader {
  readonly events: SseEvent[] = [];
  readonly ended: Promise<{ at: number }>;
  #wakers: Array<() => void> = [];

  constructor(response: Response) {
    this.ended = this.#read(response).finally(() => this.#wake());
  }

  async #read(response: Response): Promise<{ at: number }> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const bytes of response.body!) {
      buffer += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith('data: ')) this.events.push({ data: block.slice('data: '.length), at: performance.now() });
      }
      this.#wake();
    }
    if (buffer.trim() !== '') throw new Error(`stream ended mid-event: ${JSON.stringify(buffer)}`);
    return { at: performance.now() };
  }

  #wake(): void {
    for (const wake of this.#wakers.splice(0)) wake();
  }

  async waitForEvents(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let finished = false;
    void this.ended.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (this.events.length < count) {
      if (finished) throw new Error(`stream ended after ${this.events.length} events, expected ${count}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`only ${this.events.length} of ${count} events within ${timeoutMs} ms`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(left, 50));
        this.#wakers.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }
}

/** The text of a chat stream's content deltas. */
function contentOf(events: SseEvent[]): string {
  return events
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as { choices?: Array<{ delta?: { content?: string | null } }> })
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
    .join('');
}

/** Resolves with the error code of a fresh TCP connection attempt, or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('tollgate serve: graceful shutdown', () => {
  let fake: FakeUpstream;
  let requests: AbortController;

  beforeEach(async () => {
    fake = await startFakeUpstream();
    requests = new AbortController();
  });

  afterEach(async () => {
    requests.abort();
    await cleanupProcesses();
    await fake.close();
  });

  async function startStream(url: string): Promise<SseReader> {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'count slowly' }] }),
      signal: requests.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    return new SseReader(response);
  }

  test('SIGTERM lets an in-flight stream finish, refuses new connections, then exits 0', { timeout: 30_000 }, async () => {
    const content = 'abcdefghijklmnopqrst';
    fake.setDefault({ content, chunks: 10, chunkDelayMs: 100 });
    const gateway = new GatewayProcess(['--config', configFor(fake, '5s')]);
    const { url, port } = await gateway.listening();

    const stream = await startStream(url);
    await stream.waitForEvents(1);
    const sigtermAt = performance.now();
    gateway.child.kill('SIGTERM');

    const draining = await gateway.waitForLog((l) => l.msg === 'shutting down: no new connections, draining');
    expect(draining.inflight).toBe(1);
    expect(draining.drainTimeoutMs).toBe(5_000);
    // server.close() has run: the listener is gone, so a new connection is refused, not served.
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    expect(gateway.exit).toBeUndefined();

    const { at: streamEndedAt } = await stream.ended;
    const datas = stream.events.map((e) => e.data);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(datas.filter((d) => d.includes('"error"'))).toEqual([]);
    expect(contentOf(stream.events)).toBe(content);
    // Most of the stream was delivered after the signal (10 pieces, 100 ms apart).
    expect(stream.events.filter((e) => e.at > sigtermAt).length).toBeGreaterThanOrEqual(9);

    const exit = await gateway.waitForExit(3_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Not before the stream ended: the process was still alive when the last content arrived,
    // and it waited out the stream (~1 s) rather than the 5 s drain timeout.
    const lastContentAt = stream.events.at(-2)!.at;
    expect(exit.at).toBeGreaterThan(lastContentAt);
    expect(exit.at - sigtermAt).toBeGreaterThan(700);
    expect(exit.at - streamEndedAt).toBeLessThan(1_500);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.aborted).toBe(false);

    const messages = gateway.messages();
    expect(messages).not.toContain('drain timeout reached: ending open requests');
    expect(messages.at(-1)).toBe('stopped');
    expect(gateway.stderr).toBe('');
  });

  test('a stream outlasting drainTimeout ends with a shutting_down event, the upstream call is aborted, exit 0', { timeout: 30_000 }, async () => {
    fake.setDefault({ content: 'x'.repeat(40), chunks: 20, chunkDelayMs: 200 });
    const gateway = new GatewayProcess(['--config', configFor(fake, '500ms')]);
    const { url } = await gateway.listening();

    const stream = await startStream(url);
    await stream.waitForEvents(1);
    const sigtermAt = performance.now();
    gateway.child.kill('SIGTERM');

    const { at: streamEndedAt } = await stream.ended;
    const datas = stream.events.map((e) => e.data);
    expect(datas).not.toContain('[DONE]');
    const last = JSON.parse(datas.at(-1)!) as { error?: { code?: string; type?: string; message?: string; param?: unknown } };
    expect(last.error).toMatchObject({ code: 'shutting_down', type: 'service_unavailable_error', param: null });
    expect(last.error!.message).toMatch(/shutting down/);
    // Only the last event is the error; what came before is ordinary (partial) content.
    expect(datas.slice(0, -1).every((d) => !d.includes('"error"'))).toBe(true);
    expect(contentOf(stream.events.slice(0, -1)).length).toBeLessThan(40);
    // Ended by the 500 ms drain timeout, not by the 4 s upstream stream.
    expect(streamEndedAt - sigtermAt).toBeGreaterThan(400);
    expect(streamEndedAt - sigtermAt).toBeLessThan(1_800);

    const aborted = await fake.waitForAbort(3_000);
    expect(aborted.path).toBe('/v1/chat/completions');
    expect(aborted.aborted).toBe(true);

    const exit = await gateway.waitForExit(Math.max(0, sigtermAt + 2_500 - performance.now()));
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sigtermAt).toBeLessThan(2_500);

    const messages = gateway.messages();
    expect(messages).toContain('drain timeout reached: ending open requests');
    expect(messages.at(-1)).toBe('stopped');
  });

  // The drain timeout also cancels upstream calls that are waiting on a silent provider: the
  // pools are destroyed, so the process never overstays drainTimeout by a provider timeout.
  test('a silent upstream does not keep the process alive past drainTimeout', { timeout: 30_000 }, async () => {
    // First event at once, then 30 s of silence; the provider's idle timeout (30 s) will not rescue it.
    fake.setDefault({ content: 'abcdef', chunks: 3, chunkDelayMs: 30_000 });
    const file = writeTempConfig(`
server: { host: 127.0.0.1, port: 0, drainTimeout: 300ms }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: k, timeouts: { idle: 30s } }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  t: { keys: ["${hashKey(KEY)}"], models: [chat] }
`);
    const gateway = new GatewayProcess(['--config', file]);
    const { url } = await gateway.listening();
    const stream = await startStream(url);
    await stream.waitForEvents(1);
    const sigtermAt = performance.now();
    gateway.child.kill('SIGTERM');

    await stream.ended;
    expect(stream.events.at(-1)!.data).toContain('"code":"shutting_down"');
    // What should hold: exit soon after drainTimeout (the gateway itself allows 1 s more), the upstream call cancelled.
    const exit = await gateway.waitForExit(Math.max(0, sigtermAt + 1_800 - performance.now()));
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect((await fake.waitForAbort(100)).aborted).toBe(true);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('%s when idle exits 0 promptly and logs "stopped"', { timeout: 30_000 }, async (signal) => {
    const gateway = new GatewayProcess(['--config', configFor(fake, '5s')]);
    const { url } = await gateway.listening();
    expect((await fetch(`${url}/readyz`, { signal: requests.signal })).status).toBe(200);

    const sentAt = performance.now();
    gateway.child.kill(signal);
    const exit = await gateway.waitForExit(2_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Idle: no waiting for the 5 s drain timeout.
    expect(exit.at - sentAt).toBeLessThan(1_500);

    expect(gateway.logs.find((l) => l.msg === 'signal received')?.signal).toBe(signal);
    expect(gateway.logs.find((l) => l.msg?.startsWith('shutting down'))?.inflight).toBe(0);
    expect(gateway.messages().at(-1)).toBe('stopped');
    expect(gateway.stderr).toBe('');
  });
});
