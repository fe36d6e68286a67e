import {
  BIGRAM_CUES, CODE, CONSTRAINT, CUE_KINDS, finishHash, FNV_OFFSET, fnvStep, MATH, NEGATION, NUMBER_HASH, pairHash, PLANNING, REASONING, WORD_CUES,
} from './cue-words.ts';
import type { PromptView } from './prompt-view.ts';

// Turns a bounded view of a request into the numbers the difficulty model weighs: a few
// structural measures (length, depth, code, math, reasoning and planning cues, tools,
// response format, explicit hints) and hashed word n-grams. One pass over at most
// USER_TEXT_CAP characters, then one over its words: linear, no backtracking regexes.

/** Dense features whose weights are learned from labelled prompts. */
export const LEARNED_FEATURES = [
  'tokens', //          log(1 + estimated prompt tokens), all messages
  'userTokens', //      log(1 + estimated tokens of the last user message)
  'lines', //           log(1 + newlines in the last user message)
  'codeFences', //      ``` fences, capped
  'codeLines', //       share of lines ending in ; { } or indented like code
  'codeWords', //       programming vocabulary
  'mathSymbols', //     = + * / ^ < > and the like
  'digitShare', //      digits per character
  'latex', //           \ and $ (TeX)
  'mathWords', //       solve, integral, probability, theorem ...
  'reasoningWords', //  why, explain, prove, justify, deduce ...
  'planningWords', //   plan, design, strategy, optimise ...
  'constraintWords', // must, exactly, at least, without ...
  'negations', //       not, except, never ...
  'questions', //       question marks
  'avgWordLength',
  'longWordShare', //   words of 10+ letters (technical vocabulary)
  'variables', //       one-letter names (x, n, p, q) per word: maths and formal logic
  'sentences', //       log(1 + sentence ends)
  'capitalShare', //    capitalised words per word (names, places: recall rather than reasoning)
  'brackets', //        log(1 + parentheses and brackets)
] as const;

/**
 * Lowest weight training may give a cue (on the standardised scale): these may only raise
 * the score. The labelled prompts are exam questions, where "explain", a plan or a code
 * word carries little signal, or even a negative one; in chat traffic they mark harder
 * asks. Cues of reasoning, planning, code and maths keep a small positive floor so they
 * count even when the exam data cannot show it; the rest may fall to zero but not below.
 */
export const WEIGHT_FLOORS: Readonly<Record<string, number>> = {
  tokens: 0, userTokens: 0, codeLines: 0, mathSymbols: 0, latex: 0, constraintWords: 0, variables: 0,
  codeFences: 0.08, codeWords: 0.08, mathWords: 0.08, reasoningWords: 0.08, planningWords: 0.08,
};

/**
 * Dense features the labelled data cannot teach (every row is one user prompt with no tools,
 * response format or system message), so their weights are fixed priors in the model file.
 */
export const PRIOR_FEATURES = ['turns', 'tools', 'jsonSchema', 'jsonObject', 'effortHigh', 'effortLow', 'systemHardHint', 'systemEasyHint'] as const;

export const DENSE_FEATURES = [...LEARNED_FEATURES, ...PRIOR_FEATURES] as const;
export type DenseFeature = (typeof DENSE_FEATURES)[number];

export interface Features {
  /** Values in DENSE_FEATURES order. */
  readonly dense: Float64Array;
  /** Hashed n-gram buckets and their values (a bucket may repeat; values add up). */
  readonly hashed: { readonly index: Uint32Array; readonly value: Float64Array; readonly length: number };
}

// Explicit hints in the system message: asks for careful reasoning, or for a short answer.
const SYSTEM_HARD_HINT = /\b(?:think (?:carefully|step by step|hard|deeply)|reason (?:carefully|rigorously|step by step)|rigorous|complex|difficult|advanced)\b/i;
const SYSTEM_EASY_HINT = /\b(?:be (?:brief|concise|short)|short answers?|one (?:word|sentence|line)|yes or no|answer briefly)\b/i;

/**
 * Per-word ratios are smoothed as if every text began with this many typical words: a
 * one-word message ("hi") has no reliable average word length, and exam prompts (the
 * training data) are never that short, so an unsmoothed ratio would extrapolate wildly.
 */
const SMOOTHING = 8;
const TYPICAL_WORD_LENGTH = 4.7;

export function featuresOf(view: PromptView, hashBits: number): Features {
  const text = view.userText;
  const chars = scanChars(text);
  const words = scanWords(text.toLowerCase(), hashBits);
  const d = new Float64Array(DENSE_FEATURES.length);
  let i = 0;
  d[i++] = Math.log1p(view.totalChars / 4);
  d[i++] = Math.log1p(text.length / 4);
  d[i++] = Math.log1p(chars.newlines);
  d[i++] = Math.min(chars.fences, 8);
  d[i++] = chars.codeLines / (chars.newlines + 1);
  d[i++] = Math.log1p(words.cues[CODE]!);
  d[i++] = Math.log1p(chars.mathSymbols);
  d[i++] = chars.digits / (text.length + SMOOTHING * 6);
  d[i++] = Math.log1p(chars.tex);
  d[i++] = Math.log1p(words.cues[MATH]!);
  d[i++] = Math.log1p(words.cues[REASONING]!);
  d[i++] = Math.log1p(words.cues[PLANNING]!);
  d[i++] = Math.log1p(words.cues[CONSTRAINT]!);
  d[i++] = Math.log1p(words.cues[NEGATION]!);
  d[i++] = Math.log1p(chars.questions);
  d[i++] = (words.letters + SMOOTHING * TYPICAL_WORD_LENGTH) / (words.count + SMOOTHING);
  d[i++] = words.long / (words.count + SMOOTHING);
  d[i++] = words.variables / (words.count + SMOOTHING);
  d[i++] = Math.log1p(chars.sentences);
  d[i++] = chars.capitals / (words.count + SMOOTHING);
  d[i++] = Math.log1p(chars.brackets);
  // Priors.
  d[i++] = Math.log1p(Math.max(0, view.userTurns - 1));
  d[i++] = Math.log1p(view.tools);
  d[i++] = view.responseFormat === 'json_schema' ? 1 : 0;
  d[i++] = view.responseFormat === 'json_object' ? 1 : 0;
  d[i++] = view.reasoningEffort === 'high' ? 1 : 0;
  d[i++] = view.reasoningEffort === 'low' || view.reasoningEffort === 'minimal' ? 1 : 0;
  d[i++] = view.systemText !== '' && SYSTEM_HARD_HINT.test(view.systemText) ? 1 : 0;
  d[i++] = view.systemText !== '' && SYSTEM_EASY_HINT.test(view.systemText) ? 1 : 0;
  return { dense: d, hashed: words.hashed };
}

