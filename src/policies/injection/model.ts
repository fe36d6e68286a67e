import weightsFile from './weights.json' with { type: 'json' };
import { DENSE_NAMES, HASH_BITS, type Features } from './features.ts';

// The trained logistic model, one per channel (what users type and what tools return differ
// too much to share one), read from weights.json (written by scripts/train-injection.ts).

export type Channel = 'user' | 'tool';
export const CHANNELS: readonly Channel[] = ['user', 'tool'];

export interface ChannelWeights {
  readonly bias: number;
  /** One weight per DENSE_NAMES entry, by name. */
  readonly dense: Record<string, number>;
  /** Sparse hashed weights: bucket index → weight (weights near 0 are dropped). */
  readonly hashed: Record<string, number>;
  /** The threshold chosen on held-out scores: the default of `policies.injection.threshold`. */
  readonly threshold: number;
}

export interface WeightsFile {
  readonly hashBits: number;
  readonly dense: readonly string[];
  readonly channels: Record<Channel, ChannelWeights>;
}

export interface ChannelModel {
  readonly bias: number;
  readonly dense: Float64Array;
  readonly hashed: Float64Array;
  readonly threshold: number;
}

export function compileModel(file: WeightsFile): Record<Channel, ChannelModel> {
  if (file.hashBits !== HASH_BITS || file.dense.join() !== DENSE_NAMES.join()) {
    throw new Error('injection weights do not match the feature set: run `npm run train-injection`');
  }
  const compile = (w: ChannelWeights): ChannelModel => {
    const hashed = new Float64Array(1 << HASH_BITS);
    for (const [index, weight] of Object.entries(w.hashed)) hashed[Number(index)] = weight;
    return { bias: w.bias, dense: Float64Array.from(DENSE_NAMES, (n) => w.dense[n] ?? 0), hashed, threshold: w.threshold };
  };
  return { user: compile(file.channels.user), tool: compile(file.channels.tool) };
}

export function scoreFeatures(model: ChannelModel, f: Features): number {
  let z = model.bias;
  for (let i = 0; i < f.dense.length; i++) z += model.dense[i]! * f.dense[i]!;
  if (f.hashed.length > 0) {
    const unit = 1 / Math.sqrt(f.hashed.length);
    for (let i = 0; i < f.hashed.length; i++) z += model.hashed[f.hashed[i]!]! * unit;
  }
  return 1 / (1 + Math.exp(-z));
}

let shipped: Record<Channel, ChannelModel> | undefined;

/** The committed model, compiled once. */
export function shippedModel(): Record<Channel, ChannelModel> {
  shipped ??= compileModel(weightsFile as WeightsFile);
  return shipped;
}
