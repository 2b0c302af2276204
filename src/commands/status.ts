import { describeEnvAlarms } from '../aws/alarms.js';
import { lastProcessed } from '../aws/metrics.js';
import { expectsData } from '../stack/alarm-spec.js';
import { pages } from '../aws/pages.js';
import { describeStack, type StackInfo } from '../aws/stacks.js';
import { defineCommand } from '../command.js';
import type { Deps } from '../deps.js';
import { EXIT, isAccessProblem, toTapError } from '../errors.js';
import { row, visibleLength } from '../io/fit.js';
import type { Style } from '../messages/types.js';
import type { DescribeArchiveCommandOutput, Replay as ReplayListEntry } from '@aws-sdk/client-eventbridge';
import { probe as probeUrl } from '../checks/api.js';
import { queueDepth } from '../checks/dlq.js';
import { readStack } from '../checks/stack.js';
import { describeArchive } from '../replay/replays.js';
import { namesFor, type EnvNames } from '../stack/naming.js';
import { OUTPUTS, RECEIPT_EXPIRY_DAYS } from '../stack/spec.js';
import { filterExpression, traceSummaries } from '../trace/search.js';
import { Chalk } from 'chalk';

export type Health = 'green' | 'amber' | 'red';

/** One line of the status screen: what was seen, and the rule that coloured it. */
export interface StatusLine {
  readonly id: string;
  readonly health: Health;
  readonly summary: string;
  readonly rule: string;
  readonly data?: Record<string, unknown>;
  readonly awsError?: boolean;
}

export interface StatusResult {
  readonly kind: 'status';
  readonly env: string;
  readonly stackName: string;
  readonly healthy: boolean;
  readonly lines: StatusLine[];
}

/** The thresholds, in one place, so the screen can say which one applied. */
export const THRESHOLDS = {
  apiSlowMs: 1000,
  dlqRed: 100,
  receiptAmberMs: 3_600_000,
  receiptRedMs: 86_400_000,
  /** How far back the receipts line looks: as long as receipts are kept (RECEIPT_EXPIRY_DAYS). */
  receiptLookbackMs: RECEIPT_EXPIRY_DAYS * 86_400_000,
  xrayWindowMs: 15 * 60_000,
} as const;

/** What every probe may read; the stack and the archive are read once and shared. */
interface ProbeContext {
  deps: Deps;
  names: EnvNames;
  stack: Promise<StackInfo | undefined>;
  archive: () => Promise<DescribeArchiveCommandOutput>;
}
type Probe = (ctx: ProbeContext) => Promise<Omit<StatusLine, 'id'>>;
const line = (health: Health, summary: string, rule: string, data?: Record<string, unknown>) => ({ health, summary, rule, data });

