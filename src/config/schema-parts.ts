import { z } from 'zod';
import { duration } from './units.ts';

// Small shapes every config section uses.

export const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, `${what} may use letters, digits and . _ : / @ -`);

export const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name');

export const positiveDuration = () => duration().pipe(z.number().min(1, 'must be longer than 0'));
