import { GatewayError } from '../proxy/errors.ts';
import type { ResolvedTarget, RoutePlan } from './model-table.ts';
import type { Attempt } from './attempts.ts';
import { allRateLimited, formatAttempts } from './attempts.ts';
import type { BreakerCheck } from './breaker.ts';
import type { Breakers } from './breakers.ts';
import { acquireAll } from './concurrency.ts';
import type { RateLimitTracker } from './rate-limit-tracker.ts';
import type { RateLimitSnapshot } from './upstream-headers.ts';
import { retryDelayMs, verdictFor } from './retry-policy.ts';
import { routingOf, type TargetRouting } from './target-routing.ts';

// The one fallback loop. Targets are tried in plan order; each may be retried on a
// retryable failure (backoff with full jitter, or the provider's Retry-After up to 10 s),
// then the loop falls to the next target. A target whose breaker is open, that is at its
// concurrency limit or near its provider rate limit is skipped without a request. The loop
// ends at the first answer (for a stream: its first event, the commit point; nothing is
// retried after that), when the client goes away, or when the alias's deadline passes.

export interface LoopRequest {
  readonly plan: RoutePlan;
  readonly signal: AbortSignal;
  readonly stream: boolean;
  /** When the request arrived, on the `now` clock. */
  readonly startedAt: number;
  /** Filled in, one entry per attempt or skipped target. */
  readonly attempts: Attempt[];
}

export interface LoopDeps {
  readonly breakers: Breakers;
  readonly rateLimits: RateLimitTracker;
  readonly random?: () => number;
  readonly now?: () => number;
}

export type CallTimeouts = TargetRouting['timeouts'];

export interface Served<R> {
  readonly reply: R;
  readonly target: ResolvedTarget;
  /** Gives back the concurrency slots: at once for JSON, when the stream ends for streams. */
  readonly release: () => void;
}

export async function callWithFallback<R extends { readonly rateLimit?: RateLimitSnapshot }>(
  req: LoopRequest,
  deps: LoopDeps,
  call: (target: ResolvedTarget, timeouts: CallTimeouts) => Promise<R>,
): Promise<Served<R>> {
  const now = deps.now ?? (() => performance.now());
  const targets = req.plan.targets;
  const deadlineAt = req.startedAt + routingOf(targets[0]).deadlineMs;
  const errors: GatewayError[] = [];
  /** After a context-length error: only targets with a larger window may help. */
  let needWindow: number | undefined;

  const freeLater = (from: number) =>
    targets.slice(from + 1).some((t) => {
      const r = routingOf(t);
      return !r.limits.some((l) => l.full) && !deps.rateLimits.nearLimit(r.key);
    });

  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    const routing = routingOf(target);
    const note = (outcome: Attempt['outcome']) => req.attempts.push({ target: routing.key, outcome });

    if (needWindow !== undefined && (target.contextWindow === undefined || target.contextWindow <= needWindow)) {
      note('small');
      continue;
    }
    if (routing.limits.some((l) => l.full) && freeLater(i)) {
      note('busy');
      continue;
    }
    if (deps.rateLimits.nearLimit(routing.key) && freeLater(i)) {
      note('limited');
      continue;
    }

    for (let retry = 0; ; retry++) {
      if (req.signal.aborted) throw clientGone();
      if (now() >= deadlineAt) throw deadlinePassed(req, routing.deadlineMs, errors);

      const check = routing.breaker === undefined ? CLOSED : await deps.breakers.check(routing.key, routing.breaker);
      if (check.state === 'open') {
        note('open');
        break;
      }
      let release: () => void;
      try {
        release = await acquireAll(routing.limits, req.signal);
      } catch (err) {
        if (req.signal.aborted) throw clientGone();
        errors.push(err as GatewayError);
        note('busy');
        break;
      }

      let error: GatewayError;
      try {
        const reply = await call(target, attemptTimeouts(routing, req.stream, deadlineAt - now()));
        note(200);
        deps.rateLimits.record(routing.key, reply.rateLimit);
        if (routing.breaker !== undefined) await recordQuietly(deps.breakers, routing, check, true);
        return { reply, target, release };
      } catch (err) {
        release();
        if (req.signal.aborted) throw err;
        error = err instanceof GatewayError ? err : new GatewayError('internal_error', 'The gateway hit an internal error.', { cause: err });
      }

      note(error.status);
      const verdict = verdictFor(error);
      // A request error (400, context length) means the target answered sensibly: it is healthy.
      if (routing.breaker !== undefined) await recordQuietly(deps.breakers, routing, check, verdict === 'stop' || verdict === 'larger');
      if (verdict === 'stop') throw error;
      if (verdict === 'larger') {
        const window = target.contextWindow;
        if (window === undefined || !targets.slice(i + 1).some((t) => (t.contextWindow ?? 0) > window)) throw error;
        needWindow = window;
      }
      errors.push(error);
      if (verdict !== 'retry' || retry >= routing.retries) break;
      const delay = retryDelayMs(error, retry, deps.random);
      // The provider asked for a longer wait than we accept, or than the deadline leaves: next target.
      if (delay === undefined || now() + delay >= deadlineAt) break;
      await sleep(delay, req.signal);
    }
  }
  throw exhausted(req, errors);
}

