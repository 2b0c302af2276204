import { pages } from '../../aws/pages.js';
import { defineCommand } from '../../command.js';
import { JobFailed, UsageError } from '../../errors.js';
import { checkReplayName, describeReplay, envArchive, progressBar, type ReplayView, viewOf } from '../../replay/replays.js';

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

export const status = defineCommand({
  name: 'status',
  summary: "one replay's state and progress",
  env: 'none',
  args: NAME_ARG,
  options: {},
  examples: ['tap replay-archive status prod-replay-20261125101500'],
  exits: { 2: 'bad input: the name, or no replay by that name' },
  permissions: 'events:DescribeReplay.',
  async run({ args }, deps): Promise<{ kind: 'replay'; replay: ReplayView }> {
    const name = args.name ?? '';
    checkReplayName(name);
    await deps.aws.cloudFormationReady();
    return { kind: 'replay', replay: await describeReplay(await deps.aws.eventBridge(), name) };
  },
  render(r: { replay: ReplayView }): string {
    return [line(r.replay), ...(r.replay.lastReplayed ? [`last replayed event: ${r.replay.lastReplayed}`] : [])].join('\n');
  },
});

export const cancel = defineCommand({
  name: 'cancel',
  summary: 'cancel a replay',
  env: 'none',
  writes: true,
  args: NAME_ARG,
  options: {},
  examples: ['tap replay-archive cancel prod-replay-20261125101500'],
  exits: { 1: 'the replay cannot be cancelled in its state', 2: 'bad input: the name, or no replay by that name' },
  permissions: 'events:CancelReplay.',
  async run({ args }, deps): Promise<{ kind: 'cancelling'; name: string; state: string }> {
    const name = args.name ?? '';
    checkReplayName(name);
    await deps.aws.cloudFormationReady();
    const { CancelReplayCommand } = await import('@aws-sdk/client-eventbridge');
    try {
      deps.claimInterrupts();
      const r = await (await deps.aws.eventBridge()).send(new CancelReplayCommand({ ReplayName: name }));
      return { kind: 'cancelling', name, state: r.State ?? 'CANCELLING' };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name === 'ResourceNotFoundException') throw new UsageError(`no replay named '${name}' in this account and region`);
      if (e.name === 'IllegalStatusException') throw new JobFailed(`replay ${name} cannot be cancelled: ${e.message}`, { hint: `see its state: \`tap replay-archive status ${name}\`` });
      throw error;
    }
  },
  render(r: { name: string; state: string }): string {
    return `Replay ${r.name} is ${r.state}; follow it with \`tap replay-archive status ${r.name}\``;
  },
});
