import type { Command } from 'commander';
import { Option } from 'commander';
import type { Deps } from './deps.js';
import { UsageError } from './errors.js';
import type { Style } from './io/types.js';
import { MAX_ENV_LENGTH } from './stack/naming.js';

// Commands not yet moved to a definition of their own (src/command.ts): registered the old way,
// with their options and help here. Each moves into its module in its own step (issue 14).

/** A command module: `run` does the work and returns a typed result; the CLI draws it. */
export interface CommandModule<O, R> {
  run(this: void, options: O, deps: Deps): Promise<R>;
  render(this: void, result: R, style: Style): string;
  /** @default 0 */
  exitCode?(this: void, result: R, options: O): number;
}

/** Runs a command module with the parsed options (plus positional arguments in `args`). */
export type Execute = <O, R>(load: () => Promise<CommandModule<O, R>>, cmd: Command, args?: Record<string, string>) => Promise<void>;

function envOption(): Option {
  return new Option('-e, --env <name>', `environment name (lowercase, digits, hyphens; at most ${MAX_ENV_LENGTH})`).makeOptionMandatory();
}

export function registerLegacy(program: Command, execute: Execute): void {


  const replay = program
    .command('replay-archive')
    .alias('replay')
    .description("replay the env's archived events through its bus, follow the replay, and count what was re-processed")
    .addOption(envOption().makeOptionMandatory(false))
    .option('--from <time>', 'start of the window: ISO 8601 (UTC when no zone) or relative, e.g. "2h ago"')
    .option('--to <time>', 'end of the window (default: now)')
    .option('--rule <name>', 'replay to this rule only (default: every rule on the bus)')
    .option('--name <replay>', 'replay name, at most 64 characters (default: <env>-replay-<UTC timestamp>)')
    .option('--no-wait', 'return once the replay has started')
    .option('--detach', 'on Ctrl-C leave the replay running (without it, Ctrl-C cancels it)')
    .option('--expect <n>', 'exit 1 unless exactly this many events were re-processed')
    .addHelpText(
      'after',
      `
Examples:
  $ tap replay-archive --env prod --from "2h ago" --to "1h ago"
  $ tap replay --env prod --from 2026-11-25T09:00:00Z --to 2026-11-25T10:00:00Z --expect 120 --json
  $ tap replay-archive list --env prod
  $ tap replay-archive status prod-replay-20261125101500
  $ tap replay-archive cancel prod-replay-20261125101500

The window must lie within the archive's 7-day retention and after its creation. Proof of processing:
the processor writes a receipt per replayed event under receipts/replays/<replay>/, which tap counts.
AWS permissions: events:DescribeArchive, DescribeEventBus, DescribeRule, StartReplay, DescribeReplay,
CancelReplay, ListReplays; cloudformation:DescribeStacks; s3:ListBucket on the data bucket.`,
    )
    .action(async (_o, cmd: Command) => {
      const { env, from } = cmd.opts<{ env?: string; from?: string }>();
      if (!env || !from) throw new UsageError(`replay-archive needs --env and --from (or a subcommand: list, status, cancel)`);
      await execute(() => import('./commands/replay.js'), cmd);
    });
  replay
    .command('list')
    .description("this env's replays, newest first (takes replay-archive's --env)")
    .action((_o, cmd: Command) => execute(async () => (await import('./commands/replay-admin.js')).list, cmd));
  replay
    .command('status')
    .description("one replay's state and progress")
    .argument('<name>', 'replay name')
    .action((name: string, _o, cmd: Command) => execute(async () => (await import('./commands/replay-admin.js')).status, cmd, { name }));
  replay
    .command('cancel')
    .description('cancel a replay')
    .argument('<name>', 'replay name')
    .action((name: string, _o, cmd: Command) => execute(async () => (await import('./commands/replay-admin.js')).cancel, cmd, { name }));


  program
    .command('status')
    .description("one screen on the env's health: stack, API, X-Ray faults, DLQ, archive, replays, last receipt")
    .addOption(envOption())
    .addHelpText(
      'after',
      `
Examples:
  $ tap status --env prod
  $ tap status --env prod --json        for dashboards; exit 1 when any line is red

Each line is green, amber or red, with the rule that put it there. Read-only. AWS permissions:
cloudformation:DescribeStacks, xray:GetTraceSummaries, sqs:GetQueueAttributes, events:DescribeArchive,
events:ListReplays, cloudwatch:GetMetricData (the processor's EventsProcessed metric).`,
    )
    .action((_o, cmd: Command) => execute(() => import('./commands/status.js'), cmd));


}
