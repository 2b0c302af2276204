import type { Deps } from '../deps.js';
import { JobFailed, UsageError } from '../errors.js';
import { checkReplayName, describeReplay, envArchive, progressBar, type ReplayView, viewOf } from '../replay/replays.js';
import { namesFor } from '../stack/naming.js';

/** `tap replay-archive list|status|cancel`: the env's replays, one replay, cancelling one. */

const line = (r: ReplayView): string => `${r.name}  ${r.state.padEnd(10)} ${progressBar(r.progress, 10)}  ${r.from ?? '?'} .. ${r.to ?? '?'}${r.reason ? `  (${r.reason})` : ''}`;

export const list = {
  async run(options: { env?: string }, deps: Deps): Promise<{ kind: 'replays'; env: string; replays: ReplayView[] }> {
    if (!options.env) throw new UsageError('replay-archive list needs --env NAME');
    const names = namesFor(options.env);
    await deps.aws.cloudFormationReady();
    const { ListReplaysCommand } = await import('@aws-sdk/client-eventbridge');
    const events = await deps.aws.eventBridge();
    const archive = await envArchive(events, names);
    const replays: ReplayView[] = [];
    let token: string | undefined;
    do {
      const page = await events.send(new ListReplaysCommand({ EventSourceArn: archive.arn, NextToken: token }));
      replays.push(...(page.Replays ?? []).map((r) => viewOf(r)));
      token = page.NextToken;
    } while (token);
    replays.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    return { kind: 'replays', env: options.env, replays };
  },
  render(r: { env: string; replays: ReplayView[] }): string {
    return r.replays.length ? r.replays.map(line).join('\n') : `no replays of srv-archive-${r.env}`;
  },
};

export const status = {
  async run(options: { name: string }, deps: Deps): Promise<{ kind: 'replay'; replay: ReplayView }> {
    checkReplayName(options.name);
    await deps.aws.cloudFormationReady();
    return { kind: 'replay', replay: await describeReplay(await deps.aws.eventBridge(), options.name) };
  },
  render(r: { replay: ReplayView }): string {
    return [line(r.replay), ...(r.replay.lastReplayed ? [`last replayed event: ${r.replay.lastReplayed}`] : [])].join('\n');
  },
};

export const cancel = {
  async run(options: { name: string }, deps: Deps): Promise<{ kind: 'cancelling'; name: string; state: string }> {
    checkReplayName(options.name);
    await deps.aws.cloudFormationReady();
    const { CancelReplayCommand } = await import('@aws-sdk/client-eventbridge');
    try {
      const r = await (await deps.aws.eventBridge()).send(new CancelReplayCommand({ ReplayName: options.name }));
      return { kind: 'cancelling', name: options.name, state: r.State ?? 'CANCELLING' };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name === 'ResourceNotFoundException') throw new UsageError(`no replay named '${options.name}' in this account and region`);
      if (e.name === 'IllegalStatusException') throw new JobFailed(`replay ${options.name} cannot be cancelled: ${e.message}`, { hint: `see its state: \`tap replay-archive status ${options.name}\`` });
      throw error;
    }
  },
  render(r: { name: string; state: string }): string {
    return `Replay ${r.name} is ${r.state}; follow it with \`tap replay-archive status ${r.name}\``;
  },
};
