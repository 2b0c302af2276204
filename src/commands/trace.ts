import type { TraceSummary } from '@aws-sdk/client-xray';
import { Chalk } from 'chalk';
import type { Deps } from '../deps.js';
import { LookPace } from '../aws/retry.js';
import { EXIT, UsageError } from '../errors.js';
import type { Style } from '../messages/types.js';
import { defineCommand, type Input, option } from '../command.js';
import { drawLine, type LogLine } from '../logs/lines.js';
import { logsOfTrace } from '../logs/of-trace.js';
import { windowOf } from '../time.js';
import { checkUserFilter, fetchTraces, filterExpression, refusedFilter, traceSummaries } from '../trace/search.js';
import { type MapService, serviceMap } from '../trace/service-map.js';
import { type Paint, type ParsedTrace, parseTrace, PLAIN, waterfall } from '../trace/waterfall.js';
import { summaryLine } from '../messages/index.js';

export type TraceResult =
  | { kind: 'summaries'; env: string; from: string; to: string; filter: string; summaries: TraceSummary[]; traces?: ParsedTrace[] }
  | { kind: 'traces'; env: string; traces: ParsedTrace[]; logs?: Record<string, LogLine[]> }
  | { kind: 'followed'; env: string; filter: string; seen: number; interrupted: boolean }
  | { kind: 'map'; env: string; from: string; to: string; services: MapService[] };

/** How often --follow looks for new traces, and the most it backs off to when throttled. */
export const FOLLOW_MS = 2000;
const FOLLOW_MAX_MS = 30_000;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** X-Ray keeps traces for 30 days; an older window can find nothing. */
const KEPT = { days: 30, why: 'X-Ray keeps traces for 30 days' };

const TRACE_OPTIONS = {
  since: option.duration('window ending now: 90s, 30m, 6h, 2d (X-Ray keeps 30 days)', { default: '15m' }),
  from: option.time('window start: ISO 8601 (UTC when no zone) or relative, e.g. "2h ago"'),
  to: option.time('window end', { defaultHelp: 'now' }),
  filter: option.string('expr', 'an X-Ray filter expression, ANDed with the env group (it cannot widen the search beyond it)', { check: checkUserFilter }),
  errors: option.flag('only traces with errors (4xx)'),
  faults: option.flag('only traces with faults (5xx)'),
  slow: option.int('ms', 'only traces slower than this many milliseconds', { min: 1, max: 3_600_000 }),
  status: option.int('code', 'only traces with this HTTP status', { min: 100, max: 599 }),
  path: option.string('path', 'only traces whose URL contains this path, e.g. /events', {
    check: (text, flag) => {
      if (!text.startsWith('/')) throw new UsageError(`invalid ${flag} '${text}': a URL path starting with /`);
    },
  }),
  limit: option.int('n', 'at most this many traces, newest first', { min: 1, max: 10_000, default: 20 }),
  chunk: option.duration('query long windows in chunks of this size', { default: '6h' }),
  id: option.repeatable('trace-id', 'draw this trace', {
    check: (text, flag) => {
      if (!TRACE_ID.test(text)) throw new UsageError(`invalid ${flag} '${text}': an X-Ray trace id looks like 1-5759e988-bd862e3fe1be46a994272793`);
    },
  }),
  detail: option.flag('draw every trace found as a waterfall'),
  logs: option.flag("with --id: the trace's log lines (both functions and the API's access log) under its waterfall"),
  follow: option.flag('keep showing new traces until Ctrl-C'),
  map: option.flag('the service map of the window: requests, error and fault rates, p50/p90'),
};
type TraceInput = Input<typeof TRACE_OPTIONS, 'required'>;

export async function run(o: TraceInput, deps: Deps): Promise<TraceResult> {
  const names = o.env;
  const now = deps.clock();
  const window = windowOf(o, now, KEPT);
  const ids = o.id;
  if (o.logs && !ids.length) throw new UsageError('--logs draws the log lines of the traces given with --id', { hint: 'tap trace --env NAME --id TRACE_ID --logs' });
  const filter = filterExpression({ group: names.xrayGroup, filter: o.filter, errors: o.errors, faults: o.faults, slowMs: o.slow, status: o.status, path: o.path });
  const limit = o.limit;
  const chunkMs = o.chunk;
  await deps.aws.cloudFormationReady();
  const xray = await deps.aws.xray();

  if (ids.length) {
    const traces = await fetchTraces(xray, ids, deps);
    if (!o.logs) return { kind: 'traces', env: names.env, traces: traces.map(parseTrace) };
    const logs: Record<string, LogLine[]> = {};
    for (const t of traces) if (t.Id) logs[t.Id] = await logsOfTrace(t, names, deps, now);
    return { kind: 'traces', env: names.env, traces: traces.map(parseTrace), logs };
  }
  if (o.map) {
    const services = await serviceMap(xray, { ...window, group: names.xrayGroup }, deps);
    return { kind: 'map', env: names.env, from: window.from.toISOString(), to: window.to.toISOString(), services };
  }
  // Only the calls that carry the filter expression: their refusal may be the user's --filter.
  const search = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      throw refusedFilter(error, o.filter);
    }
  };
  if (o.follow) return search(follow(names.env, filter, window.from, deps));
  deps.io.notify({ level: 'progress', code: 'trace.search', data: { group: names.xrayGroup, from: window.from.toISOString(), to: window.to.toISOString() } });
  const summaries = await search(traceSummaries(xray, { ...window, chunkMs, limit, filter }, deps));
  const traces = o.detail ? (await fetchTraces(xray, summaries.flatMap((s) => s.Id ?? []), deps)).map(parseTrace) : undefined;
  return { kind: 'summaries', env: names.env, from: window.from.toISOString(), to: window.to.toISOString(), filter, summaries, traces };
}

