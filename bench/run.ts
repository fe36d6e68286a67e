// `npm run bench` — gateway vs direct-to-upstream in one run. Progress goes to stderr, the Markdown
// report to stdout, the JSON to bench/results/latest.json. Nothing is asserted; this only reports.
//   node bench/run.ts [--quick] [--direct-only] [--upstream-port 9100] [--gateway-port 8790] [--chunk-delay-ms 2]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load-spec.ts';
import { DEFAULT_STREAM_CHUNK_DELAY_MS, endpointFor, FULL_DURATIONS, loadSpecFor, QUICK_DURATIONS, SCENARIOS, STREAM_CHUNKS, type Scenario, type Side } from './plan.ts';
import { ownCpuSeconds, readMachineBusySeconds, readProcessCpuSeconds } from './cpu-accounting.ts';
import { collectOutput, pinningAvailable, readMemory, spawnNode } from './processes.ts';
import { renderMarkdown, withAdded, writeJson, type BenchReport, type ScenarioOutcome, type SideOutcome } from './report.ts';
import { gatewayAvailable, GATEWAY_CLI, REPO_ROOT, startGateway, startUpstream, UPSTREAM_API_KEY, type GatewayService, type Service } from './services.ts';

const LOAD_CLI = join(import.meta.dirname, 'load.ts');
const RESULTS_FILE = join(import.meta.dirname, 'results', 'latest.json');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'direct-only': { type: 'boolean', default: false },
    'upstream-port': { type: 'string', default: '9100' },
    'gateway-port': { type: 'string', default: '8790' },
    'chunk-delay-ms': { type: 'string', default: String(DEFAULT_STREAM_CHUNK_DELAY_MS) },
  },
  strict: true,
});

const durations = args.quick ? QUICK_DURATIONS : FULL_DURATIONS;
const pin = pinningAvailable();
// Gateway alone on core 0; fake upstream and load generator share core 1.
const cores = pin.ok ? { gateway: 0, upstream: 1, load: 1 } : { gateway: undefined, upstream: undefined, load: undefined };
const chunkDelayMs = Number(args['chunk-delay-ms']);
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawnNode([LOAD_CLI, JSON.stringify(spec)], { core: cores.load, cwd: REPO_ROOT });
  const out = await collectOutput(child);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadResult;
}

function describeRun(s: Scenario, side: Side, r: LoadResult): string {
  const what = s.rate !== undefined ? `${s.rate}/s` : `${s.concurrency} conns`;
  return `${s.id} ${side}: ${r.achievedRate.toFixed(0)} req/s, p50 ${r.totalMs.p50.toFixed(2)} ms, p99 ${r.totalMs.p99.toFixed(2)} ms, errors ${r.errors} (${what})`;
}

interface MeasureContext {
  upstreamPid: number;
  gatewayPid?: number;
}

/** CPU seconds so far of everything the benchmark accounts for, plus the whole machine's. */
function cpuSnapshot(ctx: MeasureContext) {
  return {
    machine: readMachineBusySeconds(),
    upstream: readProcessCpuSeconds(ctx.upstreamPid),
    gateway: ctx.gatewayPid === undefined ? 0 : readProcessCpuSeconds(ctx.gatewayPid),
    orchestrator: ownCpuSeconds(),
    at: performance.now(),
  };
}

