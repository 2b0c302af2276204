import type { Trace, TraceSummary, XRayClient } from '@aws-sdk/client-xray';
import { retrying } from '../aws/pages.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';

/** What `tap trace` filters on; every shortcut is ANDed with the env's group. */
export interface TraceFilter {
  readonly group: string;
  readonly filter?: string;
  readonly errors?: boolean;
  readonly faults?: boolean;
  /** Slower than this many milliseconds. */
  readonly slowMs?: number;
  readonly status?: number;
  readonly path?: string;
}

/** One X-Ray filter expression: the env's group, then each shortcut, then the user's own expression. */
export function filterExpression(f: TraceFilter): string {
  const parts = [
    `group.name = ${JSON.stringify(f.group)}`,
    f.errors && 'error',
    f.faults && 'fault',
    f.slowMs !== undefined && `responsetime > ${f.slowMs / 1000}`,
    f.status !== undefined && `http.status = ${f.status}`,
    f.path !== undefined && `http.url CONTAINS ${JSON.stringify(f.path)}`,
    f.filter && `(${f.filter})`,
  ];
  return parts.filter((p): p is string => typeof p === 'string').join(' AND ');
}

/**
 * `--filter` goes into the expression in parentheses, which holds it inside the group only when its
 * own parentheses balance: `a) OR (b` would close the group's AND and widen the search to every
 * trace. So an expression whose parentheses (outside "strings") do not balance is refused. Strings
 * are double-quoted, as in the X-Ray Developer Guide's examples (`http.url CONTAINS "/api"`); a
 * backslash is taken to escape the next character inside one (the guide shows no escape).
 */
export function checkUserFilter(text: string, flag: string): void {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) break;
  }
  const why = quoted ? 'a "string" is not closed' : depth < 0 ? "a ')' closes what the expression did not open" : depth > 0 ? "a '(' is not closed" : undefined;
  if (why) throw new UsageError(`invalid ${flag} '${text}': ${why}`, { hint: 'the expression is ANDed with the env group, so its parentheses must balance' });
}

/** The window split into chunks of at most `chunkMs`, newest first (X-Ray limits one query's range). */
export function chunks(from: Date, to: Date, chunkMs: number): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  for (let end = to.getTime(); end > from.getTime(); end -= chunkMs) {
    out.push({ start: new Date(Math.max(from.getTime(), end - chunkMs)), end: new Date(end) });
  }
  return out;
}

/** Reads summaries chunk by chunk (newest first), every page, until `limit` distinct traces are found. */
export async function traceSummaries(
  xray: XRayClient,
  q: { from: Date; to: Date; chunkMs: number; limit: number; filter: string },
  deps: Deps,
): Promise<TraceSummary[]> {
  const { paginateGetTraceSummaries } = await import('@aws-sdk/client-xray');
  const client = retrying(xray, deps, 1000);
  const found = new Map<string, TraceSummary>();
  for (const { start, end } of chunks(q.from, q.to, q.chunkMs)) {
    for await (const page of paginateGetTraceSummaries({ client }, { StartTime: start, EndTime: end, FilterExpression: q.filter, Sampling: false })) {
      for (const s of page.TraceSummaries ?? []) if (s.Id && !found.has(s.Id)) found.set(s.Id, s);
      if (found.size >= q.limit) break;
    }
    if (found.size >= q.limit) break;
  }
  return [...found.values()].sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0)).slice(0, q.limit);
}

/** BatchGetTraces takes at most 5 ids per call. */
export const BATCH = 5;
/** Calls in flight at once: enough to hide latency, few enough not to be throttled. */
export const IN_FLIGHT = 4;

/** Full traces for `ids`, 5 per call, at most IN_FLIGHT calls at a time; in the order asked. */
export async function fetchTraces(xray: XRayClient, ids: readonly string[], deps: Deps): Promise<Trace[]> {
  const { paginateBatchGetTraces } = await import('@aws-sdk/client-xray');
  const client = retrying(xray, deps, 1000);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));
  const traces = new Map<string, Trace>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      for await (const page of paginateBatchGetTraces({ client }, { TraceIds: batch })) {
        for (const t of page.Traces ?? []) if (t.Id) traces.set(t.Id, t);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, batches.length) }, worker));
  return ids.flatMap((id) => traces.get(id) ?? []);
}

/**
 * X-Ray answers `InvalidRequestException` to a filter expression it cannot parse. When the user's
 * `--filter` is part of the expression, that is bad input (exit 2) with X-Ray's own words; without
 * one the expression is tap's, and the error stays what it is. Only for the calls that carry the
 * expression (GetTraceSummaries): their other inputs are tap's (a window in chunks, the paginator's
 * tokens).
 */
export function refusedFilter(error: unknown, userFilter: string | undefined): unknown {
  const e = error as { name?: string; message?: string };
  if (userFilter === undefined || e.name !== 'InvalidRequestException') return error;
  return new UsageError(`X-Ray refused the filter expression: ${e.message ?? e.name}`, {
    hint: `check --filter '${userFilter}' against X-Ray's filter-expression syntax (X-Ray Developer Guide, "Use filter expressions")`,
    cause: error,
  });
}
