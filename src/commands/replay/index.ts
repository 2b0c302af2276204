import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { retryTransient } from '../../aws/retry.js';
import { describeStack, requireOutput } from '../../aws/stacks.js';
import type { Deps } from '../../deps.js';
import { Aborted, EXIT, type StopSignal, UsageError } from '../../errors.js';
import { checkReplayName, countReplayReceipts, describeReplay, envArchive, FINAL_STATES, type ReplayView } from '../../replay/replays.js';
import { startReplay } from '../../replay/start.js';
import { namesFor, replayName } from '../../stack/naming.js';
import { ARCHIVE_RETENTION_DAYS, OUTPUTS } from '../../stack/spec.js';
import { defineCommand, type Instant, option } from '../../command.js';
import { windowOf } from '../../time.js';
import { cancel, list, status } from './admin.js';

export interface ReplayOptions {
  readonly env: string;
  /** Start of the window: ISO 8601 or relative ("2h ago"). */
  readonly from: Instant;
  /** End of the window. @default now */
  readonly to?: Instant;
  /** Replay to this rule only. @default every rule on the bus */
  readonly rule?: string;
  /** @default `<env>-replay-<UTC timestamp>` */
  readonly name?: string;
  /** Wait for the replay to end (`--no-wait` returns once it has started). @default true */
  readonly wait?: boolean;
  /** On Ctrl-C, leave the replay running instead of cancelling it. @default false */
  readonly detach?: boolean;
  /** The number of re-processed events to expect; a different count fails the command. */
  readonly expect?: number;
}

export type ReplayResult =
  | { kind: 'started'; env: string; replay: ReplayView }
  | { kind: 'completed'; env: string; replay: ReplayView; reprocessed: number; expected?: number; elapsedMs: number }
  | { kind: 'failed'; env: string; replay: ReplayView; elapsedMs: number };

/** Back-off of DescribeReplay: quick at first, then every 10 s. */
const POLL_START_MS = 1000;
const POLL_MAX_MS = 10_000;
/** Polls of the receipt count after COMPLETED: the processor may still be working through the last events. */
const SETTLE_POLLS = 10;
const SETTLE_MS = 2000;

/** The archive keeps 7 days; an older window replays nothing. */
const KEPT = { days: ARCHIVE_RETENTION_DAYS, why: `the archive keeps ${ARCHIVE_RETENTION_DAYS} days` };

