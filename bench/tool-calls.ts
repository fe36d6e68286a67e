// Micro-benchmark of tool-call validation: `npm run bench:toolcalls`.
// Times what the validation stage adds per tool call on the labelled data: a cold pass
// (every distinct schema compiled once) and warm passes (schemas from the cache), per call
// and per answer, plus the hostile shapes. Prints a Markdown table.
import { readFileSync } from 'node:fs';
import { SchemaCache } from '../src/policies/tool-calls/schema-cache.ts';
import { OfferedTools, type CallToCheck } from '../src/policies/tool-calls/validate.ts';

interface Row {
  tools: unknown[];
  tool_calls: CallToCheck[];
}
const rows = readFileSync('data/toolcalls/toolcalls.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as Row);
const calls = rows.reduce((n, r) => n + r.tool_calls.length, 0);

const table: string[] = ['| case | answers | calls | total ms | µs per answer | µs per call |', '| --- | --: | --: | --: | --: | --: |'];
const pass = (name: string, cache: SchemaCache, data: Row[], repeat = 1) => {
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) for (const row of data) n += new OfferedTools(row.tools, cache).checkAll(row.tool_calls).errors.length;
  const ms = performance.now() - t0;
  const answers = data.length * repeat;
  const made = data.reduce((s, r) => s + r.tool_calls.length, 0) * repeat;
  table.push(`| ${name} | ${answers} | ${made} | ${ms.toFixed(0)} | ${((ms * 1000) / answers).toFixed(1)} | ${((ms * 1000) / made).toFixed(1)} |`);
  return n;
};

const cache = new SchemaCache();
let sink = pass('cold: every distinct schema compiled once', cache, rows);
const compiles = cache.compiles;
sink += pass('warm: schemas from the cache (5 passes)', cache, rows, 5);

const big = { type: 'function', function: { name: 'big', parameters: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, tag: { type: 'string' } }, required: ['id'] } } } } } };
const bigArgs = JSON.stringify({ items: Array.from({ length: 5000 }, (_, i) => ({ id: i, tag: `t${i}` })) });
sink += pass('200 KB arguments (5,000 array items)', cache, [{ tools: [big], tool_calls: [{ name: 'big', arguments: bigArgs }] }], 50);
const enumTool = { type: 'function', function: { name: 'pick', parameters: { type: 'object', properties: { v: { enum: Array.from({ length: 3000 }, (_, i) => `value-${i}`) } } } } };
sink += pass('3,000-value enum', cache, [{ tools: [enumTool], tool_calls: [{ name: 'pick', arguments: '{"v":"value-2999"}' }] }], 1000);

process.stdout.write(`${rows.length} answers, ${calls} tool calls, ${compiles} schemas compiled (cache holds ${cache.size})\n\n${table.join('\n')}\n`);
if (sink < 0) process.stdout.write('');
