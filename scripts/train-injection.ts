// Trains the prompt-injection classifier: `npm run train-injection`. Deterministic (folds by
// a hash of each text, full-batch optimisation from zero weights, fixed iteration count), so
// the same data gives byte-identical weights.
//
// Measures two held-out splits first, then trains on every row and writes
// src/policies/injection/weights.json:
// - random: five folds by a hash of the text; every row is scored by a model that never
//   saw it. Thresholds are chosen on these held-out scores (FPR at most the target).
// - by source: whole sources held out (user: each dataset; tool: each attack category, with
//   the benign contexts split by hash), so a figure cannot come from memorising one source.
import { writeFileSync } from 'node:fs';
import { channelFeatures, scoreChannelFeatures } from '../src/policies/injection/detector.ts';
import { DENSE_NAMES, HASH_BITS, type Features } from '../src/policies/injection/features.ts';
import { readLabelledTexts, type LabelledText } from '../src/policies/injection/labelled.ts';
import { percent, ratesAt, thresholdForFpr, type Scored } from '../src/policies/injection/metrics.ts';
import { compileModel, type Channel, type ChannelWeights, type WeightsFile } from '../src/policies/injection/model.ts';

/** The development set, and hand-written benign texts close to attacks (code, instructions, discussion). */
const DATA = ['data/injection/injection.jsonl', 'data/injection/hard-negatives.jsonl'];
const OUT = 'src/policies/injection/weights.json';
const FOLDS = 5;
/** Thresholds at the targets: user FPR <= 1%, tool <= 2% on held-out scores. */
const MAX_FPR: Record<Channel, number> = { user: 0.01, tool: 0.02 };
const OPTIONS = { l2: 1e-4, iterations: 200, learningRate: 0.08 };

/**
 * Floors (and a ceiling) on rule weights, set by judgement for attacks the development data
 * barely shows on a channel (its tool rows hold no "ignore your instructions"): a strong
 * signature counts on both channels; text that discusses injection counts against.
 */
const FLOORS: Record<string, number> = {
  'rule:ignore_previous': 3,
  'rule:prompt_leak': 2.5,
  'rule:exfiltration': 2.5,
  'rule:new_instructions': 1.5,
  'rule:fake_role_marker': 1.5,
  'rule:unrestricted_persona': 1.5,
  'rule:no_limits': 1,
  'rule:refusal_suppression': 1.5,
  'rule:two_responses': 1.5,
  'rule:template_slot': 1,
  'rule:forget_everything': 1.5,
  ruleCount: 2,
};
const CEILINGS: Record<string, number> = { discussion: -2 };

interface Example {
  readonly row: LabelledText;
  /** One entry for user text; one per segment for tool content. */
  readonly features: Features[];
}

interface Instance {
  readonly features: Features;
  readonly injection: boolean;
}

/**
 * What the model is fitted on. User text: each text. Tool content: each segment of a benign
 * document as benign; of an attacked one, the first segment that appears in no benign
 * document (where the inserted instruction starts). The inserted text that follows it (often
 * the code or link the instruction plants) is left out: labelled an injection, it taught the
 * model that ordinary code is one, and the detector keeps a document's highest segment anyway.
 */
function instancesOf(examples: readonly Example[], benignSegments: ReadonlySet<string>): Instance[] {
  return examples.flatMap(({ row, features }) => {
    if (row.channel === 'user' || !row.injection) return features.map((f) => ({ features: f, injection: row.injection }));
    const inserted = features.find((f) => !benignSegments.has(f.key));
    return (inserted === undefined ? features : [inserted]).map((f) => ({ features: f, injection: true }));
  });
}

function fit(examples: readonly Instance[]): Omit<ChannelWeights, 'threshold'> {
  const d = DENSE_NAMES.length;
  const params = new Float64Array(1 + d + (1 << HASH_BITS));
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  const grad = new Float64Array(params.length);
  const positives = examples.filter((e) => e.injection).length;
  const weightOf = (injection: boolean) => examples.length / (2 * (injection ? positives : examples.length - positives));
  for (let step = 1; step <= OPTIONS.iterations; step++) {
    grad.fill(0);
    for (const { injection, features } of examples) {
      const unit = features.hashed.length === 0 ? 0 : 1 / Math.sqrt(features.hashed.length);
      let z = params[0]!;
      for (let i = 0; i < d; i++) z += params[1 + i]! * features.dense[i]!;
      for (const h of features.hashed) z += params[1 + d + h]! * unit;
      const err = (1 / (1 + Math.exp(-z)) - (injection ? 1 : 0)) * weightOf(injection);
      grad[0]! += err;
      for (let i = 0; i < d; i++) grad[1 + i]! += err * features.dense[i]!;
      for (const h of features.hashed) grad[1 + d + h]! += err * unit;
    }
    for (let p = 0; p < params.length; p++) {
      const g = grad[p]! / examples.length + (p === 0 ? 0 : OPTIONS.l2 * params[p]!);
      if (g === 0 && m[p] === 0) continue;
      m[p] = 0.9 * m[p]! + 0.1 * g;
      v[p] = 0.999 * v[p]! + 0.001 * g * g;
      params[p]! -= (OPTIONS.learningRate * (m[p]! / (1 - 0.9 ** step))) / (Math.sqrt(v[p]! / (1 - 0.999 ** step)) + 1e-8);
    }
    for (let i = 0; i < d; i++) {
      const name = DENSE_NAMES[i]!;
      if (FLOORS[name] !== undefined) params[1 + i] = Math.max(params[1 + i]!, FLOORS[name]);
      if (CEILINGS[name] !== undefined) params[1 + i] = Math.min(params[1 + i]!, CEILINGS[name]);
    }
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const hashed: Record<string, number> = {};
  for (let h = 0; h < 1 << HASH_BITS; h++) {
    const w = round(params[1 + d + h]!);
    if (Math.abs(w) >= 2e-3) hashed[h] = w;
  }
  return { bias: round(params[0]!), dense: Object.fromEntries(DENSE_NAMES.map((n, i) => [n, round(params[1 + i]!)])), hashed };
}

function scorer(weights: Omit<ChannelWeights, 'threshold'>) {
  const channel = { ...weights, threshold: 0.5 };
  const model = compileModel({ hashBits: HASH_BITS, dense: DENSE_NAMES, channels: { user: channel, tool: channel } }).user;
  return (e: Example) => scoreChannelFeatures(model, e.features).score;
}

/** FNV-1a of the text: a fold that does not depend on row order. */
function foldOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % FOLDS;
}

