// Trains the router's difficulty model: `npm run train-router`. Deterministic (seeded
// splits, full-batch optimisation from zero), so the same data gives the same weights.
//
// Measures two held-out splits first, then trains on every row and writes
// src/router/difficulty-weights.json:
// - by source: whole sources (MMLU subjects, MT-bench categories) held out, five folds, so
//   a figure cannot come from memorising which subjects are hard;
// - random: 20% of rows held out.
import { writeFileSync } from 'node:fs';
import { DifficultyModel } from '../src/router/difficulty-model.ts';
import { featuresOf } from '../src/router/features.ts';
import { readLabelledPrompts, type LabelledPrompt } from '../src/router/labelled-prompts.ts';
import { recallAtCheapShare, rocAuc, type Labelled } from '../src/router/metrics.ts';
import { viewOfPrompt } from '../src/router/prompt-view.ts';
import { fitLogistic, PRIOR_WEIGHTS, type Example, type FitOptions } from './logistic.ts';

const DATA = 'data/router/router.jsonl';
const OUT = 'src/router/difficulty-weights.json';
const SEED = 20261202;

const OPTIONS: FitOptions = {
  // Hashed word unigrams and bigrams (2^12 buckets) were measured too: +0.003 AUC by source,
  // +0.004 random, for a 20x larger file that memorises vocabulary; off unless ROUTER_HASH_BITS
  // asks for them.
  hashBits: Number(process.env.ROUTER_HASH_BITS ?? 0),
  l2Dense: 1e-3,
  l2Hashed: Number(process.env.ROUTER_L2_HASHED ?? 3e-2),
  iterations: 300,
  learningRate: 0.05,
};

function main(): void {
  const rows = readLabelledPrompts(DATA);
  const examples = rows.map((row) => toExample(row, OPTIONS.hashBits));
  const bySource = groupFolds(rows, examples, 5);
  const random = randomSplit(examples, 0.2);
  const model = fitLogistic(examples, OPTIONS);
  const trained = {
    data: `${DATA} (${rows.length} rows, ${examples.filter((e) => e.hard).length} hard)`,
    options: OPTIONS,
    priors: PRIOR_WEIGHTS,
    heldOutBySource: bySource,
    heldOutRandom: random,
  };
  const file = { ...model, trained };
  new DifficultyModel(file); // refuse to write a file the gateway would not load
  writeFileSync(OUT, `${JSON.stringify(file)}\n`);
  process.stdout.write(`${JSON.stringify(trained, null, 2)}\nwrote ${OUT}\n`);
}

function toExample(row: LabelledPrompt, hashBits: number): Example {
  return { features: featuresOf(viewOfPrompt(row.prompt), hashBits), hard: row.hard };
}

function summary(scored: Labelled[]) {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const hardShare = scored.filter((s) => s.hard).length / scored.length;
  const at = (share: number) => {
    const r = recallAtCheapShare(scored, share);
    return { cheapShare: round(r.cheapShare), hardRecall: round(r.hardRecall), randomHardRecall: round(r.randomHardRecall) };
  };
  return { rows: scored.length, hardShare: round(hardShare), auc: round(rocAuc(scored)), at30: at(0.3), at50: at(0.5), at70: at(0.7) };
}

function evaluate(train: Example[], test: Example[]): Labelled[] {
  const model = new DifficultyModel(fitLogistic(train, OPTIONS));
  return test.map((e) => ({ score: model.scoreFeatures(e.features), hard: e.hard }));
}

/** Sources dealt round-robin, in a seeded order, into folds; each fold is tested on a model trained on the rest. */
function groupFolds(rows: LabelledPrompt[], examples: Example[], folds: number) {
  const sources = shuffle([...new Set(rows.map((r) => r.source))].sort(), SEED);
  const foldOf = new Map(sources.map((s, i) => [s, i % folds]));
  const pooled: Labelled[] = [];
  const perFold: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = examples.filter((_, i) => foldOf.get(rows[i]!.source) !== f);
    const test = examples.filter((_, i) => foldOf.get(rows[i]!.source) === f);
    const scored = evaluate(train, test);
    perFold.push(Math.round(rocAuc(scored) * 1000) / 1000);
    pooled.push(...scored);
  }
  return { folds, aucPerFold: perFold, pooled: summary(pooled) };
}

function randomSplit(examples: Example[], testShare: number) {
  const order = shuffle(examples.map((_, i) => i), SEED + 1);
  const cut = Math.round(order.length * testShare);
  const test = order.slice(0, cut).map((i) => examples[i]!);
  const train = order.slice(cut).map((i) => examples[i]!);
  return summary(evaluate(train, test));
}

/** Fisher–Yates with mulberry32: the same seed gives the same order everywhere. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

main();
