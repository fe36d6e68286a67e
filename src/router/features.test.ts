import { describe, expect, it } from 'vitest';
import { defaultDifficultyModel, DifficultyModel, type ModelFile } from './difficulty-model.ts';
import { DENSE_FEATURES, featuresOf, type DenseFeature } from './features.ts';
import { viewOfChat, viewOfPrompt } from './prompt-view.ts';

const feature = (text: string, name: DenseFeature) => featuresOf(viewOfPrompt(text), 0).dense[DENSE_FEATURES.indexOf(name)]!;

describe('features', () => {
  it('measures code, maths and cues', () => {
    expect(feature('```js\nconst x = 1;\n```', 'codeFences')).toBe(2);
    expect(feature('int main() {\n  return 0;\n}', 'codeLines')).toBeCloseTo(1);
    expect(feature('plain words here', 'codeLines')).toBe(0);
    expect(feature('solve x^2 + 3 = 7', 'mathSymbols')).toBeCloseTo(Math.log1p(3));
    expect(feature('Explain why, step by step', 'reasoningWords')).toBeCloseTo(Math.log1p(3)); // explain, why, "by step"
    expect(feature('Design a plan', 'planningWords')).toBeCloseTo(Math.log1p(2));
    expect(feature('hello there', 'reasoningWords')).toBe(0);
  });

  it('reads structure from a chat request', () => {
    const dense = featuresOf(
      viewOfChat({
        messages: [{ role: 'system', content: 'Think carefully.' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }],
        tools: [{ type: 'function' }],
        response_format: { type: 'json_object' },
        reasoning_effort: 'low',
      }),
      0,
    ).dense;
    const at = (name: DenseFeature) => dense[DENSE_FEATURES.indexOf(name)];
    expect([at('turns'), at('tools'), at('jsonObject'), at('jsonSchema'), at('effortLow'), at('effortHigh'), at('systemHardHint'), at('systemEasyHint')]).toEqual([
      Math.log1p(1), Math.log1p(1), 1, 0, 1, 0, 1, 0,
    ]);
    const brief = featuresOf(viewOfChat({ messages: [{ role: 'system', content: 'Be concise.' }, { role: 'user', content: 'x' }] }), 0).dense;
    expect([brief[DENSE_FEATURES.indexOf('systemHardHint')], brief[DENSE_FEATURES.indexOf('systemEasyHint')]]).toEqual([0, 1]);
  });

  it('hashes word n-grams into the configured buckets, deterministically', () => {
    const a = featuresOf(viewOfPrompt('the quick brown fox'), 8).hashed;
    const b = featuresOf(viewOfPrompt('the quick brown fox'), 8).hashed;
    expect(a.length).toBe(4 + 3);
    expect([...a.index]).toEqual([...b.index]);
    expect([...a.index].every((i) => i < 256)).toBe(true);
    expect(featuresOf(viewOfPrompt('the quick brown fox'), 0).hashed.length).toBe(0);
  });
});

describe('DifficultyModel', () => {
  it('computes sigmoid(bias + standardised weights + hashed weights)', () => {
    const dense = DENSE_FEATURES.map((name) => ({ name, mean: 0, scale: name === 'questions' ? 2 : 1, weight: name === 'questions' ? 1 : 0 }));
    const file: ModelFile = { version: 1, hashBits: 0, bias: -1, dense, hashed: [] };
    const model = new DifficultyModel(file);
    // questions = log1p(1); z = -1 + log1p(1) / 2
    expect(model.score(viewOfPrompt('why?'))).toBeCloseTo(1 / (1 + Math.exp(-(-1 + Math.log1p(1) / 2))));
  });

  it('refuses a model file for other features', () => {
    expect(() => new DifficultyModel({ version: 1, hashBits: 0, bias: 0, dense: [{ name: 'x', mean: 0, scale: 1, weight: 1 }], hashed: [] })).toThrow(/does not match/);
  });

  it('ships a model that ranks hard asks above small talk', () => {
    const model = defaultDifficultyModel();
    const score = (text: string) => model.score(viewOfPrompt(text));
    const easy = ['hi', 'What is the capital of France?', "Translate 'good morning' into Spanish."].map(score);
    const hard = [
      'Prove that there are infinitely many primes p such that p ≡ 3 (mod 4).',
      'Write a Python function that returns the longest palindromic substring in O(n) time, and explain its complexity.',
      'Solve for x: 3x^2 - 5x + 2 = 0, and explain each step.',
    ].map(score);
    for (const s of easy) expect(s).toBeLessThan(0.5);
    for (const s of hard) expect(s).toBeGreaterThanOrEqual(0.5);
    // Explicit hints move the score the documented way.
    const ask = { messages: [{ role: 'user', content: 'Summarise this paragraph.' }] };
    const plain = model.score(viewOfChat(ask));
    expect(model.score(viewOfChat({ ...ask, reasoning_effort: 'high' }))).toBeGreaterThan(plain);
    expect(model.score(viewOfChat({ ...ask, reasoning_effort: 'low' }))).toBeLessThan(plain);
    expect(model.score(viewOfChat({ ...ask, tools: [{ type: 'function' }] }))).toBeGreaterThan(plain);
    const withSystem = (content: string) => model.score(viewOfChat({ messages: [{ role: 'system', content }, ...ask.messages] }));
    expect(withSystem('Think step by step.')).toBeGreaterThan(withSystem('You are a helpful assistant.'));
    expect(withSystem('Be concise.')).toBeLessThan(withSystem('You are a helpful assistant.'));
  });

  it('scores a hostile request like any other (bounded view)', () => {
    const model = defaultDifficultyModel();
    const huge = 'word '.repeat(800_000);
    const score = model.score(viewOfChat({ messages: Array.from({ length: 2000 }, () => ({ role: 'user', content: huge })) }));
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1);
  });
});
