import { readFileSync } from 'node:fs';
import type { Channel } from './model.ts';

// Labelled rows `{"text","label":"injection"|"benign","channel","source"}` (JSONL), for the
// training script and `tollgate eval-injection`.

export interface LabelledText {
  readonly text: string;
  readonly injection: boolean;
  readonly channel: Channel;
  readonly source: string;
}

export function readLabelledTexts(file: string): LabelledText[] {
  const rows: LabelledText[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const row = JSON.parse(line) as Record<string, unknown>;
      const { text, label, channel, source } = row;
      if (typeof text !== 'string' || (label !== 'injection' && label !== 'benign') || (channel !== 'user' && channel !== 'tool')) {
        throw new Error(`${file}:${i + 1}: expected {"text","label":"injection"|"benign","channel":"user"|"tool"}`);
      }
      rows.push({ text, injection: label === 'injection', channel, source: typeof source === 'string' ? source : 'unknown' });
    });
  return rows;
}
