// Splits a byte stream into server-sent events (WHATWG event-stream format). Only what the
// gateway needs is kept: the data payload and the event name. Comments (keep-alives) and
// `id:`/`retry:` fields are dropped. Lines end in LF or CRLF.

export interface ParsedEvent {
  readonly event: string;
  readonly data: string;
}

export async function* parseSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string | undefined;
  let event = '';
  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline: number;
    while ((newline = buffer.indexOf('\n', start)) !== -1) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const line = buffer.slice(start, end);
      start = newline + 1;
      if (line === '') {
        if (data !== undefined) yield { event, data };
        data = undefined;
        event = '';
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' comment */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (field === 'event') event = value;
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
  }
  // An event without its closing blank line was cut off: it is not dispatched (the spec's
  // rule), and the caller sees the stream end without [DONE].
}
