import { featuresOfNormalised, type Features } from './features.ts';
import { scoreFeatures, shippedModel, type Channel, type ChannelModel } from './model.ts';
import { normalise, segmentsOf } from './normalise.ts';
import { ruleIds } from './rules.ts';

// One message's verdict input: the score on its channel and the rules that fired. User text
// is scored whole; tool content sentence by sentence, keeping the highest (see segmentsOf).

export interface Detection {
  readonly score: number;
  /** Ids of the signature rules that matched (for logs; never the text). */
  readonly rules: readonly string[];
}

/** The features a channel's model is trained and applied on: the whole text, or its segments. */
export function channelFeatures(text: string, channel: Channel): Features[] {
  const n = normalise(text);
  return channel === 'user' ? [featuresOfNormalised(n)] : segmentsOf(n).map(featuresOfNormalised);
}

export function scoreChannelFeatures(model: ChannelModel, features: readonly Features[]): { score: number; rules: number } {
  let score = 0;
  let rules = 0;
  for (const f of features) {
    score = Math.max(score, scoreFeatures(model, f));
    rules |= f.rules;
  }
  return { score, rules };
}

export function detect(text: string, channel: Channel, models: Record<Channel, ChannelModel> = shippedModel()): Detection {
  const { score, rules } = scoreChannelFeatures(models[channel], channelFeatures(text, channel));
  return { score, rules: ruleIds(rules) };
}
