import { describe, expect, it } from 'vitest';
import { parseSse, type ParsedEvent } from './sse-parser.ts';

async function collect(parts: string[]): Promise<ParsedEvent[]> {
  async function* chunks() {
    for (const part of parts) yield new TextEncoder().encode(part);
  }
  const out: ParsedEvent[] = [];
  for await (const event of parseSse(chunks())) out.push(event);
  return out;
}

describe('parseSse', () => {
  it('splits events and keeps data exactly', async () => {
    expect(await collect(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual([
      { event: '', data: '{"a":1}' },
      { event: '', data: '[DONE]' },
    ]);
  });

  it('reassembles events split across chunks, including inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo"}\n\n');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    }
    const out: ParsedEvent[] = [];
    for await (const event of parseSse(chunks())) out.push(event);
    expect(out).toEqual([{ event: '', data: '{"t":"héllo"}' }]);
  });

  it('handles CRLF, comments, event names and multi-line data', async () => {
    expect(await collect([': keep-alive\r\n\r\nevent: error\r\ndata: a\r\ndata: b\r\n\r\n'])).toEqual([
      { event: 'error', data: 'a\nb' },
    ]);
  });

  it('drops an event cut off before its blank line', async () => {
    expect(await collect(['data: {"a":1}\n\ndata: {"b"'])).toEqual([{ event: '', data: '{"a":1}' }]);
  });
});
