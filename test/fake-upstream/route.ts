import type { Exchange } from './exchange.ts';
import type { Behaviour } from './types.ts';

/**
 * One endpoint of the fake. Each API family lives in its own file and is listed in routes.ts, so an
 * Anthropic-shaped `/v1/messages` is one new file plus one line there.
 */
export interface Route {
  method: 'GET' | 'POST';
  /** Exact path without query string, e.g. '/v1/chat/completions'. */
  path: string;
  /** Whether requests here consume the next scripted Behaviour (model listings do not). */
  scripted: boolean;
  handle(ex: Exchange, behaviour: Behaviour): Promise<void> | void;
}

/** The request body as a plain object, or an empty one when it is missing or not an object. */
export function bodyObject(ex: Exchange): Record<string, unknown> {
  const json = ex.json;
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
}

/** Whether the body is something a JSON API would accept at all (present, parsable, an object). */
export function hasJsonObjectBody(ex: Exchange): boolean {
  return !ex.jsonInvalid && typeof ex.json === 'object' && ex.json !== null && !Array.isArray(ex.json);
}
