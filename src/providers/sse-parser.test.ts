import { describe, expect, it } from 'vitest';
import { GatewayError } from '../proxy/errors.ts';
import { parseSse, type ParsedEvent, type SseLimits } from './sse-parser.ts';

const limits = (maxEventBytes = 1024 * 1024): SseLimits => ({
  maxEventBytes,
  tooLarge: () => new GatewayError('upstream_response_too_large', `event over ${maxEventBytes} bytes`),
});

async function collect(parts: string[], max?: number): Promise<ParsedEvent[]> {
  async function* chunks() {
    for (const part of parts) yield new TextEncoder().encode(part);
  }
  const out: ParsedEvent[] = [];
  for await (const event of parseSse(chunks(), limits(max))) out.push(event);
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
    for await (const event of parseSse(chunks(), limits())) out.push(event);
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

  it('reassembles a line split across many chunks, with CRLF split between chunks', async () => {
    expect(await collect(['da', 'ta: {"a"', ':1}\r', '\n', '\r\n'])).toEqual([{ event: '', data: '{"a":1}' }]);
  });

  it('accepts a line of exactly the limit and refuses one byte more', async () => {
    const line = (n: number) => `data: ${'x'.repeat(n - 'data: '.length)}\n\n`;
    expect(await collect([line(100)], 100)).toHaveLength(1);
    await expect(collect([line(101)], 100)).rejects.toMatchObject({ code: 'upstream_response_too_large' });
  });

  it('refuses a giant line that never ends, without waiting for its newline', async () => {
    let sent = 0;
    async function* endless() {
      yield new TextEncoder().encode('data: ');
      for (;;) {
        sent++;
        yield new Uint8Array(64 * 1024).fill(120);
      }
    }
    await expect(
      (async () => {
        for await (const _ of parseSse(endless(), limits(1024 * 1024))) {
          // nothing is ever dispatched
        }
      })(),
    ).rejects.toMatchObject({ code: 'upstream_response_too_large' });
    // Stopped at the chunk that crossed the limit: "data: " plus 16 chunks of 64 KB pass 1 MB.
    expect(sent).toBe(16);
  });

  it('refuses one event whose many small data lines add up past the limit', async () => {
    const lines = Array.from({ length: 20 }, () => `data: ${'y'.repeat(10)}\n`).join('');
    await expect(collect([lines, '\n'], 100)).rejects.toMatchObject({ code: 'upstream_response_too_large' });
    // The same lines as separate events are fine.
    expect(await collect([lines.replaceAll('\n', '\n\n')], 100)).toHaveLength(20);
  });

  it('scans a long line in linear time: a 50 MB line split into 16 KB chunks is parsed once', async () => {
    const piece = new Uint8Array(16 * 1024).fill(122);
    async function* chunks() {
      yield new TextEncoder().encode('data: ');
      for (let i = 0; i < 3200; i++) yield piece;
      yield new TextEncoder().encode('\n\n');
    }
    const out: ParsedEvent[] = [];
    for await (const event of parseSse(chunks(), limits(64 * 1024 * 1024))) out.push(event);
    expect(out).toHaveLength(1);
    expect(out[0]!.data.length).toBe(3200 * 16 * 1024);
  });
});
