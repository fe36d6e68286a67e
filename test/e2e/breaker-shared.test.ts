import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { startGatewayWith, type TestGateway } from './gateway-with.ts';

// Two gateway replicas sharing their breakers through a real Redis: failures seen by one
// open the breaker for both, the other skips the target without sending it anything,
// /readyz lists it, and after the cooldown one probe closes it for everyone.

let fake: FakeUpstream;
let one: TestGateway;
let two: TestGateway;
beforeAll(async () => {
  fake = await startFakeUpstream();
  const sections = `
state: { kind: redis, url: "${inject('redisUrl')}", keyPrefix: "breaker-e2e-${process.pid}-${Date.now()}:" }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-fake }
models:
  shared: { targets: [{ provider: fake, model: primary }, { provider: fake, model: backup }], retries: 0, breaker: { failures: 2, cooldown: 700ms } }
  alone: { targets: [{ provider: fake, model: primary }], retries: 0, breaker: { failures: 2, cooldown: 700ms } }
`;
  one = await startGatewayWith(sections);
  two = await startGatewayWith(sections);
});
afterAll(async () => {
  await one.close();
  await two.close();
  await fake.close();
});

const chat = (g: TestGateway, model = 'shared') => g.post({ model, messages: [{ role: 'user', content: 'hi' }] });
const readyz = async (g: TestGateway) => {
  const res = await fetch(`${g.gateway.url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; openTargets: string[]; unavailableModels: string[] } };
};

it('opens on one replica, is skipped by the other, and closes after one probe', async () => {
  fake.enqueue({ status: 500 });
  expect((await chat(one)).headers.get('x-tollgate-attempts')).toBe('fake/primary=502,fake/backup=200');
  fake.enqueue({ status: 500 });
  expect((await chat(one)).headers.get('x-tollgate-attempts')).toBe('fake/primary=502,fake/backup=200');

  // The other replica never saw a failure, yet skips the target: nothing is sent to it.
  fake.reset();
  const skipped = await chat(two);
  expect(skipped.status).toBe(200);
  expect(skipped.headers.get('x-tollgate-attempts')).toBe('fake/primary=open,fake/backup=200');
  expect(fake.requests.map((r) => r.body.model)).toEqual(['backup']);

  // Readiness: the open target is listed; `alone` has no usable target, so not ready.
  expect(await readyz(two)).toEqual({ status: 503, body: { status: 'degraded', openTargets: ['fake/primary'], unavailableModels: ['alone'] } });
  const closed = await chat(two, 'alone');
  expect(closed.status).toBe(503);
  expect(closed.headers.get('x-tollgate-attempts')).toBe('fake/primary=open');

  // After the cooldown, one probe (here from the second replica) closes it for both.
  await new Promise((resolve) => setTimeout(resolve, 800));
  fake.reset();
  expect((await chat(two)).headers.get('x-tollgate-attempts')).toBe('fake/primary=200');
  expect((await chat(one)).headers.get('x-tollgate-attempts')).toBe('fake/primary=200');
  expect(await readyz(one)).toEqual({ status: 200, body: { status: 'ready', openTargets: [], unavailableModels: [] } });
});
