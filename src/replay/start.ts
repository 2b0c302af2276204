import type { EventBridgeClient, StartReplayCommandInput } from '@aws-sdk/client-eventbridge';
import { retryTransient } from '../aws/retry.js';
import type { Deps } from '../deps.js';
import { startReplayError } from './replays.js';

const RETRY_MS = 1000;

type Request = StartReplayCommandInput & { ReplayName: string };

/**
 * StartReplay, safe when its answer is lost: the SDK (or tap) sends it again, and EventBridge
 * answers that retry with "already exists", about the first try. A replay of that name is then
 * read back: when it replays this archive, window and destination it is this request's own, and is
 * followed; anything else is a name in use (exit 2), as before.
 */
export async function startReplay(events: EventBridgeClient, request: Request, deps: Deps): Promise<void> {
  const sdk = await import('@aws-sdk/client-eventbridge');
  try {
    await retryTransient(deps, RETRY_MS, () => events.send(new sdk.StartReplayCommand(request)));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw startReplayError(error, request.ReplayName);
    const existing = await retryTransient(deps, RETRY_MS, () => events.send(new sdk.DescribeReplayCommand({ ReplayName: request.ReplayName })));
    if (!sameReplay(existing, request)) throw startReplayError(error, request.ReplayName);
    deps.io.notify({ level: 'debug', code: 'replay.found', data: { name: request.ReplayName } });
  }
}

/** Whether an existing replay is the one this request asks for (what EventBridge does with it, not its description). */
export function sameReplay(existing: Partial<StartReplayCommandInput>, request: StartReplayCommandInput): boolean {
  const time = (d?: Date) => d?.getTime();
  const filters = (d?: { FilterArns?: string[] }) => JSON.stringify([...(d?.FilterArns ?? [])].sort());
  return (
    existing.EventSourceArn === request.EventSourceArn &&
    time(existing.EventStartTime) === time(request.EventStartTime) &&
    time(existing.EventEndTime) === time(request.EventEndTime) &&
    existing.Destination?.Arn === request.Destination?.Arn &&
    filters(existing.Destination) === filters(request.Destination)
  );
}
