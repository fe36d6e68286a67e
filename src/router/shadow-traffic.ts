import type { Logger } from 'pino';
import type { Config, ShadowConfig } from '../config/schema.ts';
import type { PriceBook } from '../metering/pricing.ts';
import type { Usage } from '../metering/usage.ts';
import type { Providers } from '../providers/registry.ts';
import type { Provider } from '../providers/types.ts';
import { jsonOfBytes } from '../proxy/answer-json.ts';
import { toGatewayError } from '../proxy/errors.ts';
import { sameToolCalls, summarizeCompletion, type AnswerSummary } from './answer-summary.ts';
import { BackgroundQueue, type QueueLimits } from './background-queue.ts';

// Shadow traffic: a sample of an alias's requests is sent again, in the background, to a
// candidate model, and one log line compares the two answers. The client never waits for
// it and never pays for it: the mirror starts only once the primary answer is ready (or
// its stream has started), runs on a bounded queue (full → dropped and counted), is never
// retried, is always non-streaming, carries none of the client's credentials, and has a
// total deadline. Its cost is metered apart, as shadow cost.

export interface ShadowTarget {
  readonly provider: Provider;
  readonly model: string;
  /** Share of requests mirrored, 0..1. */
  readonly sample: number;
  /** The whole call's deadline: the provider's total timeout. */
  readonly timeoutMs: number;
}

/** An alias's shadow target, when one is configured and its provider is live. */
export function resolveShadow(config: Config, spec: ShadowConfig | undefined, providers: Providers): ShadowTarget | undefined {
  const provider = spec === undefined ? undefined : providers.live.get(spec.provider);
  if (spec === undefined || provider === undefined || spec.sample === 0) return undefined;
  const providerSpec = config.providers[spec.provider];
  const timeoutMs = providerSpec !== undefined && providerSpec.kind !== 'mock' ? providerSpec.timeouts.total : DEFAULT_TIMEOUT_MS;
  return { provider, model: spec.model, sample: spec.sample, timeoutMs };
}

const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_SHADOW_LIMITS: QueueLimits = { concurrency: 8, capacity: 64 };
/** Drops are logged at most this often (the count is in every such line). */
const DROP_LOG_INTERVAL_MS = 10_000;

/** How the client's own request went, known when its answer is complete. */
export interface PrimaryOutcome {
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly status: number;
  readonly code?: string;
  readonly latencyMs: number;
  readonly usage: Usage | undefined;
  readonly answer: AnswerSummary | undefined;
}

export interface Mirror {
  readonly reqId: string;
  readonly alias: string;
  /** The request as the primary target received it. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly target: ShadowTarget;
  readonly primary: Promise<PrimaryOutcome>;
}

interface ShadowOutcome {
  readonly status: number;
  readonly code?: string;
  readonly latencyMs: number;
  readonly usage: Usage | undefined;
  readonly answer: AnswerSummary | undefined;
}

export class ShadowTraffic {
  readonly #queue: BackgroundQueue;
  readonly #logger: Logger;
  readonly #prices: PriceBook;
  #lastDropLog = -Infinity;
  #stopped = false;
  #costUsd = 0;

  constructor(logger: Logger, prices: PriceBook, stop: AbortSignal | undefined, limits: QueueLimits = DEFAULT_SHADOW_LIMITS) {
    this.#logger = logger;
    this.#prices = prices;
    this.#queue = new BackgroundQueue(limits);
    stop?.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Whether this request is in the sample. */
  picks(target: ShadowTarget): boolean {
    return target.sample >= 1 || Math.random() < target.sample;
  }

  mirror(mirror: Mirror): void {
    if (this.#stopped) return; // draining: no new background work
    if (this.#queue.push((signal) => this.#run(mirror, signal))) return;
    const now = performance.now();
    if (now - this.#lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.#lastDropLog = now;
    this.#logger.warn({ reqId: mirror.reqId, alias: mirror.alias, shadowDropped: this.#queue.counts.dropped }, 'shadow request dropped: the shadow queue is full');
  }

  /** Drops waiting shadow calls and cancels running ones (shutdown). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const before = this.#queue.counts;
    this.#queue.stop();
    if (before.started + before.dropped === 0) return;
    const { started, dropped, cancelled } = this.#queue.counts;
    this.#logger.info({ shadowStarted: started, shadowDropped: dropped, shadowCancelled: cancelled, shadowCostUsd: this.#costUsd }, 'shadow traffic stopped');
  }

  get counts() {
    return { ...this.#queue.counts, costUsd: this.#costUsd };
  }

  async #run(mirror: Mirror, stop: AbortSignal): Promise<void> {
    const { target } = mirror;
    const deadline = AbortSignal.timeout(target.timeoutMs);
    const signal = AbortSignal.any([stop, deadline]);
    const body: Record<string, unknown> = { ...mirror.body, model: target.model, stream: false };
    delete body.stream_options;
    const started = performance.now();
    let outcome: ShadowOutcome;
    try {
      const reply = await target.provider.chat({ body, requestId: `${mirror.reqId}-shadow`, signal }, false);
      if (reply.kind !== 'json') throw new Error('a non-streaming call answered with a stream');
      outcome = { status: 200, latencyMs: performance.now() - started, usage: reply.usage, answer: summarizeCompletion(jsonOfBytes(reply.bytes)) };
    } catch (err) {
      if (stop.aborted) return; // shutting down: counted as cancelled, nothing to compare
      const error = toGatewayError(err);
      const timedOut = deadline.aborted;
      outcome = {
        status: timedOut ? 504 : error.status,
        code: timedOut ? 'upstream_timeout' : error.publicCode,
        latencyMs: performance.now() - started,
        usage: undefined,
        answer: undefined,
      };
    }
    const shadowCost = this.#cost(target.model, outcome.usage);
    if (shadowCost !== undefined) this.#costUsd += shadowCost;
    // The slot is free now; the comparison waits for the primary (a stream may still run).
    void mirror.primary.then((primary) => this.#compare(mirror, primary, outcome, shadowCost));
  }

  #compare(mirror: Mirror, primary: PrimaryOutcome, shadow: ShadowOutcome, shadowCost: number | undefined): void {
    const both = primary.answer !== undefined && shadow.answer !== undefined;
    this.#logger.info(
      {
        reqId: mirror.reqId,
        alias: mirror.alias,
        primary: {
          provider: primary.provider,
          model: primary.model,
          status: primary.status,
          code: primary.code,
          latencyMs: round(primary.latencyMs),
          promptTokens: primary.usage?.promptTokens,
          completionTokens: primary.usage?.completionTokens,
          costUsd: primary.model === undefined ? undefined : this.#cost(primary.model, primary.usage),
        },
        shadow: {
          provider: mirror.target.provider.name,
          model: mirror.target.model,
          status: shadow.status,
          code: shadow.code,
          latencyMs: round(shadow.latencyMs),
          promptTokens: shadow.usage?.promptTokens,
          completionTokens: shadow.usage?.completionTokens,
          costUsd: shadowCost,
        },
        sameText: both ? primary.answer!.textDigest === shadow.answer!.textDigest : undefined,
        sameToolCalls: both ? sameToolCalls(primary.answer!, shadow.answer!) : undefined,
      },
      'shadow',
    );
  }

  /** USD, or undefined when there is no usage or no price for the model. */
  #cost(model: string, usage: Usage | undefined): number | undefined {
    if (usage === undefined) return undefined;
    const cost = this.#prices.cost(model, usage);
    return cost.priced ? cost.usd : undefined;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
