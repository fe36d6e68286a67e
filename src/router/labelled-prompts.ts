import { readFileSync } from 'node:fs';

// Labelled prompts as JSON Lines: {"prompt", "difficulty": "easy" | "hard", "source"?}.
// Used by the training script and by `tollgate eval-router`.

export interface LabelledPrompt {
  readonly prompt: string;
  readonly hard: boolean;
  readonly source: string;
}

export function readLabelledPrompts(file: string): LabelledPrompt[] {
  const rows: LabelledPrompt[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not valid JSON`);
      }
      const { prompt, difficulty, source } = (row ?? {}) as Record<string, unknown>;
      if (typeof prompt !== 'string' || (difficulty !== 'easy' && difficulty !== 'hard')) {
        throw new Error(`${file}:${i + 1}: expected {"prompt": string, "difficulty": "easy" | "hard"}`);
      }
      rows.push({ prompt, hard: difficulty === 'hard', source: typeof source === 'string' ? source : '' });
    });
  return rows;
}