interface CharCounts {
  newlines: number;
  fences: number;
  codeLines: number;
  mathSymbols: number;
  digits: number;
  tex: number;
  questions: number;
  sentences: number;
  capitals: number;
  brackets: number;
}

function scanChars(text: string): CharCounts {
  let newlines = 0, fences = 0, codeLines = 0, mathSymbols = 0, digits = 0, tex = 0, questions = 0, sentences = 0, capitals = 0, brackets = 0;
  let previous = 32;
  let lastNonSpace = 0;
  let lineStart = true;
  let indent = 0;
  let backticks = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = i < text.length ? text.charCodeAt(i) : 10;
    if (ch === 96 /* ` */) {
      if (++backticks === 3) fences++;
    } else backticks = 0;
    if (ch === 10) {
      // A line ending in ; { } or indented by 4+ spaces (a tab counts 4) reads as code.
      if (lastNonSpace === 59 || lastNonSpace === 123 || lastNonSpace === 125 || (indent >= 4 && lastNonSpace !== 0)) codeLines++;
      if (i < text.length) newlines++;
      lastNonSpace = 0;
      lineStart = true;
      indent = 0;
      previous = 10;
      continue;
    }
    if (ch === 32 || ch === 9) {
      if (lineStart) indent += ch === 9 ? 4 : 1;
      if (previous === 46 || previous === 33) sentences++; // ". " or "! "
      previous = ch;
      continue;
    }
    if (ch >= 65 && ch <= 90 && (previous === 32 || previous === 10)) capitals++;
    if (ch === 40 || ch === 41 || ch === 91 || ch === 93) brackets++;
    previous = ch;
    lineStart = false;
    lastNonSpace = ch;
    if (ch >= 48 && ch <= 57) digits++;
    else if (MATH_SYMBOLS.has(ch)) mathSymbols++;
    else if (ch === 92 || ch === 36) tex++; // \ $
    else if (ch === 63) questions++;
  }
  return { newlines, fences, codeLines, mathSymbols, digits, tex, questions, sentences, capitals, brackets };
}

/** = + * / ^ < > and maths and logic signs: √ ∑ ∫ π ≤ ≥ ~ | ⊃ ∨ ∧ ≡ ¬ → */
const MATH_SYMBOLS: ReadonlySet<number> = new Set([..."=+*/^<>√∑∫π≤≥~|⊃∨∧≡¬→"].map((ch) => ch.charCodeAt(0)));

interface WordCounts {
  count: number;
  letters: number;
  long: number;
  variables: number;
  /** Counts by cue kind (see cue-words.ts). */
  cues: Int32Array;
  hashed: Features['hashed'];
}


/**
 * Words are [a-z][a-z0-9_']* and numbers [0-9]+ in the lower-cased text, hashed as they are
 * scanned (no substrings, no regex matches): one pass, nothing allocated per word.
 */
function scanWords(lower: string, hashBits: number): WordCounts {
  const cues = new Int32Array(CUE_KINDS);
  const hashes: number[] = [];
  const mask = (1 << hashBits) - 1;
  let count = 0;
  let letters = 0;
  let long = 0;
  let variables = 0;
  let previousHash = 0;
  let hash = 0;
  let length = 0; // of the word being scanned; 0 between words
  let inNumber = false;
  let firstChar = 0;
  // Plain locals and no closure: this loop is the score's hot path.
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    const letter = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (length > 0) {
      if (inNumber ? digit : letter || digit || c === 95 || c === 39) {
        if (!inNumber) hash = fnvStep(hash, c);
        length++;
        continue;
      }
      // The word ends here.
      count++;
      letters += length;
      if (length >= 10) long++;
      else if (length === 1 && !inNumber && firstChar !== 97 && firstChar !== 105) variables++; // not "a", "i"
      const h = inNumber ? NUMBER_HASH : finishHash(hash);
      const kind = WORD_CUES.kind(h) || (count > 1 ? BIGRAM_CUES.kind(pairHash(previousHash, h)) : 0);
      if (kind !== 0) cues[kind]!++;
      if (hashBits > 0) {
        hashes.push(h & mask);
        if (count > 1) hashes.push(pairHash(previousHash, h) & mask);
      }
      previousHash = h;
      length = 0;
    }
    if (letter || digit) {
      inNumber = digit;
      firstChar = c;
      hash = fnvStep(FNV_OFFSET, c);
      length = 1;
    }
  }

  const index = new Uint32Array(hashes.length);
  const value = new Float64Array(hashes.length);
  const weight = 1 / Math.sqrt(count + 1);
  for (let i = 0; i < hashes.length; i++) {
    index[i] = hashes[i]!;
    value[i] = weight;
  }
  return { count, letters, long, variables, cues, hashed: { index, value, length: hashes.length } };
}
