import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeArchiveCommand, EventBridgeClient, ListReplaysCommand } from '@aws-sdk/client-eventbridge';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTap } from './helpers/run-tap.js';

// tap status against answers the fake lifecycle does not give: failed stacks, sparse fields, paging, refusals.
const cfn = mockClient(CloudFormationClient);
const events = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
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
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-dev', StackStatus: 'UPDATE_FAILED', CreationTime: NOW, Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://x/dev/' }] }] });
  events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive', State: 'ENABLED' });
  events.on(ListReplaysCommand).resolves({ Replays: [{ ReplayName: 'b', State: 'RUNNING' }, { ReplayName: 'a', State: 'COMPLETED', ReplayStartTime: new Date(1) }] });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [{ Id: '1-6745a1b0-000000000000000000000001', HasError: true, Http: { HttpURL: 'https://x/dev/events' } }] });
  s3.on(ListObjectsV2Command)
    .resolvesOnce({ Contents: [{ Key: 'receipts/a.json', LastModified: new Date(NOW.getTime() - 60_000) }, { Key: 'receipts/b.json' }], IsTruncated: true, NextContinuationToken: 't' })
    .resolvesOnce({ Contents: [{ Key: 'receipts/c.json', LastModified: new Date(NOW.getTime() - 120_000) }] });
});
afterEach(() => [cfn, events, s3, sqs, xray].forEach((m) => m.reset()));

describe('tap status: answers with fields missing', () => {
  it('a FAILED stack is red; what AWS did not say is ? or 0; every page of receipts is read', async () => {
    const s = await status();
    expect(s.code).toBe(1);
    expect(s.stack).toEqual(expect.objectContaining({ health: 'red', summary: `UPDATE_FAILED, updated ${NOW.toISOString()}` }));
    expect(s.archive?.summary).toBe('ENABLED, 0 events, 0 bytes');
    expect(s.replays?.summary).toBe('1 in progress (b); latest a COMPLETED');
    expect(s.xray?.summary).toBe('1 traces in 15 min: 0 fault(s), 1 error(s); top failing: /dev/events (1)');
    expect(s.receipts?.summary).toBe(`last event processed 1 min ago (${new Date(NOW.getTime() - 60_000).toISOString()})`);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, 't']);
  });

  it('a read refused for lack of access is a red line, and the whole command exits 3', async () => {
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('not authorized to perform sqs:GetQueueAttributes'), { name: 'AccessDenied', $metadata: {} }));
    const s = await status();
    expect(s.dlq).toEqual(expect.objectContaining({ health: 'red', summary: 'could not read: AccessDenied: not authorized to perform sqs:GetQueueAttributes' }));
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
