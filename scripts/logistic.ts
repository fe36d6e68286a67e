import { DENSE_FEATURES, LEARNED_FEATURES, WEIGHT_FLOORS, PRIOR_FEATURES, type Features } from '../src/router/features.ts';
import type { ModelFile } from '../src/router/difficulty-model.ts';

// Class-balanced, L2-regularised logistic regression, fitted full-batch with Adam from
// zero weights: no randomness, so training is reproducible to the bit.

export interface Example {
  readonly features: Features;
  readonly hard: boolean;
}

export interface FitOptions {
  readonly hashBits: number;
  readonly l2Dense: number;
  readonly l2Hashed: number;
  readonly iterations: number;
  readonly learningRate: number;
}

/**
 * Weights for what the labelled prompts cannot show (each is one user prompt with no tools,
 * format or system message), on the logit scale. Set by judgement, kept modest: a long
 * conversation, tools, a strict output schema or an explicit ask for effort lean strong.
 */
export const PRIOR_WEIGHTS: Record<(typeof PRIOR_FEATURES)[number], number> = {
  turns: 0.3, //        per log(1 + earlier user turns)
  tools: 0.4, //        per log(1 + tools offered)
  jsonSchema: 0.4,
  jsonObject: 0.2,
  effortHigh: 1.5,
  effortLow: -1.5,
  systemHardHint: 0.8,
  systemEasyHint: -0.6,
};

export function fitLogistic(examples: readonly Example[], options: FitOptions): ModelFile {
  const learned = LEARNED_FEATURES.length;
  const dims = DENSE_FEATURES.length;
  const buckets = options.hashBits > 0 ? 1 << options.hashBits : 0;
  const { mean, scale } = standardisation(examples, learned, dims);
  const hardCount = examples.filter((e) => e.hard).length;
  // Balanced: each class weighs half of the loss whatever its size.
  const classWeight = (hard: boolean) => examples.length / (2 * (hard ? hardCount : examples.length - hardCount));

  const params = new Float64Array(1 + learned + buckets); // bias, learned dense, hashed
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  const grad = new Float64Array(params.length);
  const priorLogit = examples.map((e) => PRIOR_FEATURES.reduce((z, name, k) => z + PRIOR_WEIGHTS[name] * e.features.dense[learned + k]!, 0));
  const n = examples.length;
  const floors = LEARNED_FEATURES.map((name) => WEIGHT_FLOORS[name] ?? Number.NEGATIVE_INFINITY);

  for (let step = 1; step <= options.iterations; step++) {
    grad.fill(0);
    examples.forEach((e, r) => {
      let z = params[0]! + priorLogit[r]!;
      for (let i = 0; i < learned; i++) z += params[1 + i]! * ((e.features.dense[i]! - mean[i]!) / scale[i]!);
      const { index, value, length } = e.features.hashed;
      for (let i = 0; i < length; i++) z += params[1 + learned + index[i]!]! * value[i]!;
      const err = (1 / (1 + Math.exp(-z)) - (e.hard ? 1 : 0)) * classWeight(e.hard);
      grad[0]! += err;
      for (let i = 0; i < learned; i++) grad[1 + i]! += err * ((e.features.dense[i]! - mean[i]!) / scale[i]!);
      for (let i = 0; i < length; i++) grad[1 + learned + index[i]!]! += err * value[i]!;
    });
    for (let p = 0; p < params.length; p++) {
      const l2 = p === 0 ? 0 : p <= learned ? options.l2Dense : options.l2Hashed;
      const g = grad[p]! / n + l2 * params[p]!;
      m[p] = 0.9 * m[p]! + 0.1 * g;
      v[p] = 0.999 * v[p]! + 0.001 * g * g;
      const mHat = m[p]! / (1 - 0.9 ** step);
      const vHat = v[p]! / (1 - 0.999 ** step);
      params[p]! -= (options.learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
      if (p >= 1 && p <= learned) params[p] = Math.max(params[p]!, floors[p - 1]!);
    }
  }

  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  const dense = DENSE_FEATURES.map((name, i) => ({
    name,
    mean: round(mean[i]!),
    scale: round(scale[i]!),
    weight: round(i < learned ? params[1 + i]! : PRIOR_WEIGHTS[name as keyof typeof PRIOR_WEIGHTS]),
  }));
  const hashed: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const w = round(params[1 + learned + b]!);
    if (Math.abs(w) >= 1e-3) hashed.push([b, w]);
  }
  return { version: 1, hashBits: options.hashBits, bias: round(params[0]!), dense, hashed };
}

/** Learned features are standardised on the training rows; priors are used as they are. */
function standardisation(examples: readonly Example[], learned: number, dims: number) {
  const mean = new Float64Array(dims);
  const scale = new Float64Array(dims).fill(1);
  for (let i = 0; i < learned; i++) {
    let sum = 0;
    let squares = 0;
    for (const e of examples) {
      sum += e.features.dense[i]!;
      squares += e.features.dense[i]! ** 2;
    }
    mean[i] = sum / examples.length;
    const variance = squares / examples.length - mean[i]! ** 2;
    scale[i] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, scale };
}
