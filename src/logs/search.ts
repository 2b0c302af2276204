import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import type { EnvNames } from '../stack/naming.js';
import { isError, type LogLine, logGroupOf, type LogSource, parseEvent } from './lines.js';

/** What to look for; every given filter must hold (ANDed). */
export interface LogFilter {
  readonly correlationId?: string;
  readonly errors?: boolean;
  /** Lines of these invocations (Lambda request ids) or API requests (API Gateway request ids). */
  readonly requestIds?: ReadonlySet<string>;
  /** REPORT lines of invocations in this X-Ray trace. */
  readonly traceId?: string;
}

export interface LogQuery extends LogFilter {
  readonly from: Date;
  readonly to: Date;
  readonly sources: readonly LogSource[];
  /** At most this many lines, the newest. */
  readonly limit: number;
}

export interface LogSearch {
  /** The newest `limit` lines of the window that match, oldest first. */
  readonly lines: LogLine[];
  /** Sources left out, and why (a filter the source cannot match, or its group does not exist: `missing`). */
  readonly skipped: { source: LogSource; reason: string; missing?: true }[];
  /** Events read; `truncated` when MAX_SCAN stopped the search before the window's start. */
  readonly scanned: number;
  readonly truncated: boolean;
}

/** The newest part of the window first; each older chunk twice as long, so a week takes about ten chunks. */
export const FIRST_CHUNK_MS = 15 * 60_000;
/** A bound on events read in one search, whatever the window holds. */
export const MAX_SCAN = 50_000;

/**
 * The filter pattern sent for a source: CloudWatch Logs narrows, tap's own check (`matches`) decides.
 * The functions write Lambda's text format (time, request id and level before each JSON line), which
 * a JSON pattern is not documented to match, so their groups get terms and quoted phrases; the
 * access log holds bare JSON, so it gets a JSON pattern. One pattern a call, so the most selective
 * filter is sent. Undefined: no filter (`skipped` says why a source cannot match at all).
 */
export function patternFor(source: LogSource, f: LogFilter): string | undefined {
  const ids = f.requestIds && [...f.requestIds];
  if (source === 'api') {
    if (ids?.length === 1) return `{ $.requestId = "${ids[0]}" }`;
    return !ids && f.errors ? '{ $.status = "5*" }' : undefined;
  }
  if (ids?.length) return ids.length === 1 ? `"${ids[0]}"` : ids.map((id) => `?"${id}"`).join(' ');
  // Only REPORT lines hold a trace id; one quoted phrase is also what emulators evaluate (moto 5.2.1 takes no term with it).
  if (f.traceId) return `"${f.traceId}"`;
  if (f.correlationId) return `"${f.correlationId}"`;
  return f.errors ? '?ERROR ?"Task timed out" ?"Status: timeout" ?"Status: error"' : undefined;
}

const NO_TRACE_ID = "the API's access log carries no trace id (`tap trace --id X --logs` finds its lines by the stage's request id)";

/** Why a source can hold no line for the filter, if so. */
export function cannotMatch(source: LogSource, f: LogFilter): string | undefined {
  if (source === 'api' && f.correlationId) return "the API's access log carries no correlation id";
  if (source === 'api' && f.traceId) return NO_TRACE_ID;
  return undefined;
}

/** tap's own check of a line against the filter (what the pattern only narrows). */
export function matches(line: LogLine, f: LogFilter): boolean {
  return (
    (!f.correlationId || line.correlationId === f.correlationId) &&
    (!f.errors || isError(line)) &&
    (!f.traceId || line.traceId === f.traceId) &&
    (!f.requestIds || (line.requestId !== undefined && f.requestIds.has(line.requestId)))
  );
}

/** The window split newest first into chunks that double in length. */
export function growingChunks(from: Date, to: Date): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let end = to.getTime();
  for (let size = FIRST_CHUNK_MS; end >= from.getTime(); size *= 2) {
    const start = Math.max(from.getTime(), end - size);
    out.push({ start, end });
    end = start - 1; // FilterLogEvents includes both ends: the next chunk stops just before this one
  }
  return out;
}

/** Reads one group over [start, end], every page, until its end or `budget` events; keeps the matching lines. */
export async function readGroup(
  logs: CloudWatchLogsClient,
  q: { group: string; source: LogSource; start: number; end: number; pattern?: string; filter: LogFilter; budget: number },
  keep: (line: LogLine) => void,
): Promise<{ read: number; cut: boolean }> {
  const { paginateFilterLogEvents } = await import('@aws-sdk/client-cloudwatch-logs');
  let read = 0;
  const pages = paginateFilterLogEvents({ client: logs }, { logGroupName: q.group, startTime: q.start, endTime: q.end, ...(q.pattern ? { filterPattern: q.pattern } : {}) });
  for await (const page of pages) {
    for (const e of page.events ?? []) {
      read++;
      const line = parseEvent(q.source, e);
      if (matches(line, q.filter)) keep(line);
    }
    if (read >= q.budget) return { read, cut: true };
  }
  return { read, cut: false };
}

