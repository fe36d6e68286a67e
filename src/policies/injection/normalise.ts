import { scanWindow } from './window.ts';

// Undoes the usual disguises before anything is matched, one step per function (each is
// tested on its own): NFKC, invisible and tag characters, homoglyphs, case, letter spacing,
// leetspeak, then decoded base64 segments appended. Every step is one linear pass.

// Zero-width, bidi controls, soft hyphen, word joiners, BOM, variation selectors.
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;
// Unicode tag characters (U+E0000..U+E007F) carry hidden ASCII ("ASCII smuggling"): decode them.
const TAGS = /\uDB40[\uDC00-\uDC7F]/g;

/** NFKC folds full-width, mathematical and circled letters, ligatures and the like into plain ones. */
export function foldCompatibility(text: string): string {
  return text.normalize('NFKC');
}

export function stripInvisible(text: string): string {
  return text.replace(TAGS, (pair) => {
    const code = pair.charCodeAt(1) - 0xdc00;
    return code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '';
  }).replace(INVISIBLE, '');
}

// Cyrillic, Greek and other letters that look like Latin ones (after NFKC).
const HOMOGLYPHS: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', У: 'y', Х: 'x', Ѕ: 's', І: 'i', Ј: 'j',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  Α: 'a', Β: 'b', Ε: 'e', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x', Ζ: 'z',
  ı: 'i', ℓ: 'l', '\u2018': "'", '\u2019': "'", '\u201C': '"', '\u201D': '"',
};
const HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'g');

/**
 * Lookalikes to Latin, only inside words that also hold Latin letters: a word written wholly
 * in Cyrillic or Greek is a real word of another language and stays as it is.
 */
export function foldHomoglyphs(text: string): string {
  HOMOGLYPH_RE.lastIndex = 0;
  if (!HOMOGLYPH_RE.test(text)) return text; // the common case: one fast pass, no words built
  HOMOGLYPH_RE.lastIndex = 0;
  return text.replace(/[\p{L}\p{M}]+/gu, (word) => (/[a-zA-Z]/.test(word) ? word.replace(HOMOGLYPH_RE, (c) => HOMOGLYPHS[c]!) : word));
}

/** Runs of single letters split by spaces or punctuation ("i g n o r e", "i.g.n.o.r.e") joined. */
export function joinSpacedLetters(text: string): string {
  return text.replace(/(?<![A-Za-z0-9])(?:[A-Za-z][ ._*\-|/]{1,2}){3,}[A-Za-z](?![A-Za-z0-9])/g, (run) => run.replace(/[ ._*\-|/]/g, ''));
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };

/** Words mixing letters with leet digits or symbols ("1gn0r3", "pr0mpt") spelt with letters; plain numbers stay. */
export function undoLeetspeak(text: string): string {
  if (!/[a-z][013457@$!|]|[013457@$!|][a-z]/.test(text)) return text; // the common case, one pass
  return text.replace(/[a-z0-9@$!|]{2,}/g, (word) => (/[013457@$!|]/.test(word) && /[a-z][^a-z]*[a-z]/.test(word) ? word.replace(/[013457@$!|]/g, (c) => LEET[c]!) : word));
}

const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}/g;
const MAX_DECODED = 4;

/** Base64 runs that decode to mostly printable text, decoded (at most MAX_DECODED, 4 KB each). */
export function decodeBase64Segments(text: string): string[] {
  const decoded: string[] = [];
  for (const match of text.matchAll(BASE64_RUN)) {
    if (decoded.length >= MAX_DECODED) break;
    const run = match[0].slice(0, 5464);
    const bytes = Buffer.from(run, 'base64');
    let printable = 0;
    for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
    if (bytes.length >= 12 && printable / bytes.length > 0.9) decoded.push(bytes.toString('latin1'));
  }
  return decoded;
}

/** ROT13 of ASCII letters (matched by the signature rules only, not the classifier). */
export function rot13(text: string): string {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    codes[i] = c >= 97 && c <= 122 ? ((c - 97 + 13) % 26) + 97 : c;
  }
  return new TextDecoder('utf-16le').decode(codes);
}

/** All steps but decoding: the canonical form features and rules see. */
export function canonical(text: string): string {
  let t = foldCompatibility(stripInvisible(text));
  t = foldHomoglyphs(t).toLowerCase();
  t = undoLeetspeak(joinSpacedLetters(t));
  // Runs of spaces become one; line breaks stay (tool content is split into lines and sentences).
  return t.replace(/[^\S\n]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();
}

export interface NormalisedText {
  /** The canonical scanned window, with canonical decoded base64 segments appended. */
  readonly text: string;
  /** Base64 segments were found and decoded. */
  readonly decoded: boolean;
  /** The original window (case and layout kept) for structural features. */
  readonly raw: string;
}

export function normalise(message: string): NormalisedText {
  const raw = scanWindow(message);
  const segments = decodeBase64Segments(raw);
  const text = segments.length === 0 ? canonical(raw) : [canonical(raw), ...segments.map(canonical)].join(' \n ');
  return { text, decoded: segments.length > 0, raw };
}

const SEGMENT_END = /(?<=[.!?])\s+|\n|\|/;
const MIN_SEGMENT = 24;
const MAX_SEGMENTS = 400;

/**
 * Tool content split into sentences and lines (short pieces joined to the next): an
 * injection in a document is usually one inserted sentence, which a score of the whole
 * document would dilute.
 */
export function segmentsOf(n: NormalisedText): NormalisedText[] {
  const out: NormalisedText[] = [];
  let pending = '';
  for (const piece of n.text.split(SEGMENT_END)) {
    pending = pending === '' ? piece : `${pending} ${piece}`;
    if (pending.length >= MIN_SEGMENT) {
      out.push({ text: pending, raw: pending, decoded: n.decoded });
      pending = '';
      if (out.length === MAX_SEGMENTS) return out;
    }
  }
  if (pending.trim() !== '' || out.length === 0) out.push({ text: pending, raw: pending, decoded: n.decoded });
  return out;
}
