// Micro-benchmark of the router's difficulty score: `npm run bench:router`.
// Times what the choose-side stage adds per request (the body is parsed already): the
// bounded view of the request, the features and the model. Prints a Markdown table.
import { readFileSync } from 'node:fs';
import { defaultDifficultyModel } from '../src/router/difficulty-model.ts';
import { viewOfChat } from '../src/router/prompt-view.ts';

const model = defaultDifficultyModel();
const prompts = readFileSync('data/router/router.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => (JSON.parse(line) as { prompt: string }).prompt);

const chat = (content: unknown) => ({ model: 'auto', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content }] });
let nested: unknown = { type: 'text', text: 'deep' };
for (let i = 0; i < 1000; i++) nested = { type: 'wrapper', content: [nested] };

const cases: Array<[name: string, bodies: Array<Record<string, unknown>>]> = [
  ['dataset prompts (6,740, median 300 chars)', prompts.map(chat)],
  ['8 KB prompt with code', [chat(`Fix this:\n\`\`\`ts\n${'const x = compute(a, b); // step\n'.repeat(240)}\`\`\``)]],
  ['4 MB prompt', [chat(`${'lorem ipsum dolor sit amet '.repeat(155_000)}What is 2+2?`)]],
  ['2,000 messages × 1.5 KB', [{ model: 'auto', messages: Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'word '.repeat(300) })) }]],
  ['2,000 messages × 4,000 content parts', [{ model: 'auto', messages: Array.from({ length: 2000 }, () => ({ role: 'user', content: Array.from({ length: 4000 }, () => ({ type: 'text', text: 'hi' })) })) }]],
  ['1,000-deep nested content part', [chat([nested, { type: 'text', text: 'hello' }])]],
];

const rows: string[] = ['| request | mean µs | p50 µs | p99 µs | max µs |', '| --- | --: | --: | --: | --: |'];
let sink = 0;
for (const [name, bodies] of cases) {
  const iterations = Math.max(20_000, bodies.length * 3);
  for (let i = 0; i < 2000; i++) sink += model.score(viewOfChat(bodies[i % bodies.length]!)); // warm-up
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const body = bodies[i % bodies.length]!;
    const start = process.hrtime.bigint();
    sink += model.score(viewOfChat(body));
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  const mean = times.reduce((a, b) => a + b, 0) / iterations;
  const at = (q: number) => times[Math.min(iterations - 1, Math.floor(q * iterations))]!;
  rows.push(`| ${name} | ${mean.toFixed(1)} | ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${at(1).toFixed(1)} |`);
}
process.stdout.write(`${rows.join('\n')}\n\n(node ${process.version}; checksum ${sink.toFixed(3)})\n`);