export async function run(options: ReplayOptions, deps: Deps): Promise<ReplayResult> {
  const names = namesFor(options.env);
  const now = deps.clock();
  const window = windowOf(options, now, KEPT);
  const name = options.name ?? replayName(options.env, now);
  checkReplayName(name);
  if (options.rule !== undefined && !/^[.\-_A-Za-z0-9]{1,64}$/.test(options.rule)) throw new UsageError(`invalid --rule '${options.rule}'`);
  await deps.aws.cloudFormationReady();

  const sdk = await import('@aws-sdk/client-eventbridge');
  const events = await deps.aws.eventBridge();
  // Reads before StartReplay are retried like polls: a throttled read should not end the command.
  const read = <T>(call: () => Promise<T>) => retryTransient(deps, POLL_START_MS, call);
  // The stack and the output the proof needs are checked before anything is started.
  const cfn = await deps.aws.cloudFormation();
  const bucket = requireOutput(await read(() => describeStack(cfn, names.stack)), names, OUTPUTS.bucketName);
  const archive = await read(() => envArchive(events, names));
  if (archive.state !== 'ENABLED') throw new UsageError(`archive ${names.archive} is ${archive.state}, not ENABLED; EventBridge replays only from an enabled archive`);
  if (archive.created && window.from < archive.created) {
    throw new UsageError(`--from (${window.from.toISOString()}) is before archive ${names.archive} was created (${archive.created.toISOString()})`);
  }
  const bus = await read(() => events.send(new sdk.DescribeEventBusCommand({ Name: names.bus })));
  let filterArns: string[] | undefined;
  if (options.rule) {
    const rule = await read(() => events.send(new sdk.DescribeRuleCommand({ Name: options.rule, EventBusName: names.bus }))).catch((error: Error) => {
      throw error.name === 'ResourceNotFoundException' ? new UsageError(`no rule '${options.rule}' on bus ${names.bus}`) : error;
    });
    filterArns = [rule.Arn ?? ''];
  }

  const request = {
    ReplayName: name,
    Description: `tap replay-archive --env ${options.env}`,
    EventSourceArn: archive.arn,
    EventStartTime: window.from,
    EventEndTime: window.to,
    // The archive's own bus is the only destination EventBridge accepts.
    Destination: { Arn: bus.Arn, ...(filterArns ? { FilterArns: filterArns } : {}) },
  };
  deps.claimInterrupts(); // from StartReplay on, Ctrl-C cancels the replay (or leaves it, with --detach)
  await startReplay(events, request, deps);
  deps.io.notify({ level: 'info', code: 'replay.started', data: { name, from: window.from.toISOString(), to: window.to.toISOString(), rule: options.rule } });
  if (options.wait === false) return { kind: 'started', env: options.env, replay: await describeReplay(events, name) };

  const started = performance.now();
  const replay = await follow(events, name, options.detach ?? false, deps);
  const elapsedMs = Math.round(performance.now() - started);
  if (replay.state !== 'COMPLETED') return { kind: 'failed', env: options.env, replay, elapsedMs };

  // The replay has run: from here on a failed read is retried, so the proof is not lost with it.
  const reprocessed = await settledCount(bucket, name, options.expect, deps);
  return { kind: 'completed', env: options.env, replay, reprocessed, expected: options.expect, elapsedMs };
}

/** Polls the replay to its end, drawing progress. Ctrl-C cancels it (or, with --detach, leaves it). */
async function follow(events: EventBridgeClient, name: string, detach: boolean, deps: Deps): Promise<ReplayView> {
  const started = performance.now();
  for (let wait = POLL_START_MS; ; wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (deps.signal.aborted) return interrupted(events, name, detach, deps);
    const view = await retryTransient(deps, POLL_START_MS, () => describeReplay(events, name));
    const elapsed = Math.round((performance.now() - started) / 1000);
    deps.io.notify({ level: 'progress', code: 'replay.progress', data: { ...view, elapsedS: elapsed } }, { stream: true });
    if (FINAL_STATES.has(view.state)) return view;
    await deps.sleep(wait);
  }
}

async function interrupted(events: EventBridgeClient, name: string, detach: boolean, deps: Deps): Promise<never> {
  if (detach) {
    throw new Aborted(`Detached: replay ${name} goes on.`, { hint: `follow it with \`tap replay-archive status ${name}\`` });
  }
  const { CancelReplayCommand } = await import('@aws-sdk/client-eventbridge');
  deps.io.notify({ level: 'warn', code: 'replay.cancelling', data: { name, signal: deps.signal.reason as StopSignal } });
  await events.send(new CancelReplayCommand({ ReplayName: name })).catch((error: { name?: string }) => {
    if (error.name !== 'IllegalStatusException') throw error; // it ended meanwhile
  });
  let view = await describeReplay(events, name);
  for (let tries = 0; !FINAL_STATES.has(view.state) && tries < 30; tries++) {
    await deps.sleep(POLL_START_MS, { uninterruptible: true });
    view = await describeReplay(events, name);
  }
  throw new Aborted(`Replay ${name} is ${view.state}${view.state === 'CANCELLED' ? '' : ' (asked to cancel)'}; events replayed before the cancel were delivered.`);
}

/** Counts the replay's receipts until the count stops changing (or reaches `expected`), at most SETTLE_POLLS more times. */
async function settledCount(bucket: string, name: string, expected: number | undefined, deps: Deps): Promise<number> {
  const read = () => retryTransient(deps, SETTLE_MS, () => countReplayReceipts(bucket, name, deps));
  let count = await read();
  for (let i = 0; i < SETTLE_POLLS && count !== expected; i++) {
    await deps.sleep(SETTLE_MS, { uninterruptible: true });
    const next = await read();
    // Two equal counts mean the processor is done, unless both are 0: the first receipt may still be on its way.
    if (next === count && count > 0 && expected === undefined) break;
    count = next;
  }
  return count;
}

