/**
 * Command-line options shared by the subcommands: parsing with node:util's parseArgs and checking
 * numbers, with every mistake of the user's reported as a UsageError (one line, exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line. The front end prints its message on one line and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs, with an unknown option or a missing value reported as a UsageError. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>>['values'] {
  try {
    return parseArgs(config).values;
  } catch (err) {
    throw new UsageError(oneLine((err as Error).message));
  }
}

/** A whole number >= min (and within 32 bits, which seeds and counts need). */
export function integerOption(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > 2 ** 31 - 1) {
    throw new UsageError(`${flag} expects an integer >= ${min}, got '${text}'`);
  }
  return n;
}

/** A number in [min, max], or [min, max) with `maxExclusive`. */
export function numberOption(text: string, flag: string, range: { min: number; max: number; maxExclusive?: boolean }): number {
  const n = Number(text);
  const belowMax = range.maxExclusive ? n < range.max : n <= range.max;
  if (text.trim() === '' || !(n >= range.min && belowMax)) {
    throw new UsageError(`${flag} expects a number in [${range.min}, ${range.max}${range.maxExclusive ? ')' : ']'}, got '${text}'`);
  }
  return n;
}

/** Folds a multi-line message onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
