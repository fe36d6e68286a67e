import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../providers/types.ts';
import { holdToolCalls } from './hold-stream.ts';
import type { TurnCalls } from './held-calls.ts';

// The stream hold on scripted chunks: text passes at once, tool-call deltas wait for the
// turn's end, a turn with a call needing approval is replaced by the closing events.

const chunk = (choice: Record<string, unknown>) => ({ data: JSON.stringify({ id: 'c1', model: 'm', created: 1, choices: [{ index: 0, ...choice }] }) });
const text = (content: string) => chunk({ delta: { content }, finish_reason: null });
const callStart = (index: number, name: string) => chunk({ delta: { tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name, arguments: '' } }] }, finish_reason: null });
const callArgs = (index: number, args: string) => chunk({ delta: { tool_calls: [{ index, function: { arguments: args } }] }, finish_reason: null });
const finish = (reason: string) => chunk({ delta: {}, finish_reason: reason });

async function* source(events: SseEvent[]) {
  yield* events;
}

async function run(events: SseEvent[], maxHeldBytes = 1 << 20) {
  const withheld: TurnCalls[] = [];
  const stream = holdToolCalls(source(events), {
    needsApproval: (name) => name === 'issue_refund',
    maxHeldBytes,
    withhold: async (turn, meta) => {
      withheld.push(turn);
      return [{ data: `CLOSING ${meta.model}` }];
    },
  });
  const seen: string[] = [];
  for await (const e of stream) seen.push(e.data);
  return { seen, withheld };
}

describe('holding streamed tool calls', () => {
  it('passes a turn without approve-tier calls through unchanged', async () => {
    const events = [text('Let me look.'), callStart(0, 'search'), callArgs(0, '{"q":'), callArgs(0, '"x"}'), finish('tool_calls'), { data: '{"choices":[],"usage":{}}' }];
    const { seen, withheld } = await run(events);
    expect(seen).toEqual(events.map((e) => e.data));
    expect(withheld).toEqual([]);
  });

  it('withholds the whole turn when any call needs approval, text still passing', async () => {
    const events = [text('Refunding now.'), callStart(0, 'search'), callArgs(0, '{}'), callStart(1, 'issue_refund'), callArgs(1, '{"order":'), callArgs(1, '"A-1"}'), finish('tool_calls'), { data: '{"choices":[],"usage":{}}' }];
    const { seen, withheld } = await run(events);
    expect(seen).toEqual([events[0]!.data, 'CLOSING m', '{"choices":[],"usage":{}}']);
    expect(withheld).toEqual([
      {
        calls: [
          { id: 'call_0', name: 'search', arguments: '{}' },
          { id: 'call_1', name: 'issue_refund', arguments: '{"order":"A-1"}' },
        ],
        tooLarge: false,
      },
    ]);
  });

  it('decides the turn when a stream ends without a finish', async () => {
    const { seen, withheld } = await run([callStart(0, 'issue_refund'), callArgs(0, '{}')]);
    expect(seen).toEqual(['CLOSING m']);
    expect(withheld).toHaveLength(1);
  });

  it('marks a turn whose arguments exceed the budget too large, holding no more of them', async () => {
    const { withheld } = await run([callStart(0, 'issue_refund'), ...Array.from({ length: 100 }, () => callArgs(0, 'x'.repeat(1000))), finish('tool_calls')], 10_000);
    expect(withheld[0]!.tooLarge).toBe(true);
    expect(withheld[0]!.calls[0]!.arguments).toBe('');
  });

  it('lets held deltas of calls needing no approval through past the budget, still withholding a later approve-tier call', async () => {
    const big = Array.from({ length: 20 }, () => callArgs(0, 'y'.repeat(1000)));
    const { seen, withheld } = await run([callStart(0, 'search'), ...big, callStart(1, 'issue_refund'), callArgs(1, '{}'), finish('tool_calls')], 5_000);
    expect(seen.filter((d) => d.includes('issue_refund'))).toEqual([]);
    expect(seen.at(-1)).toBe('CLOSING m');
    expect(seen.length).toBeGreaterThan(5);
    expect(withheld).toHaveLength(1);
  });
});
