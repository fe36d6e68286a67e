import { afterAll, describe, expect, test } from 'vitest';
import { cleanupProcesses, runCli, writeTempConfig } from './process-harness.ts';

// `tollgate eval-router` and `tollgate route-scores` as a user runs them.

afterAll(cleanupProcesses);

const FIXTURE = 'test/fixtures/router-small.jsonl';

/** Runs `tollgate route-scores ARGS` with `input` on stdin. */
function routeScores(args: string[], input: string): ReturnType<typeof runCli> {
  return runCli(['route-scores', ...args], { input });
}

describe('tollgate eval-router', () => {
  test('prints the cheap share, hard recall and AUC at the threshold and across thresholds', async () => {
    const result = await runCli(['eval-router', FIXTURE, '--threshold', '0.5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${FIXTURE}: 8 prompts, 3 hard (37.5%)`);
    // The fixture's hard prompts all outscore its easy ones.
    expect(lines[1]).toBe('ROC AUC of the score: 1.000 (a random router: 0.500)');
    expect(lines[2]).toBe('at threshold 0.5: 62.5% sent cheap, hard recall 100.0% (a random router sending as many cheap: 37.5%)');
    expect(lines[3]).toBe('quality kept: 100.0% (the random router: 76.6%; everything strong: 100.0%)');
    expect(lines).toContain('threshold  cheap share  hard recall  random router');
    expect(lines.filter((l) => /^\s+0\.\d\s+\d+\.\d%\s+\d+\.\d%\s+\d+\.\d%$/.test(l))).toHaveLength(9);
  });

  test('takes the threshold of a router in a config', async () => {
    const config = writeTempConfig(`
providers: { p: { kind: mock } }
models:
  a: { targets: [{ provider: p, model: a }] }
  b: { targets: [{ provider: p, model: b }] }
  auto: { router: { cheap: a, strong: b, threshold: 0.05 } }
tenants: {}
`);
    const result = await runCli(['eval-router', FIXTURE, '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[2]).toMatch(/^at threshold 0\.05: 0\.0% sent cheap, hard recall 100\.0%/);
    const missing = await runCli(['eval-router', FIXTURE, '--config', config, '--alias', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no router model "nope"/);
  });

  test('explains bad input with exit code 2 or 1', async () => {
    expect((await runCli(['eval-router'])).code).toBe(2);
    expect((await runCli(['eval-router', FIXTURE, '--threshold', '2'])).stderr).toMatch(/--threshold must be a number in 0\.\.1/);
    expect((await runCli(['eval-router', FIXTURE, '--bogus'])).code).toBe(2);
    const bad = writeTempConfig('{"prompt": "x", "difficulty": "medium"}\n', 'bad.jsonl');
    const result = await runCli(['eval-router', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.jsonl:1: expected \{"prompt": string, "difficulty": "easy" \| "hard"\}/);
  });
});

describe('tollgate route-scores', () => {
  test('scores prompts and chat request bodies from stdin, one line each', async () => {
    const input = [
      JSON.stringify({ prompt: 'hi' }),
      JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'Solve for x: 3x^2 - 5x + 2 = 0, and explain each step.' }] }),
      '',
      'not json',
    ].join('\n');
    const result = await routeScores(['--threshold', '0.5'], input);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ score: expect.any(Number), side: 'cheap' });
    expect(lines[1]).toEqual({ score: expect.any(Number), side: 'strong' });
    expect(lines[0].score).toBeLessThan(lines[1].score);
    expect(lines[2]).toHaveProperty('error');
    expect(result.stderr).toMatch(/^line 4: expected/);
    expect(result.code).toBe(1);
  });

  test('sends everything strong at threshold 0', async () => {
    const result = await routeScores(['--threshold', '0'], `${JSON.stringify({ prompt: 'hi' })}\n`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ side: 'strong' });
  });
});
