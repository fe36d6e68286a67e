import { CONFIG_DOCS } from './descriptions.ts';

// The README's configuration table, generated from descriptions.ts (`npm run docs:config`)
// between two marker comments; a test keeps the README in step.

export const TABLE_START = '<!-- config-table:start (npm run docs:config) -->';
export const TABLE_END = '<!-- config-table:end -->';

export function configTable(): string {
  const rows = Object.entries(CONFIG_DOCS).map(([key, doc]) => `| \`${key}\` | ${doc.default} | ${doc.text} |`);
  return ['| Key | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with its table replaced by the generated one; throws when the markers are missing. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`README.md needs the markers ${TABLE_START} and ${TABLE_END} around the config table`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}
