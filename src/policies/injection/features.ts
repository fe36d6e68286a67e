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
  'ruleCount', //        distinct rules matched, saturating at 4: attacks stack several signatures
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
  // The ROT13 reading is matched only for text that reads as no English (no "the", "and", "you").
  const rot = rules === 0 && !/\b(the|and|you|to|of)\b/.test(text) && /[a-z]{4}/.test(text) ? ruleHits(rot13(text)) : 0;
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
  const { hashed, words, you } = hashedBag(text);
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
  cue('secondPerson', you / Math.max(1, words));
  cue('questions', Math.min(1, questions / n));
  cue('decoded', decoded ? 1 : 0);
  cue('rot13Hit', rot !== 0 ? 1 : 0);
  cue('upperShare', upper / Math.max(1, letters));
  cue('symbolShare', symbols / Math.max(1, raw.length));
  cue('logLength', Math.log1p(raw.length) / 10);
  cue('discussion', DISCUSSION.test(text) ? 1 : 0);
  cue('ruleCount', Math.min(4, bitCount(rules | rot)) / 4);

  return { dense, hashed, rules: rules | rot, key: text };
}

function bitCount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

const FNV = 0x811c9dc5;
const PRIME = 0x01000193;
/** Characters that end a word (besides whitespace and control characters). */
const WORD_BREAK = new Set([...'.,;:!?"()[]{}<>*#|/\\=+~`^-'].map((c) => c.charCodeAt(0)));
const YOU = new Set(['you', 'your', "you're", 'yourself'].map(wordHash));

function wordHash(word: string): number {
  let h = FNV;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), PRIME);
  return h >>> 0;
}

// One stamp per bucket, reused across calls (the scan is synchronous): marking a bucket
// seen costs one array write, with no Set and no allocation per feature.
const stamps = new Uint32Array(1 << HASH_BITS);
let generation = 0;

/**
 * Word unigrams and bigrams and character 4-grams, hashed into 2^HASH_BITS buckets, in one
 * pass over the text without building substrings; also counts words and "you" words.
 */
function hashedBag(text: string): { hashed: Int32Array; words: number; you: number } {
  generation = generation === 0xffffffff ? 1 : generation + 1;
  if (generation === 1) stamps.fill(0);
  const buckets: number[] = [];
  const mark = (h: number) => {
    const b = h & HASH_MASK;
    if (stamps[b] !== generation) {
      stamps[b] = generation;
      buckets.push(b);
    }
  };
  let words = 0;
  let you = 0;
  let h = FNV;
  let inWord = false;
  let previous = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c > 32 && !WORD_BREAK.has(c)) {
      h = Math.imul(h ^ c, PRIME);
      inWord = true;
    } else if (inWord) {
      const word = h >>> 0;
      words++;
      if (YOU.has(word)) you++;
      mark(Math.imul(word ^ 1, PRIME) >>> 0);
      if (previous !== 0) mark(Math.imul((previous * 31) ^ word ^ 2, PRIME) >>> 0);
      previous = word;
      h = FNV;
      inWord = false;
    }
    // Character 4-grams: robust to the misspellings, inflections and glued words word grams miss.
    if (i >= 4) {
      let g = FNV ^ 3;
      g = Math.imul(g ^ text.charCodeAt(i - 4), PRIME);
      g = Math.imul(g ^ text.charCodeAt(i - 3), PRIME);
      g = Math.imul(g ^ text.charCodeAt(i - 2), PRIME);
      g = Math.imul(g ^ text.charCodeAt(i - 1), PRIME);
      mark(g >>> 0);
    }
  }
  return { hashed: Int32Array.from(buckets).sort(), words, you };
}
