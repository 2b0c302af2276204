import type { Trace, TraceSummary } from '@aws-sdk/client-xray';
import { Chalk } from 'chalk';
import type { Deps } from '../deps.js';
import { isTransient, UsageError } from '../errors.js';
import type { Style } from '../io/types.js';
import { wholeNumber } from '../options.js';
import { namesFor } from '../stack/naming.js';
import { parseDuration, parseWindow } from '../time.js';
import { fetchTraces, filterExpression, traceSummaries } from '../trace/search.js';
import { type MapService, serviceMap } from '../trace/service-map.js';
import { PLAIN, waterfall } from '../trace/waterfall.js';

export interface TraceOptions {
  readonly env: string;
  /** @default 15m */
  readonly since?: string;
  readonly from?: string;
  readonly to?: string;
  readonly filter?: string;
  readonly errors?: boolean;
  readonly faults?: boolean;
  readonly slow?: string;
  readonly status?: string;
  readonly path?: string;
  /** @default 20 */
  readonly limit?: string;
  /** @default 6h */
  readonly chunk?: string;
  readonly id?: string[];
  readonly detail?: boolean;
  readonly follow?: boolean;
  readonly map?: boolean;
}

export type TraceResult =
  | { kind: 'summaries'; env: string; from: string; to: string; filter: string; summaries: TraceSummary[]; traces?: Trace[] }
  | { kind: 'traces'; env: string; traces: Trace[] }
  | { kind: 'followed'; env: string; filter: string; seen: number }
  | { kind: 'map'; env: string; from: string; to: string; services: MapService[] };

/** How often --follow looks for new traces, and the most it backs off to when throttled. */
export const FOLLOW_MS = 2000;
const FOLLOW_MAX_MS = 30_000;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

export async function run(o: TraceOptions, deps: Deps): Promise<TraceResult> {
  const names = namesFor(o.env);
  const ids = o.id ?? [];
  for (const id of ids) if (!TRACE_ID.test(id)) throw new UsageError(`invalid --id '${id}': an X-Ray trace id looks like 1-5759e988-bd862e3fe1be46a994272793`);
  const window = parseWindow(o, deps.clock());
  const limit = wholeNumber('--limit', o.limit, 1, 10_000) ?? 20;
  const chunkMs = parseDuration(o.chunk ?? '6h', '--chunk');
  const slowMs = wholeNumber('--slow', o.slow, 1, 3_600_000);
  const status = wholeNumber('--status', o.status, 100, 599);
  if (o.path !== undefined && !o.path.startsWith('/')) throw new UsageError(`invalid --path '${o.path}': a URL path starting with /`);
  const filter = filterExpression({ group: names.xrayGroup, filter: o.filter, errors: o.errors, faults: o.faults, slowMs, status, path: o.path });
  await deps.aws.cloudFormationReady();
  const xray = await deps.aws.xray();

  if (ids.length) return { kind: 'traces', env: o.env, traces: await fetchTraces(xray, ids, deps) };
  if (o.map) {
    const services = await serviceMap(xray, { ...window, group: names.xrayGroup }, deps);
    return { kind: 'map', env: o.env, from: window.from.toISOString(), to: window.to.toISOString(), services };
  }
  if (o.follow) return follow(o.env, filter, window.from, deps);
  deps.io.notify({ level: 'progress', code: 'trace.search', text: `Searching ${names.xrayGroup} from ${window.from.toISOString()} to ${window.to.toISOString()}` });
  const summaries = await traceSummaries(xray, { ...window, chunkMs, limit, filter }, deps);
  const traces = o.detail ? await fetchTraces(xray, summaries.flatMap((s) => s.Id ?? []), deps) : undefined;
  return { kind: 'summaries', env: o.env, from: window.from.toISOString(), to: window.to.toISOString(), filter, summaries, traces };
}

/** Polls for new traces until Ctrl-C; each is shown once. Throttling doubles the interval. */
async function follow(env: string, filter: string, from: Date, deps: Deps): Promise<TraceResult> {
  const xray = await deps.aws.xray();
  const { GetTraceSummariesCommand } = await import('@aws-sdk/client-xray');
  const seen = new Set<string>();
  let since = from;
  let interval = FOLLOW_MS;
  deps.claimInterrupts(); // Ctrl-C is how a follow ends (exit 0)
  deps.io.notify({ level: 'info', code: 'trace.follow', text: 'Following new traces (Ctrl-C to stop)' });
  while (!deps.signal.aborted) {
    const now = deps.clock();
    try {
      let token: string | undefined;
      do {
        const page = await xray.send(new GetTraceSummariesCommand({ StartTime: since, EndTime: now, FilterExpression: filter, Sampling: false, NextToken: token }));
        const fresh = (page.TraceSummaries ?? []).filter((s) => s.Id && !seen.has(s.Id)).sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0));
        for (const s of fresh) {
          seen.add(s.Id!);
          deps.io.notify({ level: 'info', code: 'trace.summary', text: summaryLine(s), data: s }, { stream: true });
        }
        token = page.NextToken;
      } while (token);
      // Traces can arrive late: look back a little, and let `seen` drop the repeats.
      since = new Date(Math.max(from.getTime(), now.getTime() - 60_000));
      interval = FOLLOW_MS;
    } catch (error) {
      if (!isTransient(error)) throw error;
      interval = Math.min(interval * 2, FOLLOW_MAX_MS);
      deps.io.notify({ level: 'warn', code: 'trace.throttled', text: `X-Ray is throttling (${(error as Error).name}); next look in ${interval / 1000} s` });
    }
    await deps.sleep(interval);
  }
  return { kind: 'followed', env, filter, seen: seen.size };
}

function summaryLine(s: TraceSummary): string {
  const http = [s.Http?.HttpMethod, s.Http?.HttpURL && new URL(s.Http.HttpURL).pathname, s.Http?.HttpStatus].filter(Boolean).join(' ') || '-';
  const mark = s.HasFault ? '✖ fault' : s.HasError ? '! error' : s.HasThrottle ? '! throttle' : 'ok';
  const services = (s.ServiceIds ?? []).map((x) => x.Name).filter(Boolean).join(', ');
  return `${s.StartTime?.toISOString() ?? '?'}  ${s.Id}  ${`${Math.round((s.Duration ?? 0) * 1000)} ms`.padStart(8)}  ${http}  ${mark}  ${services}`;
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const latency = (s: { p50Ms?: number; p90Ms?: number }) => (s.p50Ms === undefined ? '' : `  p50 ${s.p50Ms} ms, p90 ${s.p90Ms} ms`);

export function render(r: TraceResult, style: Style = { color: false }): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const paint = style.color ? { fault: chalk.red, error: chalk.yellow, dim: chalk.gray } : PLAIN;
  switch (r.kind) {
    case 'traces':
      return r.traces.length ? r.traces.map((t) => waterfall(t, paint)).join('\n\n') : 'no such trace (X-Ray keeps traces 30 days)';
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
