import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { prettyLine } from './pretty-log.ts';

function capture() {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { sink, text: () => text };
}

describe('logging.format', () => {
  it('json (and auto when not a terminal) writes one JSON object per line', async () => {
    for (const format of ['json', 'auto'] as const) {
      const out = capture();
      createLogger('info', out.sink, format).info({ a: 1 }, 'hello');
      await new Promise((resolve) => setImmediate(resolve));
      expect(JSON.parse(out.text())).toMatchObject({ msg: 'hello', a: 1, level: 30 });
    }
  });

  it('pretty writes readable lines: time, level, message, fields', async () => {
    const out = capture();
    createLogger('info', out.sink, 'pretty').warn({ tenant: 'team-a', note: 'two words' }, 'budget low');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  budget low {2}tenant=team-a note="two words"\n$/);
  });

  it('renders the startup summary as a table of live and disabled providers and models, with reasons', () => {
    const line = JSON.stringify({
      level: 30,
      time: 0,
      msg: 'Tollgate listening on http://127.0.0.1:8787',
      config: 'config/tollgate.yaml',
      providers: ['mock (mock)'],
      disabledProviders: { openai: 'OPENAI_API_KEY is not set' },
      models: ['mock-chat'],
      unavailableModels: { 'gpt-4o-mini': 'provider "openai" is disabled' },
    });
    expect(prettyLine(line)).toBe(
      [
        '00:00:00.000 INFO  Tollgate listening on http://127.0.0.1:8787  config=config/tollgate.yaml',
        '    provider mock (mock)  live',
        '    provider openai       disabled: OPENAI_API_KEY is not set',
        '    model    mock-chat    live',
        '    model    gpt-4o-mini  unavailable: provider "openai" is disabled',
        '',
      ].join('\n'),
    );
  });

  it('passes a line that is not JSON through, and prints an error stack under its line', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
    const withErr = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { type: 'Error', message: 'x', stack: 'Error: x\n    at f' } }));
    expect(withErr).toBe('00:00:00.000 ERROR boom\n    Error: x\n        at f\n');
  });
});
