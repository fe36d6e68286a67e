// Splits a byte stream into server-sent events (WHATWG event-stream format). Only what the
// gateway needs is kept: the data payload and the event name. Comments (keep-alives) and
// `id:`/`retry:` fields are dropped. Lines end in LF or CRLF.
//
// Work and memory are linear and bounded: each chunk is scanned once for newlines (a line
// split across chunks is kept as its pieces and joined once, when its newline arrives), and a
// line or one event's data longer than `maxEventBytes` fails the stream instead of growing.
// Splitting on the LF byte never cuts a UTF-8 character, so lines are decoded whole.

export interface ParsedEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseLimits {
  /** Longest line, and longest data of one event, in bytes. */
  readonly maxEventBytes: number;
  /** The error thrown when a line or an event is longer. */
  tooLarge(): Error;
}

const LF = 0x0a;
const CR = 0x0d;

export async function* parseSse(chunks: AsyncIterable<Uint8Array>, limits: SseLimits): AsyncGenerator<ParsedEvent> {
  const { maxEventBytes } = limits;
  // The current line's bytes received so far, when it spans chunks.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let data: string | undefined;
  let dataBytes = 0;
  let event = '';

  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        if (start < chunk.length) {
          pendingBytes += chunk.length - start;
          if (pendingBytes > maxEventBytes) throw limits.tooLarge();
          pending.push(chunk.subarray(start));
        }
        break;
      }
      let lineBuf: Buffer;
      if (pending.length === 0) lineBuf = chunk.subarray(start, newline);
      else {
        if (pendingBytes + newline - start > maxEventBytes) throw limits.tooLarge();
        pending.push(chunk.subarray(start, newline));
        lineBuf = Buffer.concat(pending);
        pending.length = 0;
        pendingBytes = 0;
      }
      start = newline + 1;
      const end = lineBuf.length > 0 && lineBuf[lineBuf.length - 1] === CR ? lineBuf.length - 1 : lineBuf.length;
      if (end === 0) {
        if (data !== undefined) yield { event, data };
        data = undefined;
        dataBytes = 0;
        event = '';
        continue;
      }
      if (end > maxEventBytes) throw limits.tooLarge();
      if (lineBuf[0] === 0x3a /* ':' comment */) continue;
      const line = lineBuf.toString('utf8', 0, end);
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') {
        dataBytes += end;
        if (dataBytes > maxEventBytes) throw limits.tooLarge();
        data = data === undefined ? value : `${data}\n${value}`;
      } else if (field === 'event') event = value;
    }
  }
  // An event without its closing blank line was cut off: it is not dispatched (the spec's
  // rule), and the caller sees the stream end without [DONE].
}
