import { CancelReplayCommand, DescribeArchiveCommand, DescribeEventBusCommand, DescribeReplayCommand, DescribeRuleCommand, EventBridgeClient, ListReplaysCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countReplayReceipts } from '../src/replay/replays.js';
import { replayReceiptPrefix } from '../src/stack/spec.js';
import { testDeps } from './helpers/deps.js';
import { runTap } from './helpers/run-tap.js';

// EventBridge answers the fake lifecycle does not give: refusals, odd states, missing fields.
const events = mockClient(EventBridgeClient);
const cfn = mockClient(CloudFormationClient);
const STACK = { StackName: 'TapStack-dev', StackStatus: 'CREATE_COMPLETE' as const, CreationTime: new Date(0), Outputs: [{ OutputKey: 'DataBucketName', OutputValue: 'srv-data-dev' }] };
const NOW = new Date('2026-11-25T13:00:00Z');
const clock = () => NOW;
const replay = (...args: string[]) => runTap(['replay-archive', '--env', 'dev', '--from', '1h ago', ...args], { clock });
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [STACK] });
  events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive', State: 'ENABLED', CreationTime: new Date('2026-11-20T00:00:00Z') });
  events.on(DescribeEventBusCommand).resolves({ Arn: 'arn:bus' });
});
afterEach(() => {
  events.reset();
  cfn.reset();
});

describe('tap replay-archive: refusals', () => {
  it('an invalid --rule is exit 2 before any AWS call', async () => {
    const r = await replay('--rule', 'no spaces');
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/invalid --rule 'no spaces'/)]);
    expect(events.calls()).toHaveLength(0);
  });

  it('a stack that does not exist, or lacks the bucket output, is said in one line before anything is started', async () => {
    cfn.on(DescribeStacksCommand).rejectsOnce(Object.assign(new Error('Stack with id TapStack-dev does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
    const gone = await replay();
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringMatching(/^✖ TapStack-dev does not exist in this account and region\n.*hint: deploy it first: `tap deploy --env dev`\n$/)]);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ ...STACK, Outputs: [] }] });
    const bare = await replay();
    expect([bare.code, bare.stderr]).toEqual([1, expect.stringMatching(/^✖ TapStack-dev \(CREATE_COMPLETE\) has no output DataBucketName\n/)]);
    expect(bare.stderr).not.toMatch(/HTTP label/);
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);
  });

  it('an archive that is not ENABLED, or not there', async () => {
    events.on(DescribeArchiveCommand).resolvesOnce({ ArchiveArn: 'arn:archive', State: 'DISABLED' }).rejectsOnce(awsError('ResourceNotFoundException'));
    const disabled = await replay();
    expect([disabled.code, disabled.stderr]).toEqual([2, expect.stringMatching(/archive srv-archive-dev is DISABLED, not ENABLED/)]);
    const missing = await replay();
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/archive srv-archive-dev does not exist\n.*hint: deploy the env first/)]);
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(0);
  });

  it('a rule that cannot be read for lack of access is exit 3, not "no such rule"', async () => {
    events.on(DescribeRuleCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform events:DescribeRule'));
    const r = await replay('--rule', 'srv-deliver-dev');
    expect([r.code, r.stderr]).toEqual([3, expect.stringMatching(/not authorized to perform events:DescribeRule/)]);
  });

  it('StartReplay refused as invalid is exit 2 with EventBridge\'s reason; a rule without an ARN is sent as given', async () => {
    events.on(DescribeRuleCommand).resolves({});
    events.on(StartReplayCommand).rejects(awsError('ValidationException', 'EventEndTime is too far in the past'));
    const r = await replay('--rule', 'srv-deliver-dev');
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/EventBridge refused the replay: EventEndTime is too far in the past/)]);
    expect(events.commandCalls(StartReplayCommand)[0]?.args[0].input.Destination).toEqual({ Arn: 'arn:bus', FilterArns: [''] });
  });

  it('Ctrl-C after the replay ended by itself: the cancel is refused, the end state is reported', async () => {
    const controller = new AbortController();
    // Ctrl-C just after StartReplay (before it, nothing would start: see cli.test).
    events.on(StartReplayCommand).callsFake(() => (controller.abort('SIGINT'), { State: 'STARTING' }));
    events.on(CancelReplayCommand).rejects(awsError('IllegalStatusException'));
    events.on(DescribeReplayCommand).resolves({ ReplayName: 'r', State: 'COMPLETED' });
    const r = await runTap(['replay-archive', '--env', 'dev', '--from', '1h ago', '--name', 'r'], { clock, signal: controller.signal });
    expect([r.code, r.stderr]).toEqual([130, expect.stringMatching(/Replay r is COMPLETED \(asked to cancel\); events replayed before the cancel were delivered/)]);
  });

  it('Ctrl-C when the cancel itself fails for another reason reports that reason', async () => {
    const controller = new AbortController();
    events.on(StartReplayCommand).callsFake(() => (controller.abort('SIGINT'), { State: 'STARTING' }));
    events.on(CancelReplayCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform events:CancelReplay'));
    const r = await runTap(['replay-archive', '--env', 'dev', '--from', '1h ago', '--name', 'r'], { clock, signal: controller.signal });
    expect([r.code, r.stderr]).toEqual([3, expect.stringMatching(/not authorized to perform events:CancelReplay/)]);
  });
});

