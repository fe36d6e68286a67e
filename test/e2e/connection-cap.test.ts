import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';
import { openRaw, type RawExchange } from './raw-client.ts';

// The connection cap: past it new connections are closed (and that is logged); idle keep-alive
// connections are closed as the count nears the cap, so a health check still gets through.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ server: 'maxConnections: 20, timeouts: { headers: 500ms }' });
});
afterAll(() => h.close());

async function health(): Promise<number> {
  // A fresh connection each time, so the check is not served by a pooled one.
  const res = await fetch(`${h.gateway.url}/healthz`, { headers: { connection: 'close' } });
  await res.arrayBuffer();
  return res.status;
}

it('idle keep-alive connections do not starve a new one', async () => {
  const held: RawExchange[] = [];
  for (let i = 0; i < 20; i++) {
    const c = await openRaw(h.gateway.port);
    c.socket.on('error', () => {});
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n');
    // Connections past the cap are closed at once: those never answer.
    await Promise.race([c.response(), c.closed]);
    held.push(c);
  }
  expect(await health()).toBe(200);
  expect(held.some((c) => c.socket.destroyed)).toBe(true);
  for (const c of held) c.socket.destroy();
});

it('a flood of silent connections is capped, logged, and ended by the headers timeout', async () => {
  const flood = await Promise.all(Array.from({ length: 30 }, () => openRaw(h.gateway.port)));
  for (const c of flood) c.socket.on('error', () => {});
  const closed = await Promise.all(flood.map((c) => c.closed));
  // Every one ends: the ten past the cap at once, the rest at the headers timeout.
  expect(closed).toHaveLength(30);
  const line = h.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('connection limit reached'));
  expect(line).toMatchObject({ level: 40, maxConnections: 20 });
  expect(await health()).toBe(200);
});
