import { z } from 'zod';
import { configSchema } from './schema.ts';

/** JSON Schema of the config file (as written, before defaults), for editor autocompletion. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Tollgate configuration',
  };
}
