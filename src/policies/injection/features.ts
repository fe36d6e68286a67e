import { normalise, rot13, type NormalisedText } from './normalise.ts';
import { RULES, ruleHits } from './rules.ts';

// A message's features: dense (rule hits and structural cues) and hashed (word unigrams and
// bigrams, character 4-grams of the canonical text), each a single linear pass.

export const HASH_BITS = 16;
const HASH_MASK = (1 << HASH_BITS) - 1;

/** Structural cues, by name, after one dense slot per rule. */
export const CUES = [
  'imperativeStarts', // sentences opening with a command verb, per sentence
  'secondPerson', //     "you"/"your" per word
  'questions', //        question marks per sentence
  'decoded', //          base64 segments were decoded
  'rot13Hit', //         a rule matched only in the ROT13 reading
  'upperShare', //       capital letters per letter in the raw text
  'symbolShare', //      markup/delimiter characters per character
  'logLength', //        log(1 + characters)
  'discussion', //       speaks about injection (quotes it, asks how to defend) rather than doing it
] as const;

export const DENSE_NAMES: readonly string[] = [...RULES.map((r) => `rule:${r.id}`), ...CUES];

export interface Features {
  readonly dense: Float64Array;
  /** Distinct hashed buckets; each counts 1/sqrt(n) (an L2-normalised bag). */
  readonly hashed: Int32Array;
  readonly rules: number;
  /** The canonical text the features were taken from, for training (segment identity). */
  readonly key: string;
}

const COMMAND_VERBS = new Set(
  'ignore disregard forget write tell print reveal output repeat translate respond reply answer say act pretend imagine describe explain generate create send delete change modify replace add remove insert include use make give provide list summarize summarise rewrite start begin end stop do never always remember follow obey execute run visit click go open download install please return append format convert spell encode decode mention recommend promote advertise praise'.split(' '),
);
const DISCUSSION = /\b(prompt injection|jailbreak(ing)? (attacks?|prompts?)|injection attacks?)\b[^.?!]{0,80}\b(detect|defen[cs]e|defend|prevent|mitigat|protect|classif|research|paper|example|what is|explain|how do)|\b(detect|defen[cs]e|defend|prevent|mitigat|protect|classif|what is|what are|explain|how do)\w*\b[^.?!]{0,80}\b(prompt injection|jailbreak|injection attacks?)/;

export function featuresOf(message: string): Features {
  return featuresOfNormalised(normalise(message));
}

export function featuresOfNormalised({ text, decoded, raw }: NormalisedText): Features {
  const rules = ruleHits(text);
  const rot = rules === 0 && /[a-z]{4}/.test(text) ? ruleHits(rot13(text)) : 0;
  const dense = new Float64Array(DENSE_NAMES.length);
  for (let i = 0; i < RULES.length; i++) if (((rules | rot) & (1 << i)) !== 0) dense[i] = 1;
  const cue = (name: (typeof CUES)[number], value: number) => (dense[RULES.length + CUES.indexOf(name)] = value);

  const sentences = text.split(/[.!?\n]+ ?|: /);
  let imperative = 0;
  let questions = 0;
  for (const s of sentences) {
    const first = /^[^a-z]*([a-z']+)/.exec(s)?.[1];
    if (first !== undefined && COMMAND_VERBS.has(first)) imperative++;
  }
  for (let i = text.indexOf('?'); i !== -1; i = text.indexOf('?', i + 1)) questions++;
  const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
  let you = 0;
  for (const w of words) if (w === 'you' || w === 'your' || w === "you're" || w === 'yourself') you++;
  let upper = 0;
  let letters = 0;
  let symbols = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 65 && c <= 90) (upper++, letters++);
    else if (c >= 97 && c <= 122) letters++;
    else if (c === 60 || c === 62 || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 || c === 124 || c === 61) symbols++;
  }
  const n = Math.max(1, sentences.length);
  cue('imperativeStarts', imperative / n);
  cue('secondPerson', you / Math.max(1, words.length));
  cue('questions', Math.min(1, questions / n));
  cue('decoded', decoded ? 1 : 0);
  cue('rot13Hit', rot !== 0 ? 1 : 0);
  cue('upperShare', upper / Math.max(1, letters));
  cue('symbolShare', symbols / Math.max(1, raw.length));
  cue('logLength', Math.log1p(raw.length) / 10);
  cue('discussion', DISCUSSION.test(text) ? 1 : 0);

  return { dense, hashed: hashedBag(text, words), rules: rules | rot, key: text };
}

/** FNV-1a over a string, masked to the hash space; `seed` separates the feature families. */
function hash(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) & HASH_MASK;
}

function hashedBag(text: string, words: readonly string[]): Int32Array {
  const seen = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    seen.add(hash(words[i]!, 1));
    if (i > 0) seen.add(hash(`${words[i - 1]} ${words[i]}`, 2));
  }
  // Character 4-grams: robust to the misspellings, inflections and glued words word grams miss.
  // A rolling FNV over the four code units, without building substrings.
  for (let i = 0; i + 4 <= text.length; i++) {
    let h = 0x811c9dc5 ^ 3;
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(i + 1), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(i + 2), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(i + 3), 0x01000193);
    seen.add((h >>> 0) & HASH_MASK);
  }
  return Int32Array.from(seen).sort();
}
