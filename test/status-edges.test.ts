import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeArchiveCommand, EventBridgeClient, ListReplaysCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTap } from './helpers/run-tap.js';

// tap status against answers the fake lifecycle does not give: failed stacks, sparse fields, paging, refusals.
const cfn = mockClient(CloudFormationClient);
const events = mockClient(EventBridgeClient);
const cw = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const xray = mockClient(XRayClient);
const NOW = new Date('2026-11-25T12:00:00Z');
const okApi: typeof fetch = () => Promise.resolve(new Response('{}', { status: 200 }));

type Lines = Record<string, { health: string; summary: string }>;
const status = async () => {
  const r = await runTap(['status', '--env', 'dev', '--json'], { clock: () => NOW, fetch: okApi });
  const result = JSON.parse(r.stdout) as { lines: ({ id: string } & Lines[string])[] };
  return { code: r.code, ...Object.fromEntries(result.lines.map((l) => [l.id, l])) } as Lines & { code: number };
};

beforeEach(() => {
  const outputs = { ApiUrl: 'https://x/dev/', DlqUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/srv-dlq-dev', DataBucketName: 'srv-data-dev' };
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-dev', StackStatus: 'UPDATE_FAILED', CreationTime: NOW, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });
  events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive', State: 'ENABLED' });
  events.on(ListReplaysCommand).resolves({ Replays: [{ ReplayName: 'b', State: 'RUNNING' }, { ReplayName: 'a', State: 'COMPLETED', ReplayStartTime: new Date(1) }] });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [{ Id: '1-6745a1b0-000000000000000000000001', HasError: true, Http: { HttpURL: 'https://x/dev/events' } }] });
  // Newest first, as asked; a period that summed to 0 (a value without events) is not a processed event.
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'processed', Timestamps: [new Date(NOW.getTime() - 30_000), new Date(NOW.getTime() - 60_000), new Date(NOW.getTime() - 120_000)], Values: [0, 2, 5] }] });
});
afterEach(() => [cfn, events, cw, sqs, xray].forEach((m) => m.reset()));

describe('tap status: answers with fields missing', () => {
  it('a FAILED stack is red; what AWS did not say is ? or 0; the newest non-zero minute of the metric is the last event', async () => {
    const s = await status();
    expect(s.code).toBe(1);
    expect(s.stack).toEqual(expect.objectContaining({ health: 'red', summary: `UPDATE_FAILED, updated ${NOW.toISOString()}` }));
    expect(s.archive?.summary).toBe('ENABLED, 0 events, 0 bytes');
    expect(s.replays?.summary).toBe('1 in progress (b); latest a COMPLETED');
    expect(s.xray?.summary).toBe('1 traces in 15 min: 0 fault(s), 1 error(s); top failing: /dev/events (1)');
    expect(s.receipts?.summary).toBe(`last event processed 1 min ago (in the minute from ${new Date(NOW.getTime() - 60_000).toISOString()})`);
    const [query] = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(query).toEqual({
      StartTime: new Date(NOW.getTime() - 3 * 86_400_000),
      EndTime: NOW,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [{ Id: 'processed', ReturnData: true, MetricStat: { Metric: { Namespace: 'Tap', MetricName: 'EventsProcessed', Dimensions: [{ Name: 'Env', Value: 'dev' }] }, Period: 60, Stat: 'Sum' } }],
    });
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it('the replays line reads every ListReplays page: the latest replay may be on the last', async () => {
    events.reset();
    events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive', State: 'ENABLED' });
    events
      .on(ListReplaysCommand)
      .resolvesOnce({ Replays: [{ ReplayName: 'old', State: 'COMPLETED', ReplayStartTime: new Date(1) }], NextToken: 'p2' })
      .resolvesOnce({ Replays: [{ ReplayName: 'new', State: 'FAILED', ReplayStartTime: new Date(2) }] });
    const s = await status();
    expect(s.replays).toMatchObject({ health: 'amber', summary: '0 in progress; latest new FAILED' });
    expect(events.commandCalls(ListReplaysCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2']);
  });

  it('a read refused for lack of access is a red line, and the whole command exits 3', async () => {
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('not authorized to perform sqs:GetQueueAttributes'), { name: 'AccessDenied', $metadata: {} }));
    const s = await status();
    expect(s.dlq).toEqual(expect.objectContaining({ health: 'red', summary: 'could not read: SQS GetQueueAttributes: AccessDenied: not authorized to perform sqs:GetQueueAttributes' }));
    expect(s.code).toBe(3);
  });

  it('no replays at all is green', async () => {
    events.on(ListReplaysCommand).resolves({});
    expect((await status()).replays).toEqual(expect.objectContaining({ health: 'green', summary: '0 in progress' }));
  });
});

describe('--verbose on a failure', () => {
  it('adds the stack of the error that caused it; without --verbose there is none', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('not authorized to perform cloudformation:DescribeStacks'), { name: 'AccessDenied', $metadata: {} }));
    const plain = await runTap(['list']);
    const verbose = await runTap(['list', '--verbose']);
    expect([plain.code, verbose.code]).toEqual([3, 3]);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(verbose.stderr).toMatch(/AccessDenied: not authorized to perform cloudformation:DescribeStacks\n.*hint: Check credentials[^]*\n\s+AccessDenied: not authorized[^]*\n\s+at /);
  });
});
