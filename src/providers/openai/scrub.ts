// Masks secrets in a provider's error message before it reaches a client or a log. A
// provider may quote our key in part, or lower-cased, or quote someone else's: every run of
// RUN_CHARS or more consecutive characters of a configured secret is masked, in any case,
// and so is anything shaped like a common API key or bearer token.
//
// The work is bounded whatever the input's size: only the part that can reach the output is
// scanned (the kept length plus a margin wide enough that a secret straddling the cut is
// still long enough to be recognised and masked), and secrets are matched through a set of
// their RUN_CHARS-long pieces, one lookup per position, never a search per secret.

export const MAX_MESSAGE = 1000;
/** Fewer consecutive characters of a secret than this say nothing useful about it. */
export const RUN_CHARS = 12;
/** Configured secrets shorter than a run are masked only where they appear whole. */
const MIN_WHOLE_SECRET = 4;
const MASK = '[redacted]';
/** Past MAX_MESSAGE: longer than any pattern needs to recognise a key, and than common secrets. */
const SCAN_MARGIN = 512;

const KEY_SHAPES: readonly RegExp[] = [
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-) and alike.
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  // AWS access key ids.
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  // Slack tokens.
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  // GitHub tokens.
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
  // Google API keys.
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  // JSON web tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
];
/** Whatever follows "Bearer" that looks like a token (hex, base64, base64url, dotted). */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{12,}/gi;

export function scrub(message: string, secrets: readonly string[]): string {
  const longest = secrets.reduce((max, s) => Math.max(max, s.length), 0);
  // Redact before truncating, on a window wide enough that nothing cut here can be kept.
  const scanned = message.length > MAX_MESSAGE + SCAN_MARGIN + longest ? message.slice(0, MAX_MESSAGE + SCAN_MARGIN + longest) : message;
  let out = maskSecretRuns(scanned, secrets);
  for (const shape of KEY_SHAPES) out = out.replace(shape, MASK);
  out = out.replace(BEARER, `$1${MASK}`);
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

/** Replaces every run of RUN_CHARS+ characters of any secret (case-insensitively) with the mask. */
function maskSecretRuns(text: string, secrets: readonly string[]): string {
  const lower = text.toLowerCase();
  // lower-casing can change a string's length (rare Unicode); then positions do not line up.
  const haystack = lower.length === text.length ? lower : text;
  const pieces = new Set<string>();
  const masked = new Uint8Array(text.length);
  let any = false;
  for (const secret of secrets) {
    const s = secret.toLowerCase();
    if (s.length >= RUN_CHARS) {
      for (let i = 0; i + RUN_CHARS <= s.length; i++) pieces.add(s.slice(i, i + RUN_CHARS));
    } else if (s.length >= MIN_WHOLE_SECRET) {
      for (let at = haystack.indexOf(s); at !== -1; at = haystack.indexOf(s, at + 1)) {
        masked.fill(1, at, at + s.length);
        any = true;
      }
    }
  }
  if (pieces.size > 0) {
    for (let i = 0; i + RUN_CHARS <= haystack.length; i++) {
      if (pieces.has(haystack.slice(i, i + RUN_CHARS))) {
        masked.fill(1, i, i + RUN_CHARS);
        any = true;
      }
    }
  }
  if (!any) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (masked[i] === 0) {
      const start = i;
      while (i < text.length && masked[i] === 0) i++;
      out += text.slice(start, i);
    } else {
      while (i < text.length && masked[i] === 1) i++;
      out += MASK;
    }
  }
  return out;
}
