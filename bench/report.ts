// Turns the collected results into the Markdown report (stdout) and the JSON file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadResult } from './load-spec.ts';
import { OPEN_LOOP_CONNECTIONS, type Scenario } from './plan.ts';
import { difference, type Summary } from './stats.ts';

/** p99 beyond this means requests are queueing, not being served: the target is overloaded. */
export const EXPLODED_P99_MS = 250;
/** Achieved rate below this share of the target means the target is not keeping up. */
export const MIN_ACHIEVED_SHARE = 0.95;

export interface SideOutcome {
  result: LoadResult;
  /** Share of one core the gateway process used during the measured run (gateway side only). */
  gatewayCpuShare?: number;
  /** Share of one core used by processes outside the benchmark during the run: the noise. */
  otherCpuShare?: number;
  /** Highest gateway RSS sampled during this run (gateway side only), MiB. */
  gatewayPeakRssMiB?: number;
}

export type Added = Omit<Summary, 'count'>;

export interface ScenarioOutcome {
  scenario: Scenario;
  direct?: SideOutcome;
  gateway?: SideOutcome;
  /** Gateway minus direct, percentile by percentile; present when both sides ran. */
  added?: { ttfbMs: Added; totalMs: Added };
}

/** Fills in `added` from the two sides. */
export function withAdded(o: ScenarioOutcome): ScenarioOutcome {
  if (!o.direct || !o.gateway) return o;
  const d = o.direct.result;
  const g = o.gateway.result;
  return { ...o, added: { ttfbMs: difference(d.ttfbMs, g.ttfbMs), totalMs: difference(d.totalMs, g.totalMs) } };
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  node: string;
  cpu: string;
  pinning: string;
  settings: Record<string, number | string>;
  scenarios: ScenarioOutcome[];
  gatewayMemory?: { afterStartMiB: number; peakMiB: number; afterIdleMiB: number; idleSeconds: number };
  /** Why the gateway was not measured, when it was not. */
  gatewaySkipped?: string;
}