/**
 * Breaker bookkeeping never costs the request its answer (a stream may already be open).
 * Redis being away is handled inside Breakers (local fallback); what is left to swallow
 * here would be a script bug, which the breaker contract tests cover.
 */
async function recordQuietly(breakers: Breakers, routing: TargetRouting, check: BreakerCheck, ok: boolean): Promise<void> {
  try {
    await breakers.record(routing.key, routing.breaker!, check, ok);
  } catch {
    // See above.
  }
}

const CLOSED: BreakerCheck = { state: 'closed', failures: 0 };

/** The target's deadlines, with the loop's remaining time capping what it governs. */
function attemptTimeouts(routing: TargetRouting, stream: boolean, remainingMs: number): CallTimeouts {
  const left = Math.max(1, Math.ceil(remainingMs));
  // A stream's part of the loop ends at its first event; a JSON call's at its last byte.
  if (stream) return { ...routing.timeouts, firstByte: Math.min(routing.timeouts.firstByte ?? left, left) };
  return { ...routing.timeouts, total: Math.min(routing.timeouts.total ?? left, left) };
}

/** The most useful error once every target failed, with the attempts named in its message. */
function exhausted(req: LoopRequest, errors: readonly GatewayError[]): GatewayError {
  const attempts = formatAttempts(req.attempts);
  const sent = errors.filter((e) => e.code !== 'gateway_overloaded');
  if (sent.length === 0) {
    // Nothing was sent: busy targets (skipped or shed) make it an overload, else every breaker was open.
    if (req.attempts.some((a) => a.outcome === 'busy')) {
      return new GatewayError('gateway_overloaded', `Every usable target of '${req.plan.alias}' is at its concurrency limit (attempts: ${attempts}); try again shortly.`, { retryAfter: '1' });
    }
    return new GatewayError('upstream_unavailable', `Every target of '${req.plan.alias}' is unavailable after repeated failures (attempts: ${attempts}).`, { retryAfter: '1' });
  }
  // All rate limited: the client should slow down (429). Otherwise the last real failure.
  const chosen = allRateLimited(req.attempts) ? sent.at(-1)! : (sent.findLast((e) => e.code !== 'upstream_rate_limited') ?? sent.at(-1)!);
  // A provider that said `retry-after-ms` only still gets the client a Retry-After (whole seconds).
  const askedMs = chosen.upstream?.retryAfterMs;
  const retryAfter = chosen.retryAfter ?? (askedMs === undefined ? undefined : String(Math.max(1, Math.ceil(askedMs / 1000))));
  return chosen.with({ message: `${chosen.message} (attempts: ${attempts})`, retryAfter });
}

function deadlinePassed(req: LoopRequest, deadlineMs: number, errors: readonly GatewayError[]): GatewayError {
  const last = errors.at(-1);
  const detail = last === undefined ? '' : `; last error: ${last.message}`;
  return new GatewayError('upstream_timeout', `The deadline of ${deadlineMs} ms for '${req.plan.alias}' passed (attempts: ${formatAttempts(req.attempts)})${detail}`);
}

function clientGone(): GatewayError {
  return new GatewayError('upstream_error', 'The client closed the connection.');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(clientGone());
    const onAbort = () => {
      clearTimeout(timer);
      reject(clientGone());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
