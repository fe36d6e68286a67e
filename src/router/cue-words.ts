// The words that cue a harder ask, and the hashing that finds them without allocating:
// words are hashed (FNV-1a, 30 bits) as they are scanned and looked up in small
// open-addressing tables of typed arrays.

export const FNV_OFFSET = 0x811c9dc5;
/** Hashes are kept to 30 bits: small integers to V8, never boxed. */
const SMI = 0x3fffffff;

/** Cue kinds, indexes into the counts array scanWords fills (0 is "no cue"). */
export const CODE = 1;
export const MATH = 2;
export const REASONING = 3;
export const PLANNING = 4;
export const CONSTRAINT = 5;
export const NEGATION = 6;
export const CUE_KINDS = 7;

const WORDS: Array<[kind: number, words: string]> = [
  [CODE, 'code function class method variable return compile compiler bug debug python javascript typescript java rust golang sql query regex algorithm implement implementation program script api array loop recursion recursive runtime complexity'],
  [MATH, 'solve equation equations integral derivative probability matrix prime theorem polynomial compute calculate sum product limit vector eigenvalue proof lemma modulo factor factorial logarithm exponent inequality geometry triangle area volume ratio percent'],
  [REASONING, 'why explain reason reasoning prove justify derive deduce infer conclude conclusion analyze analyse evaluate assess argue argument premise implies therefore hence valid validity logically critique compare contrast'],
  [PLANNING, 'plan planning design architect architecture strategy roadmap outline schedule optimize optimise tradeoff tradeoffs refactor migrate steps'],
  [CONSTRAINT, 'must exactly least most without only ensure strictly format constraint constraints requirement requirements'],
  [NEGATION, 'not except never none neither nor false incorrect'],
];

/** Bigrams that are cues on their own. */
const BIGRAMS: Array<[kind: number, bigram: string]> = [
  [REASONING, 'by step'],
  [PLANNING, 'trade off'],
  [PLANNING, 'step plan'],
  [CONSTRAINT, 'no more'],
  [CONSTRAINT, 'fewer than'],
  [CODE, 'time complexity'],
];

export function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h & SMI;
}

/** Continues a word's hash by one (lower-case) character code. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

export function finishHash(hash: number): number {
  return hash & SMI;
}

export function pairHash(first: number, second: number): number {
  return (Math.imul(first ^ 0x9e3779b9, 0x85ebca6b) ^ second) & SMI;
}

/** Every number hashes alike: the model should not memorise numbers. */
export const NUMBER_HASH = fnv1a('0');

/** hash → cue kind; linear probing in a table kept under half full. */
class CueTable {
  readonly #keys: Int32Array;
  readonly #kinds: Uint8Array;
  readonly #mask: number;

  constructor(entries: Array<[hash: number, kind: number]>) {
    let size = 16;
    while (size < entries.length * 2) size *= 2;
    this.#keys = new Int32Array(size).fill(-1);
    this.#kinds = new Uint8Array(size);
    this.#mask = size - 1;
    for (const [hash, kind] of entries) {
      let i = hash & this.#mask;
      while (this.#keys[i] !== -1 && this.#keys[i] !== hash) i = (i + 1) & this.#mask;
      this.#keys[i] = hash;
      this.#kinds[i] = kind;
    }
  }

  /** The cue kind of a hash, or 0. */
  kind(hash: number): number {
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const key = this.#keys[i]!;
      if (key === hash) return this.#kinds[i]!;
      if (key === -1) return 0;
    }
  }
}

export const WORD_CUES = new CueTable(WORDS.flatMap(([kind, words]) => words.split(' ').map((w): [number, number] => [fnv1a(w), kind])));
export const BIGRAM_CUES = new CueTable(
  BIGRAMS.map(([kind, bigram]) => {
    const [first, second] = bigram.split(' ') as [string, string];
    return [pairHash(fnv1a(first), fnv1a(second)), kind];
  }),
);
