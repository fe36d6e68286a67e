import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { RequestCtx } from '../proxy/context.ts';
import type { RequestOutcome } from './record-request.ts';
import { operationOf, type AttemptTrace, type RequestTrace } from './request-facts.ts';

// One server span per request and one client span per upstream attempt, named and
// attributed per the OpenTelemetry GenAI semantic conventions. The incoming W3C
// `traceparent` is the server span's parent; each attempt's span is sent upstream.

/** Content recorded in spans is cut at this many characters. */
const CONTENT_CAP = 16 * 1024;

export class RequestTracer {
  readonly #tracer: Tracer;
  readonly #propagator: TextMapPropagator;
  readonly #content: boolean;

  constructor(tracer: Tracer, propagator: TextMapPropagator, content: boolean) {
    this.#tracer = tracer;
    this.#propagator = propagator;
    this.#content = content;
  }

  /** Starts the request's server span, its parent taken from the incoming trace headers. */
  begin(ctx: RequestCtx): ServerSpan {
    const parent = this.#propagator.extract(ROOT_CONTEXT, ctx.incoming.headers, headerGetter);
    const operation = operationOf(ctx.endpoint);
    const span = this.#tracer.startSpan(
      operation,
      { kind: SpanKind.SERVER, attributes: { 'gen_ai.operation.name': operation, 'http.request.method': 'POST', 'tollgate.request_id': ctx.id } },
      parent,
    );
    return new ServerSpan(span, trace.setSpan(parent, span), this.#tracer, this.#propagator, this.#content);
  }
}

export class ServerSpan implements RequestTrace {
  readonly #span: Span;
  readonly #context: Context;
  readonly #tracer: Tracer;
  readonly #propagator: TextMapPropagator;
  readonly #content: boolean;

  constructor(span: Span, context: Context, tracer: Tracer, propagator: TextMapPropagator, content: boolean) {
    this.#span = span;
    this.#context = context;
    this.#tracer = tracer;
    this.#propagator = propagator;
    this.#content = content;
  }

  attempt(target: { readonly provider: { readonly name: string }; readonly model: string }): AttemptTrace {
    const span = this.#tracer.startSpan(
      `chat ${target.model}`,
      { kind: SpanKind.CLIENT, attributes: { 'gen_ai.provider.name': target.provider.name, 'gen_ai.request.model': target.model } },
      this.#context,
    );
    const headers: Record<string, string> = {};
    this.#propagator.inject(trace.setSpan(this.#context, span), headers, headerSetter);
    return {
      headers,
      end(outcome, error) {
        if (typeof outcome === 'number') span.setAttribute('http.response.status_code', outcome);
        if (error !== undefined || outcome !== 200) {
          span.setAttribute('error.type', errorType(error, outcome));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  }

  /** Ends the span with what the request came to. */
  end(ctx: RequestCtx, outcome: RequestOutcome, answer: Uint8Array | undefined): void {
    const span = this.#span;
    const operation = operationOf(ctx.endpoint);
    span.updateName(ctx.target === undefined ? operation : `${operation} ${ctx.target.model}`);
    span.setAttributes({
      'http.response.status_code': outcome.status,
      'tollgate.tenant': ctx.tenant?.name,
      'tollgate.alias': ctx.plan?.alias,
      'tollgate.run_id': ctx.runId,
      'tollgate.run_step': ctx.runStep,
      'tollgate.stream': ctx.stream,
      'tollgate.cost_usd': ctx.costUsd,
      'tollgate.cache': ctx.cache?.status,
      'tollgate.policy_verdicts': ctx.verdicts.length === 0 ? undefined : ctx.verdicts.map((v) => `${v.policy}:${v.action}:${v.mode}`),
      'tollgate.attempts': ctx.attempts.length === 0 ? undefined : ctx.attempts.length,
      'gen_ai.request.model': ctx.target?.model,
      'gen_ai.response.model': ctx.target?.model,
      'gen_ai.provider.name': ctx.target?.provider.name,
      'gen_ai.usage.input_tokens': ctx.usage?.promptTokens,
      'gen_ai.usage.output_tokens': ctx.endpoint === 'chat' ? ctx.usage?.completionTokens : undefined,
      'gen_ai.response.finish_reasons': answer === undefined ? undefined : finishReasons(answer),
    });
    if (this.#content) {
      const messages = ctx.body?.messages ?? ctx.body?.input;
      if (messages !== undefined) span.setAttribute('gen_ai.input.messages', capped(JSON.stringify(messages)));
      if (answer !== undefined) span.setAttribute('gen_ai.output.messages', capped(new TextDecoder().decode(answer.subarray(0, CONTENT_CAP * 4))));
    }
    if (outcome.code !== undefined) {
      span.setAttribute('error.type', outcome.code);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}

const headerGetter = {
  keys: (carrier: NodeJS.Dict<string | string[]>) => Object.keys(carrier),
  get: (carrier: NodeJS.Dict<string | string[]>, key: string) => carrier[key.toLowerCase()],
};

const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

function errorType(error: unknown, outcome: number | string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : String(outcome);
}

function capped(text: string): string {
  return text.length <= CONTENT_CAP ? text : `${text.slice(0, CONTENT_CAP)}…`;
}

/** `finish_reason` values of a chat completion, found without parsing the whole answer. */
function finishReasons(answer: Uint8Array): string[] | undefined {
  const text = new TextDecoder().decode(answer.length > 1 << 20 ? answer.subarray(answer.length - (1 << 16)) : answer);
  const reasons = [...text.matchAll(/"finish_reason"\s*:\s*"([a-z_]{1,32})"/g)].map((m) => m[1]!);
  return reasons.length === 0 ? undefined : reasons;
}
