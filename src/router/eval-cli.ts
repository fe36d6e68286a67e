import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { defaultDifficultyModel } from './difficulty-model.ts';
import { readLabelledPrompts } from './labelled-prompts.ts';
import { atThreshold, recallAtCheapShare, rocAuc, type Labelled } from './metrics.ts';
import { viewOfChat, viewOfPrompt } from './prompt-view.ts';

// `tollgate eval-router FILE.jsonl` and `tollgate route-scores`: measure the difficulty score
// on labelled prompts, and score prompts or chat request bodies from stdin.

const OPTIONS = {
  config: { type: 'string' },
  alias: { type: 'string' },
  threshold: { type: 'string' },
} as const;

export class UsageError extends Error {}

/** The threshold from --threshold, or from a router alias in --config (default 0.5). */
function thresholdFrom(values: { config?: string; alias?: string; threshold?: string }): number {
  if (values.threshold !== undefined) {
    const t = Number(values.threshold);
    if (values.threshold.trim() === '' || !(t >= 0 && t <= 1)) throw new UsageError(`--threshold must be a number in 0..1, got ${values.threshold}`);
    return t;
  }
  if (values.config === undefined) return 0.5;
  const { config } = loadConfigFile(values.config);
  const routers = Object.entries(config.models).filter(([, spec]) => spec.router !== undefined);
  const chosen = values.alias === undefined ? routers[0] : routers.find(([alias]) => alias === values.alias);
  if (chosen === undefined) {
    throw new UsageError(values.alias === undefined ? `${values.config} has no router model` : `${values.config} has no router model "${values.alias}"`);
  }
  return chosen[1].router!.threshold;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);

export function evalRouterCommand(args: string[], out: (text: string) => void): number {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  const file = positionals[0];
  if (file === undefined) throw new UsageError('eval-router needs a FILE.jsonl');
  const threshold = thresholdFrom(values);
  const model = defaultDifficultyModel();
  const rows: Labelled[] = readLabelledPrompts(file).map((row) => ({ score: model.score(viewOfPrompt(row.prompt)), hard: row.hard }));
  if (rows.length === 0) throw new UsageError(`${file} has no prompts`);
  const hard = rows.filter((r) => r.hard).length;
  const at = atThreshold(rows, threshold);
  const lines = [
    `${file}: ${rows.length} prompts, ${hard} hard (${pct(hard / rows.length).trim()})`,
    `ROC AUC of the score: ${rocAuc(rows).toFixed(3)} (a random router: 0.500)`,
    `at threshold ${threshold}: ${pct(at.cheapShare).trim()} sent cheap, hard recall ${pct(at.hardRecall).trim()}` +
      ` (a random router sending as many cheap: ${pct(at.randomHardRecall).trim()})`,
    // Quality kept: the share of prompts sent to a model that gets them right (easy ones: either).
    `quality kept: ${pct(1 - (1 - at.hardRecall) * (hard / rows.length)).trim()}` +
      ` (the random router: ${pct(1 - at.cheapShare * (hard / rows.length)).trim()}; everything strong: 100.0%)`,
    '',
    'threshold  cheap share  hard recall  random router',
  ];
  for (let t = 1; t <= 9; t++) {
    const r = atThreshold(rows, t / 10);
    lines.push(`${r.threshold.toFixed(1).padStart(9)}  ${pct(r.cheapShare).padStart(11)}  ${pct(r.hardRecall).padStart(11)}  ${pct(r.randomHardRecall).padStart(13)}`);
  }
  lines.push('', 'at a fixed cheap share (thresholds set from these scores):', 'cheap share  hard recall  random router');
  for (const share of [0.3, 0.5, 0.7]) {
    const r = recallAtCheapShare(rows, share);
    lines.push(`${pct(r.cheapShare).padStart(11)}  ${pct(r.hardRecall).padStart(11)}  ${pct(r.randomHardRecall).padStart(13)}`);
  }
  out(`${lines.join('\n')}\n`);
  return 0;
}

/** Reads JSONL from `input`: `{"prompt"}` or a chat request body; writes `{"score","side"}` per line. */
export async function routeScoresCommand(args: string[], input: NodeJS.ReadableStream, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const threshold = thresholdFrom(values);
  const model = defaultDifficultyModel();
  let failed = 0;
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      row = undefined;
    }
    const body = row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : undefined;
    const view = Array.isArray(body?.messages) ? viewOfChat(body) : typeof body?.prompt === 'string' ? viewOfPrompt(body.prompt) : undefined;
    if (view === undefined) {
      failed++;
      err(`line ${n}: expected {"prompt": string} or a chat request body with "messages"\n`);
      out(`${JSON.stringify({ error: 'expected {"prompt"} or {"messages"}' })}\n`);
      continue;
    }
    const score = model.score(view);
    out(`${JSON.stringify({ score: Math.round(score * 10000) / 10000, side: score < threshold ? 'cheap' : 'strong' })}\n`);
  }
  return failed === 0 ? 0 : 1;
}
