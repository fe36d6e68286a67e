import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../config/load.ts';
import { detect } from './detector.ts';
import { readLabelledTexts } from './labelled.ts';
import { percent, ratesAt } from './metrics.ts';
import { CHANNELS, shippedModel, type Channel } from './model.ts';

// `tollgate scan` (JSONL {"text","channel"} on stdin → {"score","verdict"} per line) and
// `tollgate eval-injection FILE.jsonl` (TPR, FPR, balanced accuracy per channel and source).

export class UsageError extends Error {}

const OPTIONS = { config: { type: 'string' } } as const;

/** Thresholds per channel: the config's `policies.injection.threshold`, else the model's own. */
function thresholdsFrom(configFile: string | undefined): Record<Channel, number> {
  const model = shippedModel();
  const configured = configFile === undefined ? undefined : loadConfigFile(configFile).config.policies.injection?.threshold;
  return { user: configured?.user ?? model.user.threshold, tool: configured?.tool ?? model.tool.threshold };
}

export async function scanCommand(args: string[], input: NodeJS.ReadableStream, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const thresholds = thresholdsFrom(values.config);
  let bad = 0;
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === '') continue;
    let row: { text?: unknown; channel?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      row = {};
    }
    const channel = row.channel ?? 'user';
    if (typeof row.text !== 'string' || (channel !== 'user' && channel !== 'tool')) {
      bad++;
      err(`line ${lineNo}: expected {"text": string, "channel": "user" | "tool"}\n`);
      out(`${JSON.stringify({ error: 'invalid line' })}\n`);
      continue;
    }
    const { score } = detect(row.text, channel);
    out(`${JSON.stringify({ score: Math.round(score * 1e4) / 1e4, verdict: score >= thresholds[channel] ? 'injection' : 'benign' })}\n`);
  }
  return bad === 0 ? 0 : 1;
}

export function evalInjectionCommand(args: string[], out: (text: string) => void): number {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  const file = positionals[0];
  if (file === undefined) throw new UsageError('eval-injection needs a FILE.jsonl');
  const thresholds = thresholdsFrom(values.config);
  const rows = readLabelledTexts(file).map((r) => ({ ...r, score: detect(r.text, r.channel).score }));
  if (rows.length === 0) throw new UsageError(`${file} has no rows`);
  const lines = [`${file}: ${rows.length} texts, ${rows.filter((r) => r.injection).length} injections`, ''];
  lines.push(`${'channel / source'.padEnd(60)} threshold   TPR    FPR  balanced  injections  benign`);
  for (const channel of CHANNELS) {
    const of = rows.filter((r) => r.channel === channel);
    if (of.length === 0) continue;
    const t = thresholds[channel];
    const row = (name: string, list: typeof of) => {
      const r = ratesAt(list, t);
      lines.push(`${name.padEnd(60)} ${t.toFixed(2).padStart(9)} ${percent(r.tpr)} ${percent(r.fpr)}   ${percent(r.balancedAccuracy)} ${String(r.injections).padStart(11)} ${String(r.benign).padStart(7)}`);
    };
    row(channel, of);
    for (const source of [...new Set(of.map((r) => r.source))].sort()) row(`  ${source}`, of.filter((r) => r.source === source));
  }
  out(`${lines.join('\n')}\n`);
  return 0;
}