describe('tap replay-archive list, status, cancel: refusals and sparse answers', () => {
  it('list needs --env', async () => {
    const r = await runTap(['replay-archive', 'list']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/replay-archive list needs --env NAME/)]);
  });

  it('list: newest first over every page, replays without a start time last', async () => {
    events
      .on(ListReplaysCommand)
      .resolvesOnce({ Replays: [{ ReplayName: 'old', State: 'COMPLETED', ReplayStartTime: new Date(1) }, { ReplayName: 'unknown' }], NextToken: 'n' })
      .resolvesOnce({ Replays: [{ ReplayName: 'new', State: 'RUNNING', ReplayStartTime: new Date(2) }] });
    const r = await runTap(['replay-archive', 'list', '--env', 'dev', '--json']);
    expect((JSON.parse(r.stdout) as { replays: { name: string }[] }).replays.map((x) => x.name)).toEqual(['new', 'old', 'unknown']);
  });

  it('cancel: an unknown replay is exit 2; an access error exit 3; the state after the cancel is read, not assumed', async () => {
    events.on(DescribeReplayCommand).rejectsOnce(awsError('ResourceNotFoundException')).rejectsOnce(awsError('AccessDeniedException', 'denied')).resolvesOnce({ ReplayName: 'r1', State: 'RUNNING' }).resolves({ ReplayName: 'r1', State: 'CANCELLED' });
    events.on(CancelReplayCommand).resolves({ State: 'CANCELLING' });
    expect((await runTap(['replay-archive', 'cancel', 'nope'])).code).toBe(2);
    expect((await runTap(['replay-archive', 'cancel', 'nope'])).code).toBe(3);
    expect(events.commandCalls(CancelReplayCommand)).toHaveLength(0);
    expect((await runTap(['replay-archive', 'cancel', 'r1'])).stdout).toBe('Replay r1 is CANCELLED\n');
  });

  it('cancel of a replay that has ended says its state and asks EventBridge nothing (an emulator would answer CANCELLING)', async () => {
    events.on(DescribeReplayCommand).resolves({ ReplayName: 'r1', State: 'COMPLETED', ReplayEndTime: new Date('2026-11-25T10:00:00Z') });
    events.on(CancelReplayCommand).resolves({ State: 'CANCELLING' });
    const r = await runTap(['replay-archive', 'cancel', 'r1']);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', expect.stringMatching(/replay r1 is COMPLETED \(ended 2026-11-25T10:00:00.000Z\): only a STARTING or RUNNING replay can be cancelled\n.*hint: see it with `tap replay-archive status r1`/)]);
    expect(events.commandCalls(CancelReplayCommand)).toHaveLength(0);
  });

  it("status and cancel take replay-archive's --env, before or after the name, and refuse another env's replay", async () => {
    const arn = (archive: string) => `arn:aws:events:us-east-1:123456789012:archive/${archive}`;
    events.on(DescribeReplayCommand, { ReplayName: 'mine' }).resolves({ ReplayName: 'mine', State: 'COMPLETED', EventSourceArn: arn('srv-archive-dev') });
    events.on(DescribeReplayCommand, { ReplayName: 'theirs' }).resolves({ ReplayName: 'theirs', State: 'RUNNING', EventSourceArn: arn('srv-archive-prod') });
    const mine = await runTap(['replay-archive', 'status', 'mine', '--env', 'dev', '--json']);
    expect([mine.code, JSON.parse(mine.stdout)]).toEqual([0, { kind: 'replay', replay: expect.objectContaining({ name: 'mine', archive: 'srv-archive-dev' }) }]);
    expect((await runTap(['replay-archive', '--env', 'dev', 'status', 'mine'])).code).toBe(0);
    for (const sub of ['status', 'cancel']) {
      const r = await runTap(['replay-archive', sub, 'theirs', '--env', 'dev']);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/replay theirs replays archive srv-archive-prod, not env dev's srv-archive-dev\n.*hint: this env's replays: `tap replay-archive list --env dev`/)]);
    }
    expect(events.commandCalls(CancelReplayCommand)).toHaveLength(0);
  });

  it('status and cancel check the replay name before any call', async () => {
    for (const sub of ['status', 'cancel']) {
      const r = await runTap(['replay-archive', sub, 'bad name']);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/invalid replay name 'bad name'/)]);
    }
    expect(events.calls()).toHaveLength(0);
  });
});

describe("counting a replay's receipts", () => {
  it('reads every page of the replay\'s prefix (S3 lists at most 1,000 keys a page)', async () => {
    const s3 = mockClient(S3Client);
    try {
      const answers = [{ Contents: Array.from({ length: 1000 }, (_, i) => ({ Key: `k${i}` })), IsTruncated: true, NextContinuationToken: 'next' }, { Contents: [{ Key: 'last' }], IsTruncated: false }];
      // Each input as it was sent (the paginator reuses one input object).
      const sent: object[] = [];
      s3.on(ListObjectsV2Command).callsFake((input: object) => answers[sent.push({ ...input }) - 1] ?? {});
      expect(await countReplayReceipts('bucket', 'r1', testDeps())).toBe(1001);
      expect(sent).toEqual([
        { Bucket: 'bucket', Prefix: replayReceiptPrefix('r1'), ContinuationToken: undefined },
        { Bucket: 'bucket', Prefix: replayReceiptPrefix('r1'), ContinuationToken: 'next' },
      ]);
      expect(await countReplayReceipts('bucket', 'r2', testDeps())).toBe(0);
    } finally {
      s3.restore();
    }
  });
});
