import type { DescribeArchiveCommandOutput, DescribeReplayCommandOutput, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Deps } from '../deps.js';
import { JobFailed, UsageError } from '../errors.js';
import type { EnvNames } from '../stack/naming.js';
import { replayReceiptPrefix } from '../stack/spec.js';

/** AWS: replay names are 1-64 characters of letters, digits, `.`, `-` and `_`. */
const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** The states a replay does not leave (AWS "ReplayState"). */
export const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export function checkReplayName(name: string): void {
  if (!REPLAY_NAME.test(name)) {
    throw new UsageError(`invalid replay name '${name}': 1-64 letters, digits, '.', '-' or '_'`);
  }
}

/** The replay's state, as tap reports it everywhere (start, status, list). */
export interface ReplayView {
  readonly name: string;
  /** The archive it replays (the name in its EventSourceArn). */
  readonly archive?: string;
  readonly state: string;
  readonly reason?: string;
  readonly from?: string;
  readonly to?: string;
  readonly lastReplayed?: string;
  /** 0..1: how far the replay has come through its window. */
  readonly progress: number;
  readonly startedAt?: string;
  readonly endedAt?: string;
}

export function viewOf(r: Partial<DescribeReplayCommandOutput> & { ReplayName?: string }): ReplayView {
  const from = r.EventStartTime?.getTime();
  const to = r.EventEndTime?.getTime();
  const last = r.EventLastReplayedTime?.getTime();
  const progress = r.State === 'COMPLETED' ? 1 : from !== undefined && to !== undefined && last !== undefined && to > from ? Math.min(1, Math.max(0, (last - from) / (to - from))) : 0;
  return {
    name: r.ReplayName ?? '',
    archive: r.EventSourceArn?.split(':archive/')[1],
    state: r.State ?? 'UNKNOWN',
    reason: r.StateReason,
    from: r.EventStartTime?.toISOString(),
    to: r.EventEndTime?.toISOString(),
    lastReplayed: r.EventLastReplayedTime?.toISOString(),
    progress,
    startedAt: r.ReplayStartTime?.toISOString(),
    endedAt: r.ReplayEndTime?.toISOString(),
  };
}

export async function describeReplay(events: EventBridgeClient, name: string): Promise<ReplayView> {
  const { DescribeReplayCommand } = await import('@aws-sdk/client-eventbridge');
  try {
    return viewOf(await events.send(new DescribeReplayCommand({ ReplayName: name })));
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') throw new UsageError(`no replay named '${name}' in this account and region`, { hint: 'list them with `tap replay-archive list --env NAME`' });
    throw error;
  }
}

/** DescribeArchive of the env's archive, as EventBridge answers it (verify, status and replay read it). */
export async function describeArchive(events: EventBridgeClient, names: EnvNames): Promise<DescribeArchiveCommandOutput> {
  const { DescribeArchiveCommand } = await import('@aws-sdk/client-eventbridge');
  return events.send(new DescribeArchiveCommand({ ArchiveName: names.archive }));
}

/** The env's archive: its ARN and creation time, which bound what can be replayed. */
export async function envArchive(events: EventBridgeClient, names: EnvNames): Promise<{ arn: string; state: string; created?: Date; retentionDays?: number }> {
  try {
    const a = await describeArchive(events, names);
    return { arn: a.ArchiveArn ?? '', state: a.State ?? 'UNKNOWN', created: a.CreationTime, retentionDays: a.RetentionDays };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new JobFailed(`archive ${names.archive} does not exist`, { hint: `deploy the env first: \`tap deploy --env ${names.env}\`` });
    }
    throw error;
  }
}

/** EventBridge's refusals of StartReplay, as errors that say what to do. */
export function startReplayError(error: unknown, name: string): unknown {
  const e = error as { name?: string; message?: string };
  switch (e.name) {
    case 'LimitExceededException':
      return new JobFailed(`EventBridge refused the replay: ${e.message ?? 'limit exceeded'} (at most 10 replays run at once per account and region)`, {
        hint: 'wait for one to finish, or cancel one: `tap replay-archive list --env NAME`, `tap replay-archive cancel NAME`',
      });
    case 'ResourceAlreadyExistsException':
      return new UsageError(`a replay named '${name}' already exists`, { hint: 'choose another --name, or leave --name out for a generated one' });
    case 'InvalidEventPatternException':
    case 'ValidationException':
      return new UsageError(`EventBridge refused the replay: ${e.message}`);
    default:
      return error;
  }
}

/** Receipts the processor wrote for events of this replay (it writes them under the replay's prefix). */
export async function countReplayReceipts(bucket: string, replayName: string, deps: Deps): Promise<number> {
  const { paginateListObjectsV2 } = await import('@aws-sdk/client-s3');
  let count = 0;
  for await (const page of paginateListObjectsV2({ client: await deps.aws.s3() }, { Bucket: bucket, Prefix: replayReceiptPrefix(replayName) })) {
    count += page.Contents?.length ?? 0;
  }
  return count;
}

/** `[██████░░░░] 60%` */
export function progressBar(fraction: number, width = 20): string {
  const full = Math.round(fraction * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${Math.round(fraction * 100)}%`;
}
