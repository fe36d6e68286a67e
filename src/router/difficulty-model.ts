import { DENSE_FEATURES, featuresOf, type Features } from './features.ts';
import type { PromptView } from './prompt-view.ts';
import defaultWeights from './difficulty-weights.json' with { type: 'json' };

// A logistic regression over the features: score = sigmoid(bias + Σ w·x). Trained with
// balanced class weights (scripts/train-router.ts), so 0.5 is the point where a prompt
// looks as much like the hard ones as the easy ones, not a calibrated probability.

export interface ModelFile {
  readonly version: 1;
  readonly hashBits: number;
  readonly bias: number;
  /** One per DENSE_FEATURES name: x is standardised as (x - mean) / scale. */
  readonly dense: ReadonlyArray<{ readonly name: string; readonly mean: number; readonly scale: number; readonly weight: number }>;
  /** Non-zero hashed n-gram weights as [bucket, weight]. */
  readonly hashed: ReadonlyArray<readonly [number, number]>;
  /** How the weights were made and measured (informational). */
  readonly trained?: unknown;
}

export class DifficultyModel {
  readonly hashBits: number;
  readonly #bias: number;
  readonly #mean: Float64Array;
  readonly #scale: Float64Array;
  readonly #dense: Float64Array;
  readonly #hashed: Float64Array;

  constructor(file: ModelFile) {
    const names = file.dense.map((d) => d.name);
    if (file.version !== 1 || names.join() !== DENSE_FEATURES.join()) {
      throw new Error(`router model file does not match this version's features (${DENSE_FEATURES.join(', ')})`);
    }
    this.hashBits = file.hashBits;
    this.#bias = file.bias;
    this.#mean = Float64Array.from(file.dense, (d) => d.mean);
    this.#scale = Float64Array.from(file.dense, (d) => (d.scale > 0 ? d.scale : 1));
    this.#dense = Float64Array.from(file.dense, (d) => d.weight);
    this.#hashed = new Float64Array(file.hashBits > 0 ? 1 << file.hashBits : 0);
    for (const [bucket, weight] of file.hashed) if (bucket >= 0 && bucket < this.#hashed.length) this.#hashed[bucket] = weight;
  }

  /** Difficulty in 0..1: higher means more like the prompts only the strong model got right. */
  score(view: PromptView): number {
    return this.scoreFeatures(featuresOf(view, this.hashBits));
  }

  scoreFeatures(features: Features): number {
    let z = this.#bias;
    const x = features.dense;
    for (let i = 0; i < x.length; i++) z += this.#dense[i]! * ((x[i]! - this.#mean[i]!) / this.#scale[i]!);
    const { index, value, length } = features.hashed;
    for (let i = 0; i < length; i++) z += this.#hashed[index[i]!]! * value[i]!;
    return 1 / (1 + Math.exp(-z));
  }
}

let shared: DifficultyModel | undefined;

/** The model shipped with Tollgate (src/router/difficulty-weights.json), built once. */
export function defaultDifficultyModel(): DifficultyModel {
  shared ??= new DifficultyModel(defaultWeights as ModelFile);
  return shared;
}
