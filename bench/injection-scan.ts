// The prompt-injection detector's cost: `npm run bench:injection`. Prints µs per KB on
// ordinary texts of several sizes, and the time of hostile requests (a 4 MB message, 2,000
// messages, pathological Unicode), which the scan windows keep bounded.
import { detect } from '../src/policies/injection/detector.ts';
import { resolvePolicy, scanMessages } from '../src/policies/injection/policy.ts';
import { injectionSchema } from '../src/config/injection-schema.ts';

const PROSE =
  'The committee reviewed the quarterly figures and asked the regional teams to send their forecasts by Friday. ' +
  'Shipping costs rose in March; please compare them with last year and note any supplier that changed its terms. ';

function time(label: string, run: () => unknown, kb?: number, repeat = 20): void {
  run(); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) run();
  const us = Number(process.hrtime.bigint() - start) / 1000 / repeat;
  const per = kb === undefined ? '' : `  ${(us / kb).toFixed(1)} µs/KB`;
  process.stdout.write(`${label.padEnd(52)} ${us.toFixed(0).padStart(9)} µs${per}\n`);
}

const text = (bytes: number) => PROSE.repeat(Math.ceil(bytes / PROSE.length)).slice(0, bytes);
for (const kb of [1, 4, 16]) {
  const t = text(kb * 1024);
  time(`user message, ${kb} KB`, () => detect(t, 'user'), kb, 200);
  time(`tool message, ${kb} KB`, () => detect(t, 'tool'), kb, 200);
}
const policy = resolvePolicy(injectionSchema.parse({}), undefined)!;
const signal = new AbortController().signal;
const big = text(4 * 1024 * 1024);
time('hostile: one 4 MB user message (windowed)', () => detect(big, 'user'), undefined, 5);
time('hostile: one 4 MB tool message (windowed)', () => detect(big, 'tool'), undefined, 5);
const many = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'tool', content: text(2000) }));
time('hostile: 2,000 messages of 2 KB (4 MB body)', () => scanMessages(many, policy, signal), undefined, 3);
const zalgo = `a${'\u0301\u0302\u0303\u200b'.repeat(500_000)}`;
time('hostile: 2 MB of combining marks and zero-width', () => detect(zalgo, 'user'), undefined, 5);
const spaced = 'i g n o r e '.repeat(300_000);
time('hostile: 3.6 MB of spaced single letters', () => detect(spaced, 'tool'), undefined, 5);
const b64 = Buffer.from(text(3 * 1024 * 1024)).toString('base64');
time('hostile: 4 MB of base64', () => detect(b64, 'user'), undefined, 5);
