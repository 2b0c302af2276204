import { UsageError } from './errors.js';

/** A whole-number option (`--limit 20`), checked against its range before any AWS call. */
export function wholeNumber(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`invalid ${option} '${value}': a whole number from ${min} to ${max}`);
  return n;
}
