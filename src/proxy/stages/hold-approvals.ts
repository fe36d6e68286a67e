import type { ApprovalRecord } from '../../policies/approvals/approval-types.ts';
import {
  closingEvents,
  completionEvents,
  refusalMessages,
  releasedCompletion,
  textCompletion,
  tooLargeText,
  awaitingText,
  type AnswerMeta,
} from '../../policies/approvals/approval-answers.ts';
import type { Approvals } from '../../policies/approvals/approvals.ts';
import { callsOfCompletion, type TurnCalls } from '../../policies/approvals/held-calls.ts';
import { holdToolCalls } from '../../policies/approvals/hold-stream.ts';
import type { Usage } from '../../metering/usage.ts';
import { answerJson } from '../answer-json.ts';
import type { JsonResult, RequestCtx, Result, Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';

// Human approval of tool calls (chat only; tenants with a `tools.approve` list). Before the
// call: a run with an open approval is answered from it (still pending: the same "awaits
// approval" turn; approved: the released tool calls, without calling upstream; rejected or
// expired: a refusal note is appended to the conversation, which then goes upstream). After
// the call: a turn with a call that needs approval is withheld and recorded, and the agent
// gets an assistant turn saying so (`x-tollgate-approval` on JSON; in the text on streams,
// whose headers are already sent).

const HEADER = 'x-tollgate-approval';

export function holdApprovals(approvals: Approvals): Stage {
  return async function holdApprovals(ctx, next) {
    const tenant = ctx.tenant!.name;
    if (!approvals.governs(tenant)) return next();

    const sent = ctx.incoming.headers[HEADER];
    const found = await approvals.collect(tenant, ctx.runId, typeof sent === 'string' ? sent : undefined, ctx.id);
    if (found.kind === 'pending') return answer(ctx, textCompletion(awaitingText(found.record), { model: found.record.model }), found.record);
    if (found.kind === 'released') return answer(ctx, releasedCompletion(found.record), found.record);
    if (found.kind === 'refused') {
      const messages = ctx.body!.messages as unknown[];
      ctx.body!.messages = [...messages, ...refusalMessages(found.record, found.why)];
      ctx.responseHeaders[HEADER] = found.record.id;
    }

    const result = await next();
    // Undefined: the turn is too large to hold, so it is refused outright (and audited).
    const propose = (turn: TurnCalls, model: string): Promise<ApprovalRecord | undefined> =>
      approvals.propose({ tenant, runId: ctx.runId, requestId: ctx.id, model, calls: turn.calls, tooLarge: turn.tooLarge });

    if (result.kind === 'json') {
      if (result.status !== 200) return result;
      const body = answerJson(result, '"tool_calls"');
      if (body === undefined) {
        // Too large to look into: an approve-tier call could be inside, so it is not relayed.
        if (result.bytes !== undefined && Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength).includes('"tool_calls"')) {
          throw new GatewayError('upstream_error', 'The model\'s answer is too large to check its tool calls for approval.');
        }
        return result;
      }
      const turn = callsOfCompletion(body, approvals.maxArgumentBytes);
      if (!turn.calls.some((c) => approvals.needsApproval(tenant, c.name))) return result;
      const meta = metaOf(body, ctx);
      const usage = (body as { usage?: unknown }).usage;
      const record = await propose(turn, meta.model);
      if (record === undefined) return { kind: 'json', status: 200, body: textCompletion(tooLargeText(turn.calls), meta, usage) };
      ctx.responseHeaders[HEADER] = record.id;
      return { kind: 'json', status: 200, body: textCompletion(awaitingText(record), meta, usage) };
    }

    const events = holdToolCalls(result.events, {
      needsApproval: (name) => approvals.needsApproval(tenant, name),
      maxHeldBytes: approvals.maxArgumentBytes,
      withhold: async (turn, meta) => {
        const model = meta.model || (ctx.target?.model ?? ctx.alias ?? '');
        const record = await propose(turn, model);
        return closingEvents(record === undefined ? tooLargeText(turn.calls) : awaitingText(record), { ...meta, model });
      },
    });
    return { ...result, events };
  };
}

/** Answers from an approval without calling upstream: JSON, or the same completion as a stream. */
function answer(ctx: RequestCtx, completion: Record<string, unknown>, record: ApprovalRecord): Result {
  ctx.responseHeaders[HEADER] = record.id;
  if (!ctx.stream) return { kind: 'json', status: 200, body: completion } satisfies JsonResult;
  const events = completionEvents(completion, ctx.clientWantsUsage);
  const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, source: 'upstream' };
  return {
    kind: 'stream',
    events: (async function* () {
      yield* events;
    })(),
    usage: Promise.resolve(usage),
  };
}

function metaOf(body: unknown, ctx: RequestCtx): AnswerMeta {
  const b = body as { id?: unknown; created?: unknown; model?: unknown };
  return {
    id: typeof b.id === 'string' ? b.id : undefined,
    created: typeof b.created === 'number' ? b.created : undefined,
    model: typeof b.model === 'string' ? b.model : (ctx.target?.model ?? ''),
  };
}