export function render(r: ReplayResult): string {
  const window = `${r.replay.from} .. ${r.replay.to}`;
  switch (r.kind) {
    case 'started':
      return `Replay ${r.replay.name} started (${window}); follow it with \`tap replay-archive status ${r.replay.name}\``;
    case 'failed':
      return `Replay ${r.replay.name} ${r.replay.state}${r.replay.reason ? `: ${r.replay.reason}` : ''} (${window})`;
    case 'completed': {
      const check = r.expected === undefined ? '' : r.reprocessed === r.expected ? `, as expected` : `, expected ${r.expected}`;
      return `Replay ${r.replay.name} COMPLETED in ${(r.elapsedMs / 1000).toFixed(1)} s (${window}): ${r.reprocessed} event(s) re-processed${check}`;
    }
  }
}

export function exitCode(r: ReplayResult): number {
  if (r.kind === 'failed') return EXIT.failed;
  if (r.kind === 'completed' && r.expected !== undefined && r.reprocessed !== r.expected) return EXIT.failed;
  return EXIT.ok;
}

export default defineCommand({
  name: 'replay-archive',
  aliases: ['replay'],
  summary: "replay the env's archived events through its bus, follow the replay, and count what was re-processed",
  env: 'optional',
  writes: true,
  options: {
    from: option.time('start of the window: ISO 8601 (UTC when no zone) or relative, e.g. "2h ago"'),
    to: option.time('end of the window', { defaultHelp: 'now' }),
    rule: option.string('name', 'replay to this rule only (default: every rule on the bus)'),
    name: option.string('replay', 'replay name, at most 64 characters (default: <env>-replay-<UTC timestamp>)'),
    wait: option.negatable('return once the replay has started'),
    detach: option.flag('on Ctrl-C leave the replay running (without it, Ctrl-C cancels it)'),
    expect: option.int('n', 'exit 1 unless exactly this many events were re-processed', { min: 0, max: 1_000_000_000 }),
  },
  examples: [
    'tap replay-archive --env prod --from "2h ago" --to "1h ago"',
    'tap replay --env prod --from 2026-11-25T09:00:00Z --to 2026-11-25T10:00:00Z --expect 120 --json',
    'tap replay-archive list --env prod',
    'tap replay-archive status prod-replay-20261125101500',
    'tap replay-archive cancel prod-replay-20261125101500',
  ],
  notes: `The window must lie within the archive's 7-day retention and after its creation. Proof of processing:
the processor writes a receipt per replayed event under receipts/replays/<replay>/, which tap counts.`,
  exits: { 0: 'COMPLETED with the expected count, or started (--no-wait)', 1: 'the replay FAILED or re-processed another count than --expect; no stack, output or archive; 10 replays already running', 2: 'bad input: the window, the name (or one in use), a rule that does not exist, an archive not ENABLED' },
  permissions: `events:DescribeArchive, DescribeEventBus, DescribeRule, StartReplay, DescribeReplay,
CancelReplay, ListReplays; cloudformation:DescribeStacks; s3:ListBucket on the data bucket.`,
  run: (input, deps) => {
    const missing = [!input.env && '--env', !input.from && '--from'].filter(Boolean).join(' and ');
    if (!input.env || !input.from) return Promise.reject(new UsageError(`replay-archive needs ${missing} (or a subcommand: list, status, cancel)`, { hint: 'tap replay-archive --env prod --from "2h ago"' }));
    return run({ env: input.env.env, from: input.from, to: input.to, rule: input.rule, name: input.name, wait: input.wait, detach: input.detach, expect: input.expect }, deps);
  },
  render,
  exitCode,
  subcommands: [list, status, cancel],
});
