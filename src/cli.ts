import { Command, CommanderError, Option } from 'commander';
import { AwsClients } from './aws/clients.js';
import { abortableSleep, type Deps } from './deps.js';
import { EXIT, toTapError, UsageError } from './errors.js';
import { createReporter } from './io/reporter.js';
import type { Io, Streams, Style } from './io/types.js';
import { MAX_ENV_LENGTH } from './stack/naming.js';
import { VERSION } from './version.js';

/** Options every command takes. */
interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  json: boolean;
  color: boolean;
  verbose: boolean;
  quiet: boolean;
}

/** A command module: `run` does the work and returns a typed result; the CLI draws it. */
interface CommandModule<O, R> {
  run(this: void, options: O, deps: Deps): Promise<R>;
  render(this: void, result: R, style: Style): string;
  /** @default 0 */
  exitCode?(this: void, result: R, options: O): number;
}

/** What tests replace: the process handles, the AWS factory, time. */
export interface Overrides {
  readonly streams?: Streams;
  readonly aws?: (config: ConstructorParameters<typeof AwsClients>[0]) => AwsClients;
  readonly clock?: () => Date;
  readonly sleep?: Deps['sleep'];
  /** Stands in for Ctrl-C. @default aborted by SIGINT */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

const EXAMPLES = `
Examples:
  $ tap synth --env dev                      summary of the template, offline
  $ tap synth --env dev --out cdk.out        write TapStack-dev.template.json
  $ tap diff --env staging --fail            exit 1 when staging differs from the code
  $ tap deploy --env staging                 change-set deploy with live progress
  $ tap verify --env ci --junit report.xml   post-deploy checks with an end-to-end canary
  $ tap status --env prod                    is the env healthy? (exit 1 when anything is red)
  $ tap trace --env prod --faults --detail   X-Ray traces of the env, as waterfalls
  $ tap replay --env prod --from "2h ago"    replay archived events, with proof of processing
  $ tap destroy --env dev                    confirmed teardown

Exit codes: 0 ok, 1 the job failed, 2 bad input or usage, 3 AWS access or environment problem, 130 interrupted.`;

function envOption(): Option {
  return new Option('-e, --env <name>', `environment name (lowercase, digits, hyphens; at most ${MAX_ENV_LENGTH})`).makeOptionMandatory();
}

/** Runs a command module with the parsed options (plus positional arguments in `args`). */
type Execute = <O, R>(load: () => Promise<CommandModule<O, R>>, cmd: Command, args?: Record<string, string>) => Promise<void>;

function buildProgram(execute: Execute, streams: Streams): Command {
  // Settings before the subcommands: commander copies them into each subcommand as it is created.
  const program = new Command('tap')
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(s) })
    .description('Deploy, verify and diagnose the tap serverless stack (API Gateway, Lambda, EventBridge, X-Ray) on AWS.')
    .version(VERSION, '-V, --version')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)')
    .option('--json', 'print the result as JSON on stdout (progress stays off stdout)', false)
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .option('--verbose', 'print debug messages and stack traces', false)
    .option('--quiet', 'print only warnings, errors and the result', false)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);

  program
    .command('synth')
    .description('synthesize the stack offline, run cdk-nag and CloudFormation validation, and summarize it')
    .addOption(envOption())
    .option('-o, --out <dir>', 'write the template to <dir>/TapStack-<env>.template.json')
    .addHelpText('after', '\nExamples:\n  $ tap synth --env dev\n  $ tap synth --env dev --out cdk.out --json\n\nNeeds no AWS credentials.')
    .action((_o, cmd: Command) => execute(() => import('./commands/synth.js'), cmd));

  program
    .command('diff')
    .description('show how the synthesized stack differs from the deployed one')
    .addOption(envOption())
    .option('--fail', 'exit 1 when there is a difference', false)
    .addHelpText('after', '\nExamples:\n  $ tap diff --env staging\n  $ tap diff --env prod --fail --json\n\nAWS permissions: cloudformation:GetTemplate on the stack TapStack-<env>.')
    .action((_o, cmd: Command) => execute(() => import('./commands/diff.js'), cmd));

  program
    .command('deploy')
    .description('deploy the stack through a CloudFormation change set and follow it live')
    .addOption(envOption())
    .option('-y, --yes', 'execute changes that replace or remove resources without asking', false)
    .option('--no-rollback', 'keep the resources of a failed deployment for inspection (no rollback)')
    .option('--termination-protection', 'turn termination protection on')
    .option('--no-termination-protection', 'turn termination protection off (default: leave it as it is)')
    .option('-t, --tag <key=value>', 'stack tag, copied onto every resource (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--outputs-file <file>', 'write the stack outputs to <file> as JSON')
    .option('--no-wait', 'return once the change set executes, without following it')
    .addHelpText(
      'after',
      `
Examples:
  $ tap deploy --env dev
  $ tap deploy --env prod --tag team=payments --termination-protection --outputs-file outputs.json
  $ tap deploy --env ci --yes --json > deploy.ndjson

A deployed stack that already matches the code is reported as "no changes" without a change set.
Changes that replace or remove resources need --yes, or a "y" on a terminal.
Ctrl-C stops watching; CloudFormation goes on, and running deploy again waits for it.
AWS permissions: cloudformation:Describe*, GetTemplate, CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
DeleteChangeSet, DeleteStack (failed creates), UpdateTerminationProtection, plus what the stack's resources need.`,
    )
    .action((_o, cmd: Command) => execute(() => import('./commands/deploy.js'), cmd));

  program
    .command('verify')
    .description('check the deployed env end to end: configuration, API, and a canary event traced through X-Ray')
    .addOption(envOption())
    .option('--only <ids>', 'run only these checks (comma-separated), with the checks they need')
    .option('--skip <ids>', 'leave these checks out (comma-separated)')
    .option('--no-canary', 'read-only: send no canary event, write nothing')
    .option('--drift', 'also run CloudFormation drift detection', false)
    .option('--timeout <seconds>', 'how long the canary waits for its receipt and trace', '60')
    .option('--junit <file>', 'write a JUnit XML report for CI')
    .option('--strict', 'warnings fail the run', false)
    .addHelpText(
      'after',
      `
Checks: stack, api, lambda-config, api-tracing, xray-group, event-bus, archive, rule, dlq,
canary-delivery, canary-trace, drift (with --drift).

Examples:
  $ tap verify --env ci --junit report.xml
  $ tap verify --env prod --no-canary --json
  $ tap verify --env dev --only canary-trace --timeout 120

Exit codes: 0 nothing failed (warnings allowed unless --strict), 1 a check failed, 3 AWS could not be
reached or refused the caller. The README lists the read-only IAM policy for --no-canary.`,
    )
    .action((_o, cmd: Command) => execute(() => import('./commands/verify.js'), cmd));

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
    .option('--detach', 'on Ctrl-C leave the replay running (default: Ctrl-C cancels it)', false)
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
    .command('trace')
    .description("search the env's X-Ray traces; draw one as a waterfall; follow new ones; the service map")
    .addOption(envOption())
    .option('--since <duration>', 'window ending now: 90s, 30m, 6h, 2d (default: 15m)')
    .option('--from <time>', 'window start: ISO 8601 (UTC when no zone) or relative, e.g. "2h ago"')
    .option('--to <time>', 'window end (default: now)')
    .option('--filter <expr>', 'an X-Ray filter expression, ANDed with the env group')
    .option('--errors', 'only traces with errors (4xx)')
    .option('--faults', 'only traces with faults (5xx)')
    .option('--slow <ms>', 'only traces slower than this many milliseconds')
    .option('--status <code>', 'only traces with this HTTP status')
    .option('--path <path>', 'only traces whose URL contains this path, e.g. /events')
    .option('--limit <n>', 'at most this many traces, newest first (default: 20)')
    .option('--chunk <duration>', 'query long windows in chunks of this size (default: 6h)')
    .option('--id <trace-id>', 'draw this trace (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--detail', 'draw every trace found as a waterfall')
    .option('--follow', 'keep showing new traces until Ctrl-C')
    .option('--map', 'the service map of the window: requests, error and fault rates, p50/p90')
    .addHelpText(
      'after',
      `
Examples:
  $ tap trace --env prod --errors --since 1h
  $ tap trace --env prod --faults --path /events --detail --limit 5
  $ tap trace --env prod --id 1-5759e988-bd862e3fe1be46a994272793
  $ tap trace --env prod --follow
  $ tap trace --env prod --map --since 6h

AWS permissions: xray:GetTraceSummaries, xray:BatchGetTraces, xray:GetServiceGraph (--map).`,
    )
    .action((_o, cmd: Command) => execute(() => import('./commands/trace.js'), cmd));

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

  program
    .command('list')
    .description('every tap env in the account and region: status, last update, API URL')
    .addHelpText('after', '\nExamples:\n  $ tap list\n  $ tap list --region eu-west-1 --json\n\nAWS permissions: cloudformation:DescribeStacks.')
    .action((_o, cmd: Command) => execute(() => import('./commands/list.js'), cmd));

  program
    .command('destroy')
    .description('empty the data bucket and delete the stack, after confirmation')
    .addOption(envOption())
    .option('-y, --yes', 'destroy without asking for the env name (required without a terminal)', false)
    .option('--no-wait', 'return once deletion has started')
    .addHelpText(
      'after',
      `
Examples:
  $ tap destroy --env dev                  asks you to type "dev"
  $ tap destroy --env ci --yes --json

AWS permissions: cloudformation:DescribeStacks, DescribeStackEvents, DescribeStackResources, DeleteStack;
s3:ListBucketVersions, s3:DeleteObjectVersion on the data bucket; kms:DescribeKey (to report the key's deletion date).`,
    )
    .action((_o, cmd: Command) => execute(() => import('./commands/destroy.js'), cmd));

  return program;
}

