import { valuesOf } from '../config.js';
import { defineCommand, type Input, option } from '../command.js';
import type { Deps } from '../deps.js';
import { EXIT, JobFailed, UsageError } from '../errors.js';
import type { Level } from '../messages/types.js';
import { followLogs } from '../logs/follow.js';
import { isError, type LogLine, type LogSource, SOURCES } from '../logs/lines.js';
import { cannotMatch, type LogSearch, searchLogs, traceLines } from '../logs/search.js';
import { stackSettings } from '../stack/settings.js';
import { windowOf } from '../time.js';

export type LogsResult =
  | { kind: 'logs'; env: string; from: string; to: string; sources: LogSource[]; count: number; truncated: boolean; skipped: LogSearch['skipped'] }
  /** `count`: every line shown, `recent` of them from before the follow began. */
  | { kind: 'followed'; env: string; sources: LogSource[]; via: 'live-tail' | 'polling'; count: number; recent: number; sampled: boolean; interrupted: boolean };

/** The handler's own rule for a correlation id (src/stack/functions/handler.cjs). */
const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

const sourcesCsv = option.csv('names', `only these sources: ${SOURCES.join(', ')} (comma-separated or repeated; api is the stage's access log)`, { choices: SOURCES });
/** The csv builder's own parse (its one error format), adding to what an earlier --function gave. */
const splitCsv = (text: string, flag: string): string[] => (sourcesCsv as Required<typeof sourcesCsv>).parse(text, flag, undefined) as string[];

const LOGS_OPTIONS = {
  since: option.duration('window ending now: 90s, 30m, 6h, 2d (the log groups keep 30 days, or logRetentionDays); with --follow, the recent lines shown first', { default: '15m' }),
  from: option.time('window start: ISO 8601 (UTC when no zone) or relative, e.g. "2h ago"'),
  to: option.time('window end', { defaultHelp: 'now' }),
  function: { ...sourcesCsv, parse: (text: string, flag: string, previous: string[] | undefined) => [...(previous ?? []), ...splitCsv(text, flag)] },
  correlationId: option.string('id', 'only lines with this correlation id (the functions log it in each JSON line)', {
    check: (text, flag) => {
      if (!CORRELATION_ID.test(text)) throw new UsageError(`invalid ${flag} '${text}': 8-64 letters, digits or hyphens, as the handler takes it`);
    },
  }),
  traceId: option.string('id', 'every line of the invocations in this X-Ray trace (found by the trace id in their REPORT lines)', {
    check: (text, flag) => {
      if (!TRACE_ID.test(text)) throw new UsageError(`invalid ${flag} '${text}': an X-Ray trace id looks like 1-5759e988-bd862e3fe1be46a994272793`);
    },
  }),
  errors: option.flag('only errors: JSON level error, the runtime ERROR, a failed or timed-out invocation, API 5xx'),
  follow: option.flag('keep showing new lines (Live Tail, else polling) until Ctrl-C'),
  limit: option.int('n', 'at most this many lines, the newest of the window (with --follow: of the recent lines; every new line is shown)', { min: 1, max: 10_000, default: 100 }),
};
type LogsInput = Input<typeof LOGS_OPTIONS, 'required'>;

function sourcesOf(given: string[] | undefined): LogSource[] {
  if (!given) return [...SOURCES];
  for (const s of given) if (!(SOURCES as readonly string[]).includes(s)) throw new UsageError(`invalid --function '${s}': one of ${SOURCES.join(', ')}`);
  return SOURCES.filter((s) => given.includes(s));
}

/** A line's own level as the message's: an ERROR line is an `error` event under --json, not `info`. */
const levelOf = (line: LogLine): Level => (isError(line) ? 'error' : line.level === 'warn' ? 'warn' : line.level === 'debug' || line.level === 'trace' ? 'debug' : 'info');

/** Each line as a message of its own: stdout for a person, an event line with `--json`. */
const emit = (deps: Deps) => (line: LogLine) => deps.io.notify({ level: levelOf(line), code: 'logs.line', data: line }, { output: true });

/** The sources searched: those asked for that the filter can match (`skipped` says why the others are left out). */
const searchedOf = (sources: readonly LogSource[], skipped: LogSearch['skipped']): LogSource[] => sources.filter((s) => !skipped.some((k) => k.source === s && !k.missing));