/** A line that cannot be read because the stack, or one of its outputs, is not there: said once, plainly. */
class Unavailable extends Error {
  constructor(
    message: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

/** The deployed stack, or the line every probe of the env's resources shows when there is none. */
async function present(ctx: ProbeContext): Promise<StackInfo> {
  const s = await ctx.stack;
  if (!s) throw new Unavailable(`${ctx.names.stack} does not exist`, 'red: no stack');
  return s;
}

/** One output of the stack, or a line that names the output missing. */
async function output(ctx: ProbeContext, key: string): Promise<string> {
  const s = await present(ctx);
  const value = s.outputs[key];
  if (!value) throw new Unavailable(`${ctx.names.stack} (${s.status}) has no output ${key}`, 'red: an output is missing');
  return value;
}

const PROBES: Record<string, Probe> = {
  /** The same reading as verify's stack check (`readStack`): status, and every output present and well-formed. */
  async stack(ctx) {
    const r = readStack(await present(ctx), ctx.names.env, ctx.names);
    const health: Health = r.status === 'pass' ? 'green' : r.status === 'warn' ? 'amber' : 'red';
    return line(health, r.detail, `${health}: ${r.rule}`, r.data);
  },
  async api(ctx) {
    const url = await output(ctx, OUTPUTS.apiUrl);
    const { status, latencyMs: ms } = await probeUrl(ctx.deps, url);
    if (status !== 200) return line('red', `GET / answered ${status} in ${ms} ms`, 'red: not 200', { status, ms });
    if (ms > THRESHOLDS.apiSlowMs) return line('amber', `200 in ${ms} ms`, `amber: slower than ${THRESHOLDS.apiSlowMs} ms`, { ms });
    return line('green', `200 in ${ms} ms`, `green: 200 within ${THRESHOLDS.apiSlowMs} ms`, { ms });
  },
  async xray(ctx) {
    await present(ctx);
    const { deps, names } = ctx;
    const end = deps.clock();
    const start = new Date(end.getTime() - THRESHOLDS.xrayWindowMs);
    const filter = filterExpression({ group: names.xrayGroup });
    const summaries = await traceSummaries(await deps.aws.xray(), { from: start, to: end, chunkMs: THRESHOLDS.xrayWindowMs, limit: Infinity, filter }, deps);
    const traces = summaries.length;
    let faults = 0;
    let errors = 0;
    const failingPaths = new Map<string, number>();
    for (const s of summaries) {
      if (s.HasFault) faults++;
      if (s.HasError) errors++;
      if ((s.HasFault || s.HasError) && s.Http?.HttpURL) {
        const path = `${s.Http.HttpMethod ?? ''} ${new URL(s.Http.HttpURL).pathname}`.trim();
        failingPaths.set(path, (failingPaths.get(path) ?? 0) + 1);
      }
    }
    const top = [...failingPaths.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const summary = `${traces} traces in 15 min: ${faults} fault(s), ${errors} error(s)${top.length ? `; top failing: ${top.map(([p, n]) => `${p} (${n})`).join(', ')}` : ''}`;
    const data = { traces, faults, errors, topFailing: Object.fromEntries(top) };
    if (faults > 0) return line('red', summary, 'red: any fault (5xx) in 15 min', data);
    if (errors > 0) return line('amber', summary, 'amber: any error (4xx) in 15 min', data);
    return line('green', summary, 'green: no faults or errors in 15 min', data);
  },
  async dlq(ctx) {
    const n = await queueDepth(ctx.deps, await output(ctx, OUTPUTS.dlqUrl));
    if (n >= THRESHOLDS.dlqRed) return line('red', `${n} message(s) waiting`, `red: ${THRESHOLDS.dlqRed} or more`, { messages: n });
    if (n > 0) return line('amber', `${n} message(s) waiting`, 'amber: any message', { messages: n });
    return line('green', 'empty', 'green: empty', { messages: 0 });
  },
  async archive(ctx) {
    await present(ctx);
    const a = await ctx.archive();
    const summary = `${a.State}, ${a.EventCount ?? 0} events, ${(a.SizeBytes ?? 0).toLocaleString('en-US')} bytes`;
    const data = { state: a.State, events: a.EventCount, bytes: a.SizeBytes };
    return a.State === 'ENABLED' ? line('green', summary, 'green: ENABLED', data) : line('red', summary, 'red: not ENABLED', data);
  },
  async replays(ctx) {
    await present(ctx);
    const { ListReplaysCommand } = await import('@aws-sdk/client-eventbridge');
    const { ArchiveArn } = await ctx.archive();
    const events = await ctx.deps.aws.eventBridge();
    // Every page: the order of ListReplays is not documented, so the latest may be on any of them.
    const Replays: ReplayListEntry[] = [];
    for await (const page of pages((NextToken) => events.send(new ListReplaysCommand({ EventSourceArn: ArchiveArn, NextToken })))) Replays.push(...(page.Replays ?? []));
    const running = Replays.filter((r) => r.State === 'STARTING' || r.State === 'RUNNING').map((r) => r.ReplayName);
    const latest = [...Replays].sort((a, b) => (b.ReplayStartTime?.getTime() ?? 0) - (a.ReplayStartTime?.getTime() ?? 0))[0];
    const summary = `${running.length} in progress${running.length ? ` (${running.join(', ')})` : ''}${latest ? `; latest ${latest.ReplayName} ${latest.State}` : ''}`;
    if (latest?.State === 'FAILED') return line('amber', summary, 'amber: the latest replay FAILED', { running });
    return line('green', summary, 'green: the latest replay did not fail', { running });
  },
  /**
   * The env's alarms by name (every DescribeAlarms page). INSUFFICIENT_DATA matters only for an
   * alarm that should always have data; the others report only when something happens, and sit
   * there for a period after they are created.
   */
  async alarms(ctx) {
    await present(ctx);
    const { metric } = await describeEnvAlarms(ctx.deps, ctx.names);
    const missing = metric.filter((m) => !m.alarm).map((m) => m.name);
    const firing = metric.filter((m) => m.alarm?.StateValue === 'ALARM').map((m) => m.name);
    const silent = metric.filter((m) => m.alarm?.StateValue === 'INSUFFICIENT_DATA' && expectsData(m.alarm.TreatMissingData)).map((m) => m.name);
    const ok = metric.length - missing.length - firing.length - silent.length;
    const data = { alarm: firing, insufficientData: silent, missing };
    if (firing.length) return line('red', `in ALARM: ${firing.join(', ')}${ok ? `; ${ok} not` : ''}`, 'red: any alarm in ALARM', data);
    if (missing.length) return line('amber', `${missing.length} missing (${missing.join(', ')}): deploy to create them`, 'amber: an alarm is missing', data);
    if (silent.length) return line('amber', `INSUFFICIENT_DATA: ${silent.join(', ')}`, 'amber: no data where data is expected', data);
    return line('green', `${ok} alarms, none in ALARM`, 'green: none in ALARM', data);
  },
  /** One GetMetricData call, whatever the bucket holds: the processor's EventsProcessed metric (see aws/metrics.ts). */
  async receipts(ctx) {
    await present(ctx);
    const now = ctx.deps.clock();
    const newest = await lastProcessed(ctx.deps, ctx.names.env, now, THRESHOLDS.receiptLookbackMs);
    if (!newest) return line('amber', 'no events processed in the last 3 days', 'amber: none processed');
    const age = Math.max(0, now.getTime() - newest.getTime());
    const summary = `last event processed ${Math.round(age / 60_000)} min ago (in the minute from ${newest.toISOString()})`;
    if (age >= THRESHOLDS.receiptRedMs) return line('red', summary, 'red: 24 h or more', { ageMs: age });
    if (age >= THRESHOLDS.receiptAmberMs) return line('amber', summary, 'amber: 1 h or more', { ageMs: age });
    return line('green', summary, 'green: within 1 h', { ageMs: age });
  },
};

/** One screen on the env's health, from concurrent read-only calls; a failed read is a red line. */
export async function run(options: { env: string }, deps: Deps): Promise<StatusResult> {
  const names = namesFor(options.env);
  await deps.aws.cloudFormationReady();
  const stack = deps.aws.cloudFormation().then((cfn) => describeStack(cfn, names.stack));
  stack.catch(() => undefined); // each probe that awaits it reports the failure on its own line
  let archive: Promise<DescribeArchiveCommandOutput> | undefined;
  const ctx: ProbeContext = { deps, names, stack, archive: () => (archive ??= deps.aws.eventBridge().then((events) => describeArchive(events, names))) };
  const ids = Object.keys(PROBES);
  deps.io.notify({ level: 'progress', code: 'status.start', data: { stack: names.stack, lines: ids } });
  const waiting = new Set(ids);
  const read = async (id: string, probe: Probe): Promise<StatusLine> => {
    try {
      return { id, ...(await probe(ctx)) };
    } catch (error) {
      if (error instanceof Unavailable) return { id, health: 'red', summary: error.message, rule: error.rule };
      return { id, health: 'red', summary: `could not read: ${toTapError(error).message}`, rule: 'red: the read failed', ...(isAccessProblem(error) ? { awsError: true } : {}) };
    }
  };
  const lines = await Promise.all(
    Object.entries(PROBES).map(async ([id, probe]): Promise<StatusLine> => {
      const l = await read(id, probe);
      waiting.delete(id);
      // Which reads are still out, so a slow one (X-Ray's pages, a slow API) is named while it runs.
      deps.io.notify({ level: 'progress', code: 'status.line', data: { id, health: l.health, finished: ids.length - waiting.size, total: ids.length, waiting: [...waiting] } });
      return l;
    }),
  );
  return { kind: 'status', env: options.env, stackName: names.stack, healthy: !lines.some((l) => l.health === 'red'), lines };
}

export function render(r: StatusResult, style: Style = { color: false }): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const dot = { green: chalk.green('● green'), amber: chalk.yellow('● amber'), red: chalk.red('● red  ') };
  const idWidth = Math.max(...r.lines.map((l) => l.id.length));
  const gray = (t: string) => chalk.gray(t);
  return [
    ...r.lines.flatMap((l) => {
      const head = `${dot[l.health]}  ${l.id.padEnd(idWidth)}  `;
      const rule = `(${l.rule})`;
      // On a terminal too narrow for the line: the summary wrapped under its column, the rule on lines of its own.
      if (style.width === undefined || visibleLength(`${head}${l.summary}  ${rule}`) <= style.width) return [`${head}${l.summary}  ${gray(rule)}`];
      return [...row(head, l.summary, style.width), ...row(' '.repeat(visibleLength(head)), rule, style.width, { paint: gray })];
    }),
    `${r.stackName}: ${r.healthy ? 'healthy' : 'UNHEALTHY'}`,
  ].join('\n');
}

export function exitCode(r: StatusResult): number {
  if (r.lines.some((l) => l.awsError)) return EXIT.aws;
  return r.healthy ? EXIT.ok : EXIT.failed;
}

export default defineCommand({
  name: 'status',
  summary: "one screen on the env's health: stack, API, X-Ray faults, DLQ, archive, replays, alarms, last receipt",
  env: 'required',
  options: {},
  examples: ['tap status --env prod', 'tap status --env prod --json        for dashboards; exit 1 when any line is red'],
  notes: 'Each line is green, amber or red, with the rule that put it there. Read-only.',
  exits: { 0: 'every line green or amber', 1: 'a line is red', 3: 'a line could not be read: AWS access or environment problem' },
  permissions: `cloudformation:DescribeStacks, xray:GetTraceSummaries, sqs:GetQueueAttributes, events:DescribeArchive,
events:ListReplays, cloudwatch:GetMetricData (the processor's EventsProcessed metric), cloudwatch:DescribeAlarms.`,
  run: ({ env }, deps) => run({ env: env.env }, deps),
  render,
  exitCode,
});