/** Polls for new traces until Ctrl-C; each is shown once. A failed look doubles the interval (LookPace). */
async function follow(env: string, filter: string, from: Date, deps: Deps): Promise<TraceResult> {
  const xray = await deps.aws.xray();
  const { paginateGetTraceSummaries } = await import('@aws-sdk/client-xray');
  const seen = new Set<string>();
  let since = from;
  const pace = new LookPace(FOLLOW_MS, FOLLOW_MAX_MS, deps.aws.maxAttempts);
  deps.claimInterrupts(); // Ctrl-C is how a follow ends: its result, then exit 130 as `tap logs --follow`
  deps.io.notify({ level: 'info', code: 'trace.follow', data: { filter } });
  while (!deps.signal.aborted) {
    const now = deps.clock();
    try {
      for await (const page of paginateGetTraceSummaries({ client: xray }, { StartTime: since, EndTime: now, FilterExpression: filter, Sampling: false })) {
        const fresh = (page.TraceSummaries ?? []).filter((s) => s.Id && !seen.has(s.Id)).sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0));
        for (const s of fresh) {
          seen.add(s.Id!);
          deps.io.notify({ level: 'info', code: 'trace.summary', data: s }, { stream: true });
        }
      }
      // Traces can arrive late: look back a little, and let `seen` drop the repeats.
      since = new Date(Math.max(from.getTime(), now.getTime() - 60_000));
      pace.ok();
    } catch (error) {
      deps.io.notify({ level: 'warn', code: 'trace.look-failed', data: pace.failed(error) });
    }
    await deps.sleep(pace.intervalMs);
  }
  return { kind: 'followed', env, filter, seen: seen.size, interrupted: deps.signal.aborted };
}

/** The trace's log lines under its waterfall (`--logs`). */
function logsUnder(lines: LogLine[] | undefined, asked: boolean, paint: Paint): string {
  if (!asked) return '';
  if (!lines?.length) return '\nlogs: no log lines of this trace (CloudWatch Logs may take a minute to have them)';
  const colours = { error: (s: string) => paint.fault(s), warn: (s: string) => paint.error(s), dim: (s: string) => paint.dim(s) };
  return `\nlogs:\n${lines.map((l) => `  ${drawLine(l, colours)}`).join('\n')}`;
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const latency = (s: { p50Ms?: number; p90Ms?: number }) => (s.p50Ms === undefined ? '' : `  p50 ${s.p50Ms} ms, p90 ${s.p90Ms} ms`);

export function render(r: TraceResult, style: Style = { color: false }): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const paint = style.color ? { fault: chalk.red, error: chalk.yellow, dim: chalk.gray } : PLAIN;
  switch (r.kind) {
    case 'traces':
      return r.traces.length ? r.traces.map((t) => waterfall(t, paint) + logsUnder(r.logs?.[t.Id ?? ''], r.logs !== undefined, paint)).join('\n\n') : 'no such trace (X-Ray keeps traces 30 days)';
    case 'summaries':
      if (r.traces) return r.traces.map((t) => waterfall(t, paint)).join('\n\n') || `no traces from ${r.from} to ${r.to}`;
      return r.summaries.length ? r.summaries.map(summaryLine).join('\n') : `no traces from ${r.from} to ${r.to} matching ${r.filter}`;
    case 'followed':
      return `${r.seen} trace(s) seen`;
    case 'map':
      return r.services.length
        ? r.services
            .map((s) => [
              `${s.name} (${s.type}): ${s.requests} requests, errors ${pct(s.errorRate)}, faults ${pct(s.faultRate)}${latency(s)}`,
              ...s.edges.map((e) => `  -> ${e.to}: ${e.requests} requests, errors ${pct(e.errorRate)}, faults ${pct(e.faultRate)}${latency(e)}`),
            ].join('\n'))
            .join('\n')
        : `no services seen from ${r.from} to ${r.to}`;
  }
}

export function exitCode(r: TraceResult): number {
  if (r.kind === 'followed') return r.interrupted ? EXIT.interrupted : EXIT.ok;
  // Asked for traces by id and X-Ray has none of them: a script must not take that for success.
  return r.kind === 'traces' && r.traces.length === 0 ? EXIT.failed : EXIT.ok;
}

export default defineCommand({
  name: 'trace',
  summary: "search the env's X-Ray traces; draw one as a waterfall; follow new ones; the service map",
  env: 'required',
  options: TRACE_OPTIONS,
  conflicts: [['follow', 'map'], ['logs', 'follow'], ['logs', 'map'], ['id', 'follow'], ['id', 'map'], ['since', 'from'], ['since', 'to']],
  examples: [
    'tap trace --env prod --errors --since 1h',
    'tap trace --env prod --faults --path /events --detail --limit 5',
    'tap trace --env prod --id 1-5759e988-bd862e3fe1be46a994272793',
    'tap trace --env prod --id 1-5759e988-bd862e3fe1be46a994272793 --logs',
    'tap trace --env prod --follow',
    'tap trace --env prod --map --since 6h',
  ],
  exits: { 0: 'ok, also when a search finds nothing', 1: 'no trace of --id exists, or an AWS call still failed after the retries', 130: 'Ctrl-C ended --follow' },
  permissions: 'xray:GetTraceSummaries, xray:BatchGetTraces, xray:GetServiceGraph (--map), logs:FilterLogEvents on the env\'s three log groups (--logs).',
  run,
  render,
  exitCode,
});
