import { describe, expect, it } from 'vitest';
import { USER_TEXT_CAP, SYSTEM_TEXT_CAP, viewOfChat, viewOfPrompt } from './prompt-view.ts';

describe('viewOfChat', () => {
  it('reads the last user message, the system text, depth, tools and response format', () => {
    const view = viewOfChat({
      messages: [
        { role: 'system', content: 'You are an expert.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'part' }] },
      ],
      tools: [{ type: 'function' }, { type: 'function' }],
      response_format: { type: 'json_schema', json_schema: {} },
      reasoning_effort: 'high',
    });
    expect(view).toEqual({
      userText: 'second\npart',
      systemText: 'You are an expert.',
      totalChars: 'You are an expert.firstoksecondpart'.length,
      messages: 4,
      userTurns: 2,
      tools: 2,
      responseFormat: 'json_schema',
      reasoningEffort: 'high',
    });
  });

  it('tolerates any shape without throwing', () => {
    for (const body of [{}, { messages: 'x' }, { messages: [null, 3, 'x', { role: 'user', content: 5 }, { role: 'user', content: [null, 7, { text: 9 }] }] }, { response_format: 'json' }]) {
      const view = viewOfChat(body as Record<string, unknown>);
      expect(view.userText).toBe('');
      expect(view.responseFormat).toBe('none');
    }
  });

  it('keeps only the tail of a huge last message, and counts the rest', () => {
    const huge = `${'a'.repeat(4 * 1024 * 1024)}THE END`;
    const view = viewOfChat({ messages: [{ role: 'user', content: huge }] });
    expect(view.userText).toHaveLength(USER_TEXT_CAP);
    expect(view.userText.endsWith('THE END')).toBe(true);
    expect(view.totalChars).toBe(huge.length);
  });

  it('bounds what it visits in 2000 messages of huge content-part arrays', () => {
    const parts = Array.from({ length: 5000 }, () => ({ type: 'text', text: 'xy' }));
    const messages = Array.from({ length: 2000 }, () => ({ role: 'user', content: parts }));
    const view = viewOfChat({ messages });
    expect(view.userTurns).toBe(2000);
    // The part budget (1024 over the whole request) caps what is counted and read.
    expect(view.totalChars).toBe(1024 * 2);
    expect(view.userText.length).toBeLessThanOrEqual(USER_TEXT_CAP);
  });

  it('does not descend into deeply nested content', () => {
    let nested: unknown = { type: 'text', text: 'deep' };
    for (let i = 0; i < 10_000; i++) nested = { type: 'wrapper', content: [nested] };
    const view = viewOfChat({ messages: [{ role: 'user', content: [nested, { type: 'text', text: 'top' }] }] });
    expect(view.userText).toBe('top');
  });

  it('caps system text', () => {
    const view = viewOfChat({ messages: [{ role: 'system', content: 's'.repeat(100_000) }, { role: 'developer', content: 'more' }, { role: 'user', content: 'q' }] });
    expect(view.systemText).toHaveLength(SYSTEM_TEXT_CAP);
  });
});

describe('viewOfPrompt', () => {
  it('sees a bare prompt as one user message', () => {
    expect(viewOfPrompt('hello')).toMatchObject({ userText: 'hello', totalChars: 5, messages: 1, userTurns: 1, tools: 0 });
  });
});
