import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { JobFailed, UsageError } from '../src/errors.js';
import { describeReplay, envArchive, startReplayError } from '../src/replay/replays.js';
import { namesFor } from '../src/stack/naming.js';

// The replay module's answers to EventBridge's refusals, with a client that only refuses.
const refusing = (name: string, message = 'no'): EventBridgeClient => ({ send: () => Promise.reject(Object.assign(new Error(message), { name })) }) as unknown as EventBridgeClient;
const names = namesFor('dev');

describe('EventBridge refusals as errors that say what to do', () => {
  it('an unknown replay is a usage error, an unknown archive a failed job, anything else as it came', async () => {
    await expect(describeReplay(refusing('ResourceNotFoundException'), 'r1')).rejects.toBeInstanceOf(UsageError);
    await expect(describeReplay(refusing('ResourceNotFoundException'), 'r1')).rejects.toThrow("no replay named 'r1' in this account and region");
    await expect(envArchive(refusing('ResourceNotFoundException'), names)).rejects.toBeInstanceOf(JobFailed);
    await expect(envArchive(refusing('ResourceNotFoundException'), names)).rejects.toThrow('archive srv-archive-dev does not exist');
    await expect(describeReplay(refusing('ThrottlingException', 'slow down'), 'r1')).rejects.toThrow('slow down');
    await expect(envArchive(refusing('InternalFailure', 'boom'), names)).rejects.toThrow('boom');
  });

  it('StartReplay: the concurrency limit, a pattern or validation refusal, and anything else', () => {
    const e = (name: string, message?: string) => Object.assign(new Error(message), { name, message });
    expect(startReplayError(e('LimitExceededException', 'Rate exceeded'), 'r')).toEqual(expect.objectContaining({ message: expect.stringMatching(/at most 10 replays run at once/) }));
    expect(startReplayError(e('InvalidEventPatternException', 'bad pattern'), 'r')).toEqual(new UsageError('EventBridge refused the replay: bad pattern'));
    expect(startReplayError(e('ValidationException', 'bad window'), 'r')).toBeInstanceOf(UsageError);
    const other = e('InternalFailure', 'x');
    expect(startReplayError(other, 'r')).toBe(other);
  });
});
