// A hostile provider's answers: far larger than anyone asked for, giant SSE lines, bodies that
// never finish, error messages that quote the caller's key. Large answers are written piece
// by piece with backpressure, so the fake itself never holds them whole (a 600 MB answer
// costs it a few hundred KB).
import type { Exchange } from './exchange.ts';
import { openAiError } from './openai-errors.ts';
import { JSON_TYPE, responseHeaders, SSE_TYPE } from './respond.ts';
import type { Behaviour } from './types.ts';

const PIECE = 64 * 1024;

/** Writes and waits for the socket to drain when its buffer is full; false once the connection is gone. */
export async function write(ex: Exchange, data: string | Buffer): Promise<boolean> {
  if (!ex.open) return false;
  if (ex.res.write(data)) return true;
  return new Promise((resolve) => {
    const done = () => {
      ex.res.off('drain', done);
      ex.res.off('close', done);
      resolve(ex.open);
    };
    ex.res.on('drain', done);
    ex.res.on('close', done);
  });
}

/** Writes `bytes` bytes of `filler` (repeated whole), in 64 KB writes. */
async function writeFiller(ex: Exchange, bytes: number, filler: string): Promise<boolean> {
  const unit = Math.max(1, Math.floor(PIECE / filler.length));
  const piece = Buffer.from(filler.repeat(unit));
  let left = Math.floor(bytes / filler.length) * filler.length;
  while (left > 0) {
    const part = left >= piece.length ? piece : piece.subarray(0, left);
    if (!(await write(ex, part))) return false;
    left -= part.length;
  }
  return true;
}

const USAGE = ', "usage": {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}';

/** The hostile JSON answers; true when one was sent (or the connection is gone). */
export async function applyHostileJson(ex: Exchange, b: Behaviour, streaming: boolean): Promise<boolean> {
  if (b.echoKey) {
    sendKeyEcho(ex, b);
    return true;
  }
  if (b.hugeBody && !streaming) {
    await sendHugeBody(ex, b, b.hugeBody);
    return true;
  }
  if (b.endless && !streaming) {
    ex.res.writeHead(200, responseHeaders(ex, b, b.contentType ?? JSON_TYPE));
    await write(ex, '{"id":"chatcmpl-endless","padding":"');
    while (await ex.sleep(b.chunkDelayMs ?? 50)) if (!(await write(ex, 'x'))) break;
    return true;
  }
  return false;
}

async function sendHugeBody(ex: Exchange, b: Behaviour, huge: NonNullable<Behaviour['hugeBody']>): Promise<void> {
  const embeddings = huge.shape === 'embeddings';
  const head = embeddings
    ? '{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": ['
    : '{"id": "chatcmpl-huge", "object": "chat.completion", "model": "fake-model", "choices": [{"index": 0, "message": {"role": "assistant", "content": "';
  const tail =
    (embeddings ? '0.5]}], "model": "fake-embedding"' : '"}, "finish_reason": "stop"}]') +
    (huge.usage === false ? '' : USAGE) +
    (embeddings ? '}' : ', "system_fingerprint": "fp_huge"}');
  const filler = embeddings ? '-0.012345678, ' : 'xxxxxxxx';
  const fillerBytes = Math.max(0, huge.bytes - head.length - tail.length);
  const total = head.length + Math.floor(fillerBytes / filler.length) * filler.length + tail.length;
  const headers = responseHeaders(ex, b, b.contentType ?? JSON_TYPE);
  if (huge.declareLength !== false) headers['content-length'] = total;
  ex.res.writeHead(200, headers);
  if ((await write(ex, head)) && (await writeFiller(ex, fillerBytes, filler))) ex.res.end(tail);
}

function sendKeyEcho(ex: Exchange, b: Behaviour): void {
  const echo = b.echoKey!;
  const auth = String(ex.req.headers.authorization ?? '');
  const key = auth.replace(/^Bearer\s+/i, '');
  const quoted =
    echo.as === 'lower' ? key.toLowerCase() : echo.as === 'upper' ? key.toUpperCase() : echo.as === 'prefix' ? key.slice(0, echo.prefix ?? 12) : key;
  const body = JSON.stringify(openAiError(`Incorrect API key provided: ${quoted}. You can find your API key at the dashboard.`, 'invalid_request_error', 'invalid_api_key'));
  const headers = responseHeaders(ex, b, JSON_TYPE);
  headers['content-length'] = Buffer.byteLength(body);
  ex.res.writeHead(b.status ?? 400, headers);
  ex.res.end(body);
}

/** Streaming: many large content events, written as the reader takes them. */
export async function streamBig(ex: Exchange, b: Behaviour, first: string): Promise<void> {
  const big = b.bigStream!;
  ex.res.writeHead(200, { 'cache-control': 'no-cache', ...responseHeaders(ex, b, b.contentType ?? SSE_TYPE) });
  if (!(await write(ex, `data: ${first}\n\n`))) return;
  const content = Buffer.from(
    `data: {"id": "chatcmpl-big", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "${'z'.repeat(big.eventBytes)}"}, "finish_reason": null}]}\n\n`,
  );
  for (let i = 0; i < big.events; i++) if (!(await write(ex, content))) return;
  ex.res.end('data: {"id": "chatcmpl-big", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n');
}

/** Streaming: one normal event, then one giant `data:` line. */
export async function streamGiantLine(ex: Exchange, b: Behaviour, first: string): Promise<void> {
  const giant = b.giantSseLine!;
  ex.res.writeHead(200, { 'cache-control': 'no-cache', ...responseHeaders(ex, b, b.contentType ?? SSE_TYPE) });
  if (!(await write(ex, `data: ${first}\n\n`))) return;
  const head = 'data: {"id": "chatcmpl-giant", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "';
  if (!(await write(ex, head)) || !(await writeFiller(ex, giant.bytes - head.length, 'y'))) return;
  if (!giant.finish) {
    // Keep the line open: only the gateway's limit (or a deadline) ends this.
    while (await ex.sleep(1000));
    return;
  }
  ex.res.end('"}, "finish_reason": null}]}\n\ndata: [DONE]\n\n');
}
