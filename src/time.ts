import { UsageError } from './errors.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)\s*([smhd])$/;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const DURATION_HELP = 'expected a number and a unit, such as 90s, 30m, 6h or 2d';

function durationMs(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  return m && Number(m[1]) > 0 ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** `30m`, `6h`, `2d` -> milliseconds; `what` names the option in the error. */
export function parseDuration(value: string, what: string): number {
  const ms = durationMs(value);
  if (ms === undefined) {
    const zero = DURATION.test(value.trim());
    throw new UsageError(`invalid ${what} '${value}': ${zero ? 'it must be longer than 0' : DURATION_HELP}`);
  }
  return ms;
}

/**
 * A point in time: `now`, `2h ago` (any duration with `ago`), or ISO 8601 (`2026-11-25T10:00:00Z`; a
 * time without a zone is UTC, so that the same command means the same window on every machine).
 */
/** A point in time as typed: resolved against the clock when the command runs. */
export interface Instant {
  readonly text: string;
  at(now: Date): Date;
}

export function parseInstant(value: string, what: string, now: Date): Date {
  const v = value.trim();
  if (v === 'now') return now;
  const ago = /^(.+?)\s+ago$/.exec(v);
  if (ago) {
    const ms = durationMs(ago[1]!);
    if (ms === undefined) throw new UsageError(`invalid ${what} '${value}': ${DURATION_HELP}, then 'ago'`);
    return new Date(now.getTime() - ms);
  }
  if (!ISO.test(v)) throw new UsageError(`invalid ${what} '${value}': expected ISO 8601 (2026-11-25T10:00:00Z), 'now', or a duration ago ('2h ago')`);
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes('T') ? v : `${v}Z`;
  const date = new Date(zoned);
  const [, y = 0, m = 0, d = 0] = (/^(\d{4})-(\d{2})-(\d{2})/.exec(v) ?? []).map(Number);
  // Date rolls 2026-02-30 over into March; a real calendar day has to exist as written.
  const realDay = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (!realDay || Number.isNaN(date.getTime())) throw new UsageError(`invalid ${what} '${value}': not a real date and time`);
  return date;
}

/** How long the records a window reads are kept, and the sentence that says so ("X-Ray keeps traces for 30 days"). */
export interface Kept {
  readonly days: number;
  readonly why: string;
}

/**
 * A query window: `--since` (ending now), or `--from`/`--to` (`--to` defaults to now; the command
 * refuses --since with either). Refuses a window that ends before it starts, ends in the future, or
 * starts before the oldest record kept.
 */
export function windowOf(o: { since?: number; from?: Instant; to?: Instant }, now: Date, kept: Kept): { from: Date; to: Date } {
  const to = o.to?.at(now) ?? now;
  const from = o.from?.at(now) ?? new Date(to.getTime() - (o.since ?? 0));
  if (!o.to && from >= now) throw new UsageError(`--from (${from.toISOString()}) is ${from > now ? 'in the future' : 'now'}; nothing is recorded after now`);
  if (from >= to) throw new UsageError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  if (to > now) throw new UsageError(`--to (${to.toISOString()}) is in the future; nothing is recorded after now`);
  const earliest = new Date(now.getTime() - kept.days * UNIT_MS.d);
  if (from < earliest) {
    throw new UsageError(`the window starts ${from.toISOString()}, more than ${kept.days} days ago: ${kept.why}`, { hint: `the earliest start is ${earliest.toISOString()}` });
  }
  return { from, to };
}
