import type { z } from 'zod';
import { ValidationError } from './domain-error';

/** Parses a request body or query against its schema, or throws a ValidationError naming each field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new ValidationError(`Invalid input: ${details.join('; ')}`, details);
}
