import type { JsonResult, Result, Stage, StreamResult } from '../../proxy/context.ts';
import { answerJson } from '../../proxy/answer-json.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { validationError } from '../../proxy/stages/validate-request.ts';
import { assistantMessages, fromChatCompletion, newFrame, newId, type ResponseFrame } from './answer.ts';
import { responsesNative } from './native.ts';
import { inputMessages, responsesRequestSchema, toChatRequest, untranslatable, type ChatMessage } from './request.ts';
import type { ResponseStore } from './store.ts';
import { responsesEvents } from './stream.ts';

// POST /v1/responses as a surface over the one pipeline: it runs right after the body is
// parsed, turns the request into the normalised chat request every later stage sees (keys,
// allow-lists, routing, fallbacks, the router, budgets, run guards), and renders the answer
// back at the edge: a chat answer becomes a Response object or its semantic events; a
// target that speaks the Responses API itself is relayed as is (see native.ts).

type Json = Record<string, unknown>;

export function responsesSurface(store: ResponseStore): Stage {
  return async function responsesSurface(ctx, next) {
    const original = ctx.body!;
    const checked = responsesRequestSchema.safeParse(original);
    if (!checked.success) throw validationError(checked.error, original);
    const tenant = ctx.tenant!.name;

    let problem = untranslatable(original);
    const note = (error: GatewayError) => void (problem ??= error);
    const input = inputMessages(original.input, note);
    let history: ChatMessage[] = [];
    const previousId = original.previous_response_id;
    if (typeof previousId === 'string') {
      const previous = await store.get(tenant, previousId);
      if (previous !== undefined) history = previous.messages;
      else note(new GatewayError('not_found', `Previous response with id '${previousId}' not found.`, { param: 'previous_response_id' }));
    }
    // Nothing chat can carry (every item refused): policies still see a well-formed request.
    const carried = problem !== undefined && history.length === 0 && input.length === 0 ? [{ role: 'user', content: '' }] : input;
    ctx.body = toChatRequest(original, history, carried);
    ctx.surface = 'responses';
    ctx.native = responsesNative(original, problem);

    const result = await next();
    if (ctx.servedNative) return result;
    const frame = newFrame(original);
    const save = async (response: Json) => {
      if (original.store === false) return;
      const messages = [...history, ...input, ...assistantMessages(response)];
      await store.put(tenant, frame.id, { response, inputItems: inputItems(original.input), messages });
    };
    return result.kind === 'json' ? renderJson(result, frame, save) : renderStream(result, frame, save);
  };
}

async function renderJson(result: JsonResult, frame: ResponseFrame, save: (response: Json) => Promise<void>): Promise<Result> {
  if (result.status !== 200) return result;
  const completion = answerJson(result) ?? JSON.parse(Buffer.from(result.bytes!).toString('utf8'));
  const response = fromChatCompletion(frame, completion as Json);
  await save(response);
  return { kind: 'json', status: 200, body: response };
}

function renderStream(result: StreamResult, frame: ResponseFrame, save: (response: Json) => Promise<void>): Result {
  return { kind: 'stream', events: responsesEvents(result.events, frame, save), usage: result.usage };
}

/** The request's input as items with ids, as GET /v1/responses/{id}/input_items lists them. */
function inputItems(input: unknown): Json[] {
  if (typeof input === 'string') return [{ id: newId('msg'), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) return [];
  return (input as Json[]).map((item) => {
    if (typeof item.id === 'string') return item;
    const type = item.type ?? 'message';
    const id = newId(type === 'function_call' ? 'fc' : 'msg');
    if (type !== 'message' || typeof item.content !== 'string') return { id, type, ...item };
    return { id, type, role: item.role, status: 'completed', content: [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] };
  });
}
