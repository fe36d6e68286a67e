// Checks the request target exactly as the client sent it, before URL parsing normalises it.
// The WHATWG URL parser resolves `%2e%2e` as `..`, so `/v1/models/%2e%2e/%2e%2e/healthz`
// would be served as `/healthz`; a proxy in front that does not decode the same way would
// have judged a different path. Such targets are refused rather than guessed at.

/** Encoded dots, slashes and backslashes; raw backslashes; `.` and `..` segments. */
const SUSPECT = /%2e|%2f|%5c|\\|(?:^|\/)\.{1,2}(?:\/|$)/i;
const ENCODED_SLASH = /%2f/gi;
const MODEL_ID_PREFIX = '/v1/models/';

/** True when the target's path must not be routed. */
export function isUnsafeTarget(target: string): boolean {
  const path = pathOf(target);
  if (!SUSPECT.test(path)) return false;
  // A model id may hold an encoded slash (the OpenAI SDK sends `vendor/model` as
  // `vendor%2Fmodel`): it is decoded into the id and looked up, never routed. Read as a
  // slash, it must still not make a dot segment.
  if (path.startsWith(MODEL_ID_PREFIX)) return SUSPECT.test(path.slice(MODEL_ID_PREFIX.length).replace(ENCODED_SLASH, '/'));
  return true;
}

/** The path of an origin-form (`/a/b?q`) or absolute-form (`http://h/a/b`) target. */
function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  if (path.startsWith('/')) return path;
  const authority = path.indexOf('//');
  const start = authority < 0 ? -1 : path.indexOf('/', authority + 2);
  return start < 0 ? '/' : path.slice(start);
}
