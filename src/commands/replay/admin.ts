import { pages } from '../../aws/pages.js';
import { defineCommand } from '../../command.js';
import { JobFailed, UsageError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { checkReplayName, describeReplay, envArchive, FINAL_STATES, progressBar, type ReplayView, viewOf } from '../../replay/replays.js';
import type { EnvNames } from '../../stack/naming.js';

/** `tap replay-archive list|status|cancel`: the env's replays, one replay, cancelling one. */

const line = (r: ReplayView): string => `${r.name}  ${r.state.padEnd(10)} ${progressBar(r.progress, 10)}  ${r.from ?? '?'} .. ${r.to ?? '?'}${r.reason ? `  (${r.reason})` : ''}`;

export const list = defineCommand({
  name: 'list',
  summary: "this env's replays, newest first (takes replay-archive's --env)",
  env: 'inherited',
  options: {},
  examples: ['tap replay-archive list --env prod'],
  exits: { 1: 'no stack or archive, or an AWS call still failed after the retries' },
  permissions: 'events:DescribeArchive, events:ListReplays.',
  async run(options, deps): Promise<{ kind: 'replays'; env: string; archive: string; replays: ReplayView[] }> {
    if (!options.env) throw new UsageError('replay-archive list needs --env NAME', { hint: 'tap replay-archive list --env prod' });
    const names = options.env;
    await deps.aws.cloudFormationReady();
    const { ListReplaysCommand } = await import('@aws-sdk/client-eventbridge');
    const events = await deps.aws.eventBridge();
    const archive = await envArchive(events, names);
    const replays: ReplayView[] = [];
    for await (const page of pages((NextToken) => events.send(new ListReplaysCommand({ EventSourceArn: archive.arn, NextToken })))) {
      replays.push(...(page.Replays ?? []).map((r) => viewOf(r)));
    }
    replays.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    return { kind: 'replays', env: names.env, replays, archive: names.archive };
  },
  render(r: { replays: ReplayView[]; archive: string }): string {
    return r.replays.length ? r.replays.map(line).join('\n') : `no replays of ${r.archive}`;
  },
});

const NAME_ARG = [{ name: 'name', help: 'replay name' }];

/** The replay by name; with --env, it must be one of that env's archive (a name alone may be any env's). */
async function envReplay(name: string, env: EnvNames | undefined, deps: Deps): Promise<ReplayView> {
  checkReplayName(name);
  await deps.aws.cloudFormationReady();
  const replay = await describeReplay(await deps.aws.eventBridge(), name);
  if (env && replay.archive !== env.archive) {
    throw new UsageError(`replay ${name} replays ${replay.archive ? `archive ${replay.archive}` : 'another archive'}, not env ${env.env}'s ${env.archive}`, { hint: `this env's replays: \`tap replay-archive list --env ${env.env}\`` });
  }
  return replay;
}

export const status = defineCommand({
  name: 'status',
  summary: "one replay's state and progress (with replay-archive's --env: one of that env's)",
  env: 'inherited',
  args: NAME_ARG,
  options: {},
  examples: ['tap replay-archive status prod-replay-20261125101500', 'tap replay-archive status prod-replay-20261125101500 --env prod'],
  exits: { 2: "bad input: the name, no replay by that name, or (with --env) another env's replay" },
  permissions: 'events:DescribeReplay.',
  async run({ args, env }, deps): Promise<{ kind: 'replay'; replay: ReplayView }> {
    return { kind: 'replay', replay: await envReplay(args.name ?? '', env, deps) };
  },
  render(r: { replay: ReplayView }): string {
    return [line(r.replay), ...(r.replay.lastReplayed ? [`last replayed event: ${r.replay.lastReplayed}`] : [])].join('\n');
  },
});

export const cancel = defineCommand({
  name: 'cancel',
  summary: "cancel a STARTING or RUNNING replay (with replay-archive's --env: one of that env's)",
  env: 'inherited',
  writes: true,
  args: NAME_ARG,
  options: {},
  examples: ['tap replay-archive cancel prod-replay-20261125101500', 'tap replay-archive cancel prod-replay-20261125101500 --env prod'],
  exits: { 1: 'the replay cannot be cancelled in its state (it has ended)', 2: "bad input: the name, no replay by that name, or (with --env) another env's replay" },
  permissions: 'events:DescribeReplay, events:CancelReplay.',
  async run({ args, env }, deps): Promise<{ kind: 'cancelling'; name: string; state: string }> {
    const name = args.name ?? '';
    // EventBridge cancels only a STARTING or RUNNING replay: one that has ended is said as it is, and not asked.
    const before = await envReplay(name, env, deps);
    if (FINAL_STATES.has(before.state)) {
      throw new JobFailed(`replay ${name} is ${before.state}${before.endedAt ? ` (ended ${before.endedAt})` : ''}: only a STARTING or RUNNING replay can be cancelled`, { hint: `see it with \`tap replay-archive status ${name}\`` });
    }
    const { CancelReplayCommand } = await import('@aws-sdk/client-eventbridge');
    const events = await deps.aws.eventBridge();
    try {
      deps.claimInterrupts();
      await events.send(new CancelReplayCommand({ ReplayName: name }));
      // The state as EventBridge has it now (CANCELLING, or already CANCELLED), read rather than assumed.
      return { kind: 'cancelling', name, state: (await describeReplay(events, name)).state };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name === 'ResourceNotFoundException') throw new UsageError(`no replay named '${name}' in this account and region`);
      if (e.name === 'IllegalStatusException') throw new JobFailed(`replay ${name} cannot be cancelled: ${e.message}`, { hint: `see its state: \`tap replay-archive status ${name}\`` });
      throw error;
    }
  },
  render(r: { name: string; state: string }): string {
    return FINAL_STATES.has(r.state) ? `Replay ${r.name} is ${r.state}` : `Replay ${r.name} is ${r.state}; follow it with \`tap replay-archive status ${r.name}\``;
  },
});