async function measure(s: Scenario, side: Side, origin: string, bearer: string, ctx: MeasureContext): Promise<SideOutcome> {
  const spec = loadSpecFor(s, endpointFor(side, origin, bearer, s.stream), durations);
  const before = cpuSnapshot(ctx);
  let peakRss = 0;
  const sampler =
    side === 'gateway' && ctx.gatewayPid !== undefined
      ? setInterval(() => (peakRss = Math.max(peakRss, readMemory(ctx.gatewayPid!)?.rssMiB ?? 0)), 250)
      : undefined;
  const result = await runLoad(spec);
  clearInterval(sampler);
  const after = cpuSnapshot(ctx);
  log(describeRun(s, side, result));
  const outcome: SideOutcome = { result };
  if (peakRss > 0) outcome.gatewayPeakRssMiB = peakRss;
  // Shares include the warm-up; the load is the same throughout, so they are representative.
  const wallSeconds = (after.at - before.at) / 1000;
  const used = (pick: (c: typeof before) => number | undefined) => {
    const [a, b] = [pick(before), pick(after)];
    return a === undefined || b === undefined ? undefined : b - a;
  };
  const gatewayCpu = used((c) => c.gateway);
  const upstreamCpu = used((c) => c.upstream);
  const machineCpu = used((c) => c.machine);
  if (side === 'gateway' && gatewayCpu !== undefined) outcome.gatewayCpuShare = gatewayCpu / wallSeconds;
  if (machineCpu !== undefined && upstreamCpu !== undefined && gatewayCpu !== undefined) {
    const ours = gatewayCpu + upstreamCpu + (after.orchestrator - before.orchestrator) + result.generatorCpuSeconds;
    outcome.otherCpuShare = Math.max(0, machineCpu - ours) / wallSeconds;
  }
  return outcome;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const services: Service[] = [];
  const stopAll = () => Promise.all(services.map((s) => s.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  if (!pin.ok) log(`running unpinned: ${pin.why}`);

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    mode: args.quick ? 'quick' : 'full',
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}`,
    pinning: pin.ok ? 'pinned: gateway on core 0; fake upstream + load generator on core 1' : `NOT pinned (${pin.why})`,
    settings: {
      warmupSeconds: durations.warmupSeconds,
      openLoopSeconds: durations.openLoopSeconds,
      closedLoopSeconds: durations.closedLoopSeconds,
      streamChunks: STREAM_CHUNKS,
      streamChunkDelayMs: chunkDelayMs,
    },
    scenarios: [],
  };

  try {
    const upstream = await startUpstream({ port: Number(args['upstream-port']), core: cores.upstream, chunks: STREAM_CHUNKS, chunkDelayMs });
    services.push(upstream);
    log(`fake upstream ready at ${upstream.origin}`);

    let gateway: GatewayService | undefined;
    if (args['direct-only']) report.gatewaySkipped = '--direct-only';
    else if (!gatewayAvailable()) report.gatewaySkipped = `${GATEWAY_CLI} does not exist yet`;
    else {
      gateway = await startGateway({ port: Number(args['gateway-port']), core: cores.gateway, upstreamOrigin: upstream.origin, workDir });
      services.push(gateway);
      log(`gateway ready at ${gateway.origin} (pid ${gateway.pid})`);
    }
    if (report.gatewaySkipped) log(`gateway not measured: ${report.gatewaySkipped}`);
    const afterStart = gateway ? readMemory(gateway.pid) : undefined;

    for (const scenario of SCENARIOS) {
      const outcome: ScenarioOutcome = { scenario };
      const ctx: MeasureContext = { upstreamPid: upstream.pid, gatewayPid: gateway?.pid };
      outcome.direct = await measure(scenario, 'direct', upstream.origin, UPSTREAM_API_KEY, ctx);
      if (gateway) outcome.gateway = await measure(scenario, 'gateway', gateway.origin, gateway.apiKey, ctx);
      report.scenarios.push(withAdded(outcome));
    }

    if (gateway && afterStart) {
      const peak = readMemory(gateway.pid);
      log(`letting the gateway idle for ${durations.idleSeconds} s`);
      await new Promise((r) => setTimeout(r, durations.idleSeconds * 1000));
      const idle = readMemory(gateway.pid);
      if (peak && idle) {
        report.gatewayMemory = { afterStartMiB: afterStart.rssMiB, peakMiB: peak.peakRssMiB, afterIdleMiB: idle.rssMiB, idleSeconds: durations.idleSeconds };
      }
    }
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }

  report.finishedAt = new Date().toISOString();
  writeJson(RESULTS_FILE, report);
  process.stdout.write(renderMarkdown(report));
  log(`JSON written to ${RESULTS_FILE} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s total)`);
}

await main();