export function isOverloaded(scenario: Scenario, r: LoadResult): boolean {
  if (scenario.rate !== undefined && r.achievedRate < MIN_ACHIEVED_SHARE * scenario.rate) return true;
  return !(r.totalMs.p99 <= EXPLODED_P99_MS);
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const signedMs = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–');
const rate = (v: number) => v.toFixed(0);
const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(0)}%`);

function errorsCell(r: LoadResult): string {
  if (r.errors === 0) return '0';
  const kinds = Object.entries(r.errorKinds).map(([k, n]) => `${k}: ${n}`);
  return `${r.errors} (${kinds.join(', ')})`;
}

function verdict(s: Scenario, r: LoadResult): string {
  const base = isOverloaded(s, r) ? '**overloaded**' : 'ok';
  // Still measured from the timetable, but worth knowing: some requests waited for a free socket.
  const queued = s.rate !== undefined && r.maxInFlight > OPEN_LOOP_CONNECTIONS;
  return queued ? `${base} (${r.maxInFlight} in flight > ${OPEN_LOOP_CONNECTIONS} sockets)` : base;
}

function latencySection(outcomes: ScenarioOutcome[]): string[] {
  const lines = [
    '## Non-streaming latency, open loop (ms, measured from each request\'s scheduled send time)',
    '',
    '| rate | side | p50 | p90 | p99 | max | errors | achieved req/s | gen. send lag p99 | gateway CPU | other CPU | verdict |',
    '|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|---|',
  ];
  for (const o of outcomes) {
    for (const side of ['direct', 'gateway'] as const) {
      const out = o[side];
      if (!out) continue;
      const r = out.result;
      const t = r.totalMs;
      lines.push(
        `| ${o.scenario.rate}/s | ${side} | ${ms(t.p50)} | ${ms(t.p90)} | ${ms(t.p99)} | ${ms(t.max)} | ${errorsCell(r)} | ${rate(r.achievedRate)} | ${ms(r.sendLagMs?.p99 ?? Number.NaN)} | ${pct(out.gatewayCpuShare)} | ${pct(out.otherCpuShare)} | ${verdict(o.scenario, r)} |`,
      );
    }
    const added = o.added?.totalMs;
    if (added) {
      lines.push(`| ${o.scenario.rate}/s | **added** | ${signedMs(added.p50)} | ${signedMs(added.p90)} | ${signedMs(added.p99)} | ${signedMs(added.max)} | | | | | | |`);
    }
  }
  return lines;
}

function streamingSection(outcomes: ScenarioOutcome[]): string[] {
  const lines = [
    '## Streaming, open loop (ms from scheduled send; TTFB = first response body byte)',
    '',
    '| rate | side | TTFB p50 | TTFB p99 | total p50 | total p99 | errors | achieved req/s | gateway CPU | other CPU | verdict |',
    '|---|---|--:|--:|--:|--:|---|--:|--:|--:|---|',
  ];
  for (const o of outcomes) {
    for (const side of ['direct', 'gateway'] as const) {
      const out = o[side];
      if (!out) continue;
      const r = out.result;
      lines.push(
        `| ${o.scenario.rate}/s | ${side} | ${ms(r.ttfbMs.p50)} | ${ms(r.ttfbMs.p99)} | ${ms(r.totalMs.p50)} | ${ms(r.totalMs.p99)} | ${errorsCell(r)} | ${rate(r.achievedRate)} | ${pct(out.gatewayCpuShare)} | ${pct(out.otherCpuShare)} | ${verdict(o.scenario, r)} |`,
      );
    }
    if (o.added) {
      const { ttfbMs: ttfb, totalMs: total } = o.added;
      lines.push(`| ${o.scenario.rate}/s | **added** | ${signedMs(ttfb.p50)} | ${signedMs(ttfb.p99)} | ${signedMs(total.p50)} | ${signedMs(total.p99)} | | | | | |`);
    }
  }
  return lines;
}

function saturationSection(outcomes: ScenarioOutcome[]): string[] {
  const lines = [
    '## Saturation throughput, closed loop (each connection sends its next request as soon as one completes)',
    '',
    '| connections | side | req/s | p50 ms | p99 ms | errors | gateway CPU | other CPU |',
    '|--:|---|--:|--:|--:|---|--:|--:|',
  ];
  for (const o of outcomes) {
    for (const side of ['direct', 'gateway'] as const) {
      const out = o[side];
      if (!out) continue;
      const r = out.result;
      const label = side === 'gateway' ? 'gateway (1 core)' : 'direct (upstream)';
      lines.push(`| ${o.scenario.concurrency} | ${label} | ${rate(r.achievedRate)} | ${ms(r.totalMs.p50)} | ${ms(r.totalMs.p99)} | ${errorsCell(r)} | ${pct(out.gatewayCpuShare)} | ${pct(out.otherCpuShare)} |`);
    }
  }
  return lines;
}

export function renderMarkdown(report: BenchReport): string {
  const byKind = (kind: Scenario['kind']) => report.scenarios.filter((o) => o.scenario.kind === kind);
  const settings = Object.entries(report.settings).map(([k, v]) => `${k}=${v}`).join(', ');
  const lines = [
    `# Tollgate benchmark (${report.mode} run, ${report.startedAt})`,
    '',
    `Node ${report.node} · ${report.cpu} · ${report.pinning}`,
    `Settings: ${settings}`,
  ];
  if (report.gatewaySkipped) lines.push('', `**Gateway not measured:** ${report.gatewaySkipped}`);
  lines.push('', ...latencySection(byKind('latency')), '', ...streamingSection(byKind('streaming')), '', ...saturationSection(byKind('saturation')));
  const m = report.gatewayMemory;
  if (m) {
    lines.push(
      '',
      '## Gateway memory (resident set size, MiB)',
      '',
      `| after start | peak during run (VmHWM) | after ${m.idleSeconds} s idle |`,
      '|--:|--:|--:|',
      `| ${m.afterStartMiB.toFixed(1)} | ${m.peakMiB.toFixed(1)} | ${m.afterIdleMiB.toFixed(1)} |`,
      '',
      'Highest RSS sampled (every 250 ms) during each load, in run order: the whole-run peak belongs to the heaviest one.',
      '',
      '| load | peak RSS MiB |',
      '|---|--:|',
      ...report.scenarios
        .filter((o) => o.gateway?.gatewayPeakRssMiB !== undefined)
        .map((o) => `| ${o.scenario.id} | ${o.gateway!.gatewayPeakRssMiB!.toFixed(1)} |`),
    );
  }
  lines.push(
    '',
    `"added" = gateway minus direct at the same percentile, same run. "overloaded" = achieved rate < ${MIN_ACHIEVED_SHARE * 100}% of target or p99 > ${EXPLODED_P99_MS} ms. ` +
      '"other CPU" = CPU used by processes outside the benchmark during the run (share of one core); when it is high, p99/max are noise. ' +
      'Single run on a shared machine: compare p99 differences with "gen. send lag p99" before trusting them.',
  );
  return `${lines.join('\n')}\n`;
}

export function writeJson(file: string, report: BenchReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