export const isMissingGroup = (error: unknown): boolean => (error as { name?: string }).name === 'ResourceNotFoundException';

/**
 * The newest `limit` lines of the window from the sources' log groups, interleaved by time. Chunks
 * are read newest first, each to its end, until `limit` lines are found or MAX_SCAN events were read.
 */
export async function searchLogs(logs: CloudWatchLogsClient, names: EnvNames, q: LogQuery, deps: Pick<Deps, 'io'>): Promise<LogSearch> {
  const skipped: LogSearch['skipped'] = [];
  let sources = q.sources.filter((source) => {
    const reason = cannotMatch(source, q);
    if (reason) skipped.push({ source, reason });
    return !reason;
  });
  let found: LogLine[] = [];
  let scanned = 0;
  let truncated = false;
  for (const { start, end } of growingChunks(q.from, q.to)) {
    const chunk: LogLine[] = [];
    for (const source of sources) {
      const group = logGroupOf(names, source);
      try {
        const r = await readGroup(logs, { group, source, start, end, pattern: patternFor(source, q), filter: q, budget: MAX_SCAN - scanned }, (l) => chunk.push(l));
        scanned += r.read;
        truncated ||= r.cut;
      } catch (error) {
        if (!isMissingGroup(error)) throw error;
        skipped.push({ source, reason: `log group ${group} does not exist`, missing: true });
        deps.io.notify({ level: 'warn', code: 'logs.missing-group', text: `log group ${group} does not exist (is the env deployed, and has the ${source} run yet?)`, data: { group } });
        sources = sources.filter((s) => s !== source);
      }
      if (truncated) break;
    }
    found = newest([...chunk, ...found], q.limit);
    if (found.length >= q.limit || truncated || sources.length === 0) break;
  }
  if (truncated) deps.io.notify({ level: 'warn', code: 'logs.truncated', text: `stopped after reading ${scanned} log events: the newest lines found are shown; narrow the window or add a filter`, data: { scanned } });
  return { lines: found, skipped, scanned, truncated };
}

/** Lines by time (ties in the order read), the newest `limit`. */
export function newest(lines: readonly LogLine[], limit: number): LogLine[] {
  return [...lines].sort((a, b) => a.timestamp - b.timestamp).slice(-limit);
}

/** At most this many request ids in one pattern (a pattern holds at most 1,024 characters). */
const IDS_PER_PATTERN = 10;

/**
 * Every line of the invocations that a trace went through: Lambda writes the trace id only on the
 * REPORT line that ends each invocation, so the REPORT lines are found first and then every line
 * of their request ids. The access log carries no trace id: API Gateway's request ids (from the
 * trace's stage segment) find its lines, when given.
 */
export async function traceLines(
  logs: CloudWatchLogsClient,
  names: EnvNames,
  q: { traceId: string; apiRequestIds: readonly string[]; from: Date; to: Date; sources: readonly LogSource[]; limit: number; filter?: LogFilter },
  deps: Pick<Deps, 'io'>,
): Promise<LogSearch> {
  const window = { from: q.from, to: q.to, limit: q.limit };
  const also = { correlationId: q.filter?.correlationId, errors: q.filter?.errors }; // ANDed with the invocations' lines
  const all = { lines: [] as LogLine[], skipped: [] as LogSearch['skipped'], scanned: 0, truncated: false };
  const add = (r: LogSearch, keepLines = true) => {
    if (keepLines) all.lines.push(...r.lines);
    all.skipped.push(...r.skipped);
    all.scanned += r.scanned;
    all.truncated ||= r.truncated;
  };
  for (const source of q.sources.filter((s) => s !== 'api')) {
    const reports = await searchLogs(logs, names, { ...window, sources: [source], traceId: q.traceId, limit: MAX_SCAN }, deps);
    add(reports, false);
    const ids = [...new Set(reports.lines.map((l) => String(l.requestId)))]; // every REPORT line names its request
    for (let i = 0; i < ids.length; i += IDS_PER_PATTERN) add(await searchLogs(logs, names, { ...window, ...also, sources: [source], requestIds: new Set(ids.slice(i, i + IDS_PER_PATTERN)) }, deps));
  }
  if (q.sources.includes('api')) {
    if (!q.apiRequestIds.length) all.skipped.push({ source: 'api', reason: NO_TRACE_ID });
    for (const id of q.apiRequestIds) add(await searchLogs(logs, names, { ...window, ...also, sources: ['api'], requestIds: new Set([id]) }, deps));
  }
  return { ...all, lines: newest(all.lines, q.limit) };
}