/** Scores of each row by a model trained without its group. */
function heldOut(examples: readonly Example[], benignSegments: ReadonlySet<string>, groupOf: (e: Example) => string): Array<Scored & { source: string }> {
  const groups = [...new Set(examples.map(groupOf))].sort();
  const out: Array<Scored & { source: string }> = [];
  for (const g of groups) {
    const score = scorer(fit(instancesOf(examples.filter((e) => groupOf(e) !== g), benignSegments)));
    for (const e of examples.filter((x) => groupOf(x) === g)) out.push({ score: score(e), injection: e.row.injection, source: e.row.source });
  }
  return out;
}

/** User sources are whole datasets; tool sources are attack categories (benign contexts by hash). */
function sourceGroup(e: Example): string {
  if (e.row.channel === 'user') return e.row.source.split(/[:(]/)[0]!;
  const category = e.row.source.split(':')[1];
  return category ?? `benign-${foldOf(e.row.text)}`;
}

function report(label: string, rows: Array<Scored & { source: string }>, threshold: number): Record<string, unknown> {
  const all = ratesAt(rows, threshold);
  const sources = [...new Set(rows.map((r) => r.source))].sort();
  const lines = [`  ${label}: TPR ${percent(all.tpr)} FPR ${percent(all.fpr)} balanced ${percent(all.balancedAccuracy)} (${all.injections} injections, ${all.benign} benign)`];
  for (const s of sources) {
    const r = ratesAt(rows.filter((x) => x.source === s), threshold);
    lines.push(`    ${s.padEnd(58)} TPR ${percent(r.tpr)} FPR ${percent(r.fpr)} (${r.injections}/${r.benign})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const round = (x: number) => (Number.isNaN(x) ? null : Math.round(x * 1e4) / 1e4);
  return { tpr: round(all.tpr), fpr: round(all.fpr), balancedAccuracy: round(all.balancedAccuracy) };
}

function main(): void {
  const rows = DATA.flatMap(readLabelledTexts);
  const channels: Partial<Record<Channel, ChannelWeights>> = {};
  const trained: Record<string, unknown> = {};
  for (const channel of ['user', 'tool'] as const) {
    const examples = rows.filter((r) => r.channel === channel).map((row) => ({ row, features: channelFeatures(row.text, channel) }));
    const benignSegments = new Set(examples.filter((e) => !e.row.injection).flatMap((e) => e.features.map((f) => f.key)));
    const random = heldOut(examples, benignSegments, (e) => String(foldOf(e.row.text)));
    const threshold = thresholdForFpr(random, MAX_FPR[channel]);
    process.stdout.write(`${channel}: threshold ${threshold} (held-out FPR <= ${MAX_FPR[channel] * 100}%)\n`);
    const randomFigures = report('random 5-fold, held out', random, threshold);
    const bySource = report('by source, held out', heldOut(examples, benignSegments, sourceGroup), threshold);
    channels[channel] = { ...fit(instancesOf(examples, benignSegments)), threshold };
    trained[channel] = { rows: examples.length, injections: examples.filter((e) => e.row.injection).length, threshold, heldOutRandom: randomFigures, heldOutBySource: bySource };
  }
  const file: WeightsFile & { trained: unknown } = {
    hashBits: HASH_BITS,
    dense: DENSE_NAMES,
    channels: channels as Record<Channel, ChannelWeights>,
    trained: { data: DATA, options: OPTIONS, floors: FLOORS, ceilings: CEILINGS, ...trained },
  };
  compileModel(file); // refuse to write a file the gateway would not load
  writeFileSync(OUT, `${JSON.stringify(file)}\n`);
  process.stdout.write(`wrote ${OUT}\n`);
}

main();
