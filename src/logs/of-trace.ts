import type { Trace } from '@aws-sdk/client-xray';
import type { Deps } from '../deps.js';
import type { EnvNames } from '../stack/naming.js';
import type { SegmentDoc } from '../trace/waterfall.js';
import { type LogLine, SOURCES } from './lines.js';
import { traceLines } from './search.js';

/** Lambda writes an invocation's REPORT line after it ends, and CloudWatch Logs may stamp it a little later. */
const MARGIN_MS = 5 * 60_000;
/** Lines under one trace's waterfall, at most. */
export const TRACE_LOG_LIMIT = 500;

type Doc = SegmentDoc & { aws?: { api_gateway?: { request_id?: string } } };

/**
 * The log lines of one trace: every line of each invocation whose REPORT line names the trace, and
 * the access log line of API Gateway's request (its id is in the stage's segment), searched only
 * within the trace's own time span (and a margin).
 */
export async function logsOfTrace(trace: Trace, names: EnvNames, deps: Deps, now: Date): Promise<LogLine[]> {
  const docs = (trace.Segments ?? []).map((s) => JSON.parse(String(s.Document)) as Doc);
  const starts = docs.map((d) => d.start_time).filter(Number.isFinite);
  const ends = docs.map((d) => d.end_time ?? d.start_time).filter(Number.isFinite);
  if (!trace.Id || starts.length === 0) return [];
  const from = new Date(Math.min(...starts) * 1000 - MARGIN_MS);
  const to = new Date(Math.min(now.getTime(), Math.max(...ends) * 1000 + MARGIN_MS));
  const apiRequestIds = [...new Set(docs.flatMap((d) => d.aws?.api_gateway?.request_id ?? []))];
  const logs = await deps.aws.logs();
  const found = await traceLines(logs, names, { traceId: trace.Id, apiRequestIds, from, to, sources: SOURCES, limit: TRACE_LOG_LIMIT }, deps);
  return found.lines;
}
