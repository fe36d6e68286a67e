import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorOf, startHarness, type Harness } from './harness.ts';

// A request still waiting on its provider when the drain timeout runs out is answered with
// 503 shutting_down (not a reset connection), and its upstream call is cancelled.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ drainTimeout: '300ms' });
});
afterAll(() => h.fake.close());

it('answers 503 shutting_down and cancels the upstream call', async () => {
  h.fake.enqueue({ latencyMs: 5000 });
  const pending = h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'slow' }] });
  while (h.fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const started = Date.now();
  const stopped = h.gateway.shutdown();
  const res = await pending;
  expect(res.status).toBe(503);
  expect((await errorOf(res)).code).toBe('shutting_down');
  await stopped;
  expect(Date.now() - started).toBeLessThan(2000);
  expect((await h.fake.waitForAbort(1000)).aborted).toBe(true);
});
