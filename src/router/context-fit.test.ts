import { describe, expect, it, vi } from 'vitest';
import { countPromptTokens, promptTokenCeiling } from '../metering/token-count.ts';
import { GatewayError } from '../proxy/errors.ts';
import type { Provider } from '../providers/types.ts';
import { DEFAULT_REPLY_TOKENS, fitToWindows } from './context-fit.ts';
import type { ResolvedTarget } from './model-table.ts';


const provider = { name: 'p' } as Provider;
const target = (model: string, contextWindow: number | undefined): ResolvedTarget => ({ provider, model, contextWindow });
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
const body = (messages: unknown[], extra: Record<string, unknown> = {}) => ({ model: 'alias', messages, ...extra });
const tokensOf = (b: Record<string, unknown>, model = 'gpt-4o') => countPromptTokens(b, model);

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('did not throw');
}


describe('fitToWindows', () => {
  const long = body([{ role: 'user', content: words(3000) }]);
  const prompt = tokensOf(long);

  it('does not count at all when no target has a known window', () => {
    const count = vi.fn(countPromptTokens);
    const targets = [target('llama', undefined)] as const;
    expect(fitToWindows(long, targets, 'fallback', count).targets).toBe(targets);
    expect(count).not.toHaveBeenCalled();
  });

  it('does not run the tokenizer when a byte count proves the prompt fits every window', () => {
    const count = vi.fn(countPromptTokens);
    const targets = [target('gpt-4o', 128_000), target('claude-sonnet-4', 200_000)] as const;
    expect(fitToWindows(long, targets, 'trim', count).targets).toBe(targets);
    expect(count).not.toHaveBeenCalled();
  });

  it('the byte ceiling is never below the real count, whatever the text or model', () => {
    const samples = [
      long,
      body([{ role: 'user', content: '日本語のテキスト、絵文字 🎉🎉🎉 '.repeat(200) }]),
      body([{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'u' } }] }], { tools: [{ type: 'function', function: { name: 'f' } }] }),
      body([{ role: 'user', content: '<|endoftext|>'.repeat(300) }, { role: 'assistant', name: 'n', tool_calls: [{ function: { name: 'f', arguments: '{}' } }] }]),
      body([{ role: 'user', content: 'a'.repeat(100_000) }]),
    ];
    for (const sample of samples) {
      for (const model of ['gpt-4o', 'gpt-4', 'claude-3-5-sonnet', 'llama']) {
        expect(promptTokenCeiling(sample)).toBeGreaterThanOrEqual(countPromptTokens(sample, model));
      }
    }
    expect(promptTokenCeiling(body([{ role: 'user', content: 'x'.repeat(300_000) }]))).toBe(Infinity);
  });

  it('fallback skips targets whose window is too small, and keeps unknown windows', () => {
    const small = target('gpt-4o', prompt);
    const unknown = target('local-model', undefined);
    const large = target('gpt-4o', prompt + DEFAULT_REPLY_TOKENS);
    const fit = fitToWindows(long, [small, unknown, large], 'fallback');
    expect(fit.targets).toEqual([unknown, large]);
    expect(fit.body).toBeUndefined();
  });

  it('counts once per encoding family, not once per target', () => {
    const count = vi.fn(countPromptTokens);
    fitToWindows(long, [target('gpt-4o', 10), target('gpt-4o-mini', 10_000_000), target('gpt-5', 20), target('gpt-4', 10_000_000)], 'fallback', count);
    expect(count).toHaveBeenCalledTimes(2); // o200k for the gpt-4o/5 family, cl100k for gpt-4
  });

  it('counts the requested completion instead of the default allowance', () => {
    const t = target('gpt-4o', prompt + 100);
    expect(fitToWindows({ ...long, max_completion_tokens: 100 }, [t], 'fallback').targets).toEqual([t]);
    expect(() => fitToWindows(long, [t], 'fallback')).toThrow(GatewayError); // the default allowance is larger
    const error = thrown(() => fitToWindows({ ...long, max_completion_tokens: 101 }, [t], 'fallback'));
    expect(error.code).toBe('context_length_exceeded');
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages');
    expect(error.message).toBe(
      `This model's maximum context length is ${prompt + 100} tokens. However, you requested ${prompt + 101} tokens (${prompt} in the messages, 101 in the completion). Please reduce the length of the messages or completion.`,
    );
    // max_tokens (older name) counts too; nonsense values fall back to the default allowance.
    expect(() => fitToWindows({ ...long, max_tokens: 5000 }, [t], 'fallback')).toThrow(GatewayError);
    expect(fitToWindows({ ...long, max_tokens: -1 }, [target('gpt-4o', prompt + DEFAULT_REPLY_TOKENS)], 'fallback').targets).toHaveLength(1);
    expect(fitToWindows({ ...long, max_tokens: '9e9' }, [target('gpt-4o', prompt + DEFAULT_REPLY_TOKENS)], 'fallback').targets).toHaveLength(1);
  });

  it('fallback with nothing fitting answers 400 against the largest window', () => {
    const error = thrown(() => fitToWindows(long, [target('gpt-4o', 100), target('gpt-4o', 200)], 'fallback'));
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toMatch(/^This model's maximum context length is 200 tokens\. However, your messages resulted in \d+ tokens/);
  });

  it('reject refuses when the first target does not fit, even if a later one would', () => {
    const error = thrown(() => fitToWindows(long, [target('gpt-4o', 100), target('gpt-4o', 1_000_000)], 'reject'));
    expect(error.code).toBe('context_length_exceeded');
    // When the first fits, later too-small targets are still dropped.
    const first = target('gpt-4o', 1_000_000);
    expect(fitToWindows(long, [first, target('gpt-4o', 100)], 'reject').targets).toEqual([first]);
  });

  it('trim drops the middle to fit the first target and keeps the later targets the trimmed request fits', () => {
    const turns: unknown[] = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'the task' }];
    for (let i = 0; i < 40; i++) turns.push({ role: 'assistant', content: words(50) }, { role: 'user', content: words(50) });
    turns.push({ role: 'user', content: 'the question' });
    const request = body(turns);
    const full = tokensOf(request);
    const first = target('gpt-4o', Math.floor(full / 2));
    const tiny = target('gpt-4o', 50);
    const unknown = target('local', undefined);
    const fit = fitToWindows(request, [first, tiny, unknown], 'trim');
    expect(fit.targets).toEqual([first, unknown]);
    const kept = fit.body!.messages as Array<{ content: string }>;
    expect(kept.slice(0, 2).map((m) => m.content)).toEqual(['sys', 'the task']);
    expect(kept.at(-1)!.content).toBe('the question');
    expect(kept.length + fit.trimmed!.messages).toBe(turns.length);
    expect(tokensOf(fit.body!) + DEFAULT_REPLY_TOKENS).toBeLessThanOrEqual(first.contextWindow!);
    expect(fit.trimmed!.tokens).toBe(full - tokensOf(fit.body!));
    expect(request.messages).toBe(turns); // the client's body is not changed
  });

  it('trim answers 400 when the kept minimum does not fit (one giant message)', () => {
    const error = thrown(() => fitToWindows(long, [target('gpt-4o', 1000)], 'trim'));
    expect(error.code).toBe('context_length_exceeded');
    expect(error.message).toContain('cannot be trimmed further');
  });
});
