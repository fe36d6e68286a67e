// Load-generator process: `node bench/load.ts '<LoadSpec as JSON>'`. Runs one scenario and prints
// its LoadResult as a single JSON line on stdout. A separate process (pinned by the orchestrator)
// so the orchestrator's own work never competes with the timetable.
import { runClosedLoop } from './closed-loop.ts';
import { ownCpuSeconds } from './cpu-accounting.ts';
import type { LoadResult, LoadSpec } from './load-spec.ts';
import { runOpenLoop } from './open-loop.ts';

const raw = process.argv[2];
if (!raw) {
  console.error("usage: node bench/load.ts '<LoadSpec JSON>'");
  process.exit(2);
}
const spec = JSON.parse(raw) as LoadSpec;
const result: LoadResult = spec.mode === 'open' ? await runOpenLoop(spec) : await runClosedLoop(spec);
result.generatorCpuSeconds = ownCpuSeconds();
process.stdout.write(`${JSON.stringify(result)}\n`);