export async function run(o: LogsInput, deps: Deps): Promise<LogsResult> {
  const names = o.env;
  const sources = sourcesOf(o.function);
  const now = deps.clock();
  // The env's log groups keep what tap.config.json's logRetentionDays says (30 days by default).
  const days = stackSettings(valuesOf(deps.settings)).logRetentionDays;
  const window = windowOf(o, now, { days, why: `the env's log groups keep ${days} days` });
  const filter = { correlationId: o.correlationId, errors: o.errors };
  const reasons = sources.map((s) => cannotMatch(s, { ...filter, traceId: o.traceId }));
  if (reasons.every(Boolean)) throw new UsageError(`no line can match: ${[...new Set(reasons)].join('; ')}`, { hint: 'add --function handler,processor' });
  await deps.aws.cloudFormationReady(); // region and credentials fail fast, with the project's messages
  const logs = await deps.aws.logs();
  const matchable = sources.filter((_, i) => !reasons[i]);
  // Before a follow, a line of its own rather than a spinner: no spinner is left turning over the lines that follow.
  deps.io.notify({ level: o.follow ? 'info' : 'progress', code: 'logs.search', data: { sources: matchable, from: window.from.toISOString(), to: window.to.toISOString() } });
  const q = { ...window, sources, limit: o.limit };
  const found = o.traceId ? await traceLines(logs, names, { ...q, traceId: o.traceId, apiRequestIds: [], filter }, deps) : await searchLogs(logs, names, { ...q, ...filter }, deps);
  // A missing group was warned about when it was met.
  for (const s of found.skipped.filter((k) => !k.missing)) deps.io.notify({ level: 'info', code: 'logs.skipped', data: s });
  found.lines.forEach(emit(deps));
  if (o.follow) {
    // As `aws logs tail --follow`: the recent lines first (above), then the new ones, from the groups that exist.
    const present = matchable.filter((s) => !found.skipped.some((k) => k.source === s && k.missing));
    if (!present.length) throw new JobFailed(`none of the log groups to follow exists (env ${names.env}): nothing to follow`, { hint: 'is the env deployed in this account and region? (`tap list`)' });
    deps.claimInterrupts(); // Ctrl-C is how a follow ends
    const r = await followLogs({ logs, names, sources: present, filter, deps, emit: emit(deps) });
    return { kind: 'followed', env: names.env, sources, via: r.via, count: found.lines.length + r.lines, recent: found.lines.length, sampled: r.sampled, interrupted: deps.signal.aborted };
  }
  return { kind: 'logs', env: names.env, from: window.from.toISOString(), to: window.to.toISOString(), sources, count: found.lines.length, truncated: found.truncated, skipped: found.skipped };
}

/** None of the log groups searched exists: the env is not deployed (or not in this account and region). */
const noGroups = (r: LogsResult): boolean => r.kind === 'logs' && searchedOf(r.sources, r.skipped).every((s) => r.skipped.some((k) => k.source === s && k.missing));

export function render(r: LogsResult): string {
  if (r.kind === 'followed') return `${r.count} line(s) seen (${r.recent ? `${r.recent} recent, then ` : ''}${r.via === 'live-tail' ? 'Live Tail' : 'polling'})`;
  if (noGroups(r)) return `none of env ${r.env}'s log groups exist: is it deployed in this account and region?`;
  // The lines themselves went out as they were found; a window with nothing says so, naming only the sources searched.
  return r.count ? '' : `no log lines from ${r.from} to ${r.to} in ${searchedOf(r.sources, r.skipped).join(', ')}`;
}

export function exitCode(r: LogsResult): number {
  if (r.kind === 'followed') return r.interrupted ? EXIT.interrupted : EXIT.ok;
  return noGroups(r) ? EXIT.failed : EXIT.ok;
}

export default defineCommand({
  name: 'logs',
  summary: "the env's log lines (both functions and the API's access log), interleaved by time; follow new ones",
  env: 'required',
  options: LOGS_OPTIONS,
  conflicts: [['since', 'from'], ['since', 'to'], ['follow', 'from'], ['follow', 'to'], ['follow', 'traceId']],
  examples: [
    'tap logs --env prod --since 1h --errors',
    'tap logs --env prod --function handler,api --limit 500',
    'tap logs --env prod --correlation-id canary-6f1c2d3e',
    'tap logs --env prod --trace-id 1-5759e988-bd862e3fe1be46a994272793 --since 1d',
    'tap logs --env prod --follow --errors',
  ],
  notes: 'Shows the newest --limit lines of the window, oldest first; --follow shows them (of --since) and then every new line, as `aws logs tail --follow`.',
  exits: { 0: 'ok, also when nothing matches', 1: 'none of the log groups exists, or an AWS call still failed after the retries', 130: 'Ctrl-C ended --follow' },
  permissions: 'logs:FilterLogEvents on the three log groups; --follow: logs:StartLiveTail and sts:GetCallerIdentity (else it polls with logs:FilterLogEvents).',
  run,
  render,
  exitCode,
});