/** Runs tap with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], overrides: Overrides = {}): Promise<number> {
  const streams: Streams = overrides.streams ?? { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  let io: Io | undefined;
  let verbose = false;
  let code: number = EXIT.ok;
  // Ctrl-C aborts the signal instead of killing the process, so a command can say what it left running.
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  const signal = overrides.signal ?? interrupt.signal;
  if (!overrides.signal) process.once('SIGINT', onSigint);

  const execute: Execute = async <O, R>(load: () => Promise<CommandModule<O, R>>, cmd: Command, args: Record<string, string> = {}): Promise<void> => {
    const { region, profile, endpointUrl, json, color, verbose: v, quiet, ...parsed } = cmd.optsWithGlobals<GlobalOptions>();
    const options = { ...parsed, ...args };
    verbose = v;
    io = await createReporter(streams, { json, color, verbose, quiet });
    const config = {
      region: region ?? streams.env.AWS_REGION ?? streams.env.AWS_DEFAULT_REGION,
      profile,
      endpoint: endpointUrl ?? streams.env.AWS_ENDPOINT_URL,
    };
    const deps: Deps = {
      aws: overrides.aws ? overrides.aws(config) : new AwsClients(config),
      io,
      clock: overrides.clock ?? (() => new Date()),
      sleep: overrides.sleep ?? abortableSleep(signal),
      signal,
      fetch: overrides.fetch ?? ((input, init) => fetch(input, init)),
    };
    const command = await load();
    const result = await command.run(options as O, deps);
    io.result(result, command.render);
    code = command.exitCode?.(result, options as O) ?? EXIT.ok;
  };

  const program = buildProgram(execute, streams);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with 0; a parse error was already printed by commander.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const tapError = toTapError(error);
    const reporter = io ?? (await createReporter(streams, { json: false, color: false, verbose, quiet: false }));
    reporter.close();
    const detail = verbose && tapError.cause instanceof Error ? tapError.cause.stack : undefined;
    reporter.notify({
      level: 'error',
      code: `error.${tapError.name}`,
      text: [tapError.message, tapError.hint && `hint: ${tapError.hint}`, detail].filter(Boolean).join('\n  '),
      data: { error: tapError.name, message: tapError.message, hint: tapError.hint, exitCode: tapError.exitCode },
    });
    return tapError.exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
    io?.close();
  }
}
