import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DeleteObjectsCommand, HeadBucketCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { emptyBucket } from '../src/deploy/bucket.js';
import { createChangeSet, type ChangeSetRequest } from '../src/deploy/change-set.js';
import { describeChange, sentence } from '../src/messages/index.js';
import { settle, StackMonitor } from '../src/deploy/monitor.js';
import { describeStack, stateOf, stuckHint } from '../src/aws/stacks.js';
import { templateSource } from '../src/deploy/staging.js';
import { testDeps } from './helpers/deps.js';

// CloudFormation and S3 answers with the optional fields left out, and the rarer failures.
const cfnMock = mockClient(CloudFormationClient);
const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);
afterEach(() => {
  cfnMock.reset();
  s3Mock.reset();
  stsMock.reset();
});
const cfn = () => new CloudFormationClient({ region: 'us-east-1' });
const request: ChangeSetRequest = { stackName: 'TapStack-dev', type: 'UPDATE', template: { TemplateBody: '{}' }, tags: {}, description: 'd' };

describe('stack states', () => {
  it.each([
    [undefined, 'absent'],
    ['DELETE_COMPLETE', 'absent'],
    ['REVIEW_IN_PROGRESS', 'review'],
    ['ROLLBACK_COMPLETE', 'failed-create'],
    ['CREATE_FAILED', 'failed-create'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['DELETE_FAILED', 'stuck'],
    ['UPDATE_ROLLBACK_FAILED', 'stuck'],
    ['UPDATE_ROLLBACK_COMPLETE', 'ready'],
  ])('%s is %s', (status, state) => {
    expect(stateOf(status)).toBe(state);
  });

  it('a stuck stack gets a hint for its own status', () => {
    expect(stuckHint('UPDATE_ROLLBACK_FAILED', 'TapStack-dev', 'dev')).toMatch(/^run `aws cloudformation continue-update-rollback --stack-name TapStack-dev`/);
    expect(stuckHint('DELETE_FAILED', 'TapStack-dev', 'dev')).toMatch(/^run `tap destroy --env dev`/);
    expect(stuckHint('IMPORT_ROLLBACK_FAILED', 'TapStack-dev', 'dev')).toMatch(/^look at the stack's events/);
  });

  it('reads a stack whose answer leaves out the optional fields', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: undefined, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(5), Tags: [{}], Parameters: [{ ParameterKey: 'P' }], Outputs: [{ OutputKey: 'O' }] } as never] });
    expect(await describeStack(cfn(), 'TapStack-dev')).toEqual({
      id: 'TapStack-dev',
      name: 'TapStack-dev',
      status: 'CREATE_COMPLETE',
      statusReason: undefined,
      terminationProtection: false,
      tags: { '': '' },
      parameters: { P: '' },
      outputs: { O: '' },
      lastUpdated: new Date(5),
    });
  });

  it('no stack in the answer, or a deleted one, is no stack; other errors are thrown', async () => {
    cfnMock.on(DescribeStacksCommand).resolvesOnce({}).resolvesOnce({ Stacks: [{ StackName: 'TapStack-dev', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() }] });
    expect(await describeStack(cfn(), 'TapStack-dev')).toBeUndefined();
    expect(await describeStack(cfn(), 'TapStack-dev')).toBeUndefined();
    cfnMock.on(DescribeStacksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(describeStack(cfn(), 'TapStack-dev')).rejects.toThrow('Rate exceeded');
  });
});

describe('change sets', () => {
  it('a change set CloudFormation could not create, with no reason, is kept and reported', async () => {
    cfnMock.on(CreateChangeSetCommand).resolves({});
    cfnMock.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED' });
    await expect(createChangeSet(cfn(), request, testDeps())).rejects.toThrow(/^CloudFormation could not create change set tap-20261125120000: no reason given$/);
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('reads every page of changes, skipping entries that are not resource changes', async () => {
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'arn:cs' });
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', StackId: 'arn:stack', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Fn', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' } }, {}], NextToken: 't' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', StackId: 'arn:stack', Changes: [{ ResourceChange: {} }] });
    const deps = testDeps();
    const slept: number[] = [];
    const cs = await createChangeSet(cfn(), request, { ...deps, sleep: async (ms) => void slept.push(ms) });
    expect(cs).toEqual({
      id: 'arn:cs',
      name: 'tap-20261125120000',
      type: 'UPDATE',
      stackName: request.stackName,
      stackId: 'arn:stack',
      changes: [
        { action: 'Modify', logicalId: 'Fn', type: 'AWS::Lambda::Function', replacement: 'False' },
        { action: 'Unknown', logicalId: '', type: '', replacement: undefined },
      ],
      executeToken: expect.stringMatching(/^tap-execute-[0-9a-f-]{36}$/),
    });
    expect(slept).toEqual([1000]);
    expect(cfnMock.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, undefined, 't']);
  });

  it('Ctrl-C before the change set is created: none is', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createChangeSet(cfn(), request, { ...testDeps(), signal: controller.signal })).rejects.toThrow('Stopped before creating a change set; nothing changed.');
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('Ctrl-C while CloudFormation computes the change set deletes it: nothing changed', async () => {
    const controller = new AbortController();
    cfnMock.on(CreateChangeSetCommand).callsFake(() => (controller.abort(), { Id: 'arn:cs' }));
    await expect(createChangeSet(cfn(), request, { ...testDeps(), signal: controller.signal })).rejects.toThrow(/change set tap-20261125120000 was deleted and nothing changed/);
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input).toEqual({ ChangeSetName: 'arn:cs' });
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(0); // an update's stack stays as it was
  });

  it.each([
    ['REVIEW_IN_PROGRESS', 1],
    ['CREATE_IN_PROGRESS', 0], // someone executed it meanwhile: not tap's to remove
  ])('Ctrl-C while a CREATE change set is computed also deletes the stack it made when that is still %s', async (status, deletes) => {
    const controller = new AbortController();
    cfnMock.on(CreateChangeSetCommand).callsFake(() => (controller.abort(), { Id: 'arn:cs', StackId: 'arn:stack/new' }));
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-dev', StackId: 'arn:stack/new', StackStatus: status as never, CreationTime: new Date() }] });
    await expect(createChangeSet(cfn(), { ...request, type: 'CREATE' }, { ...testDeps(), signal: controller.signal })).rejects.toThrow(/was deleted and nothing changed/);
    expect(cfnMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'arn:stack/new' });
    expect(cfnMock.commandCalls(DeleteStackCommand).map((c) => c.args[0].input)).toEqual(
      Array.from({ length: deletes }, () => ({ StackName: 'arn:stack/new', ClientRequestToken: expect.stringMatching(/^tap-discard-/) })),
    );
  });

  it.each([
    [{ action: 'Add', logicalId: 'Q', type: 'AWS::SQS::Queue' }, '+ Add    Q (AWS::SQS::Queue)'],
    [{ action: 'Remove', logicalId: 'Q', type: 'AWS::SQS::Queue' }, '- Remove Q (AWS::SQS::Queue)'],
    [{ action: 'Modify', logicalId: 'Q', type: 'AWS::SQS::Queue', replacement: 'False' }, '~ Modify Q (AWS::SQS::Queue)'],
    [{ action: 'Modify', logicalId: 'Q', type: 'AWS::SQS::Queue', replacement: 'Conditional' }, '~ Modify Q (AWS::SQS::Queue) (replacement: Conditional)'],
  ])('%j is drawn as %s', (change, line) => {
    expect(describeChange(change)).toBe(line);
  });
});

describe('stack events', () => {
  const stack = { id: 'arn:stack', name: 'TapStack-dev' };

  it('follows events that leave out fields, and ends on the stack event', async () => {
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({})
      .resolvesOnce({
        StackEvents: [
          { EventId: 'e2', StackId: 'arn:stack', StackName: 'TapStack-dev', LogicalResourceId: 'TapStack-dev', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_COMPLETE', Timestamp: new Date(2) },
          { EventId: 'e1', StackId: 'arn:stack', StackName: 'TapStack-dev', Timestamp: new Date(1) },
        ],
      });
    const deps = testDeps();
    const monitor = await StackMonitor.start(cfn(), stack, deps);
    const outcome = await monitor.follow(3);
    expect(outcome).toEqual({ status: 'UPDATE_COMPLETE', rootCause: undefined, failures: [], events: 2 });
    expect(deps.messages.map(sentence)).toEqual(['[0/3]  ', '[0/3] TapStack-dev UPDATE_COMPLETE']);
  });

  it('settle: an operation that ended between the two reads is not waited for', async () => {
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-dev', StackId: 'arn:stack', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    const info = { id: 'arn:stack', name: 'TapStack-dev', status: 'UPDATE_IN_PROGRESS', terminationProtection: false, tags: {}, parameters: {}, outputs: {} };
    expect((await settle(cfn(), info, testDeps(), true))?.status).toBe('UPDATE_COMPLETE');
    expect(cfnMock.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
  });
});

describe('data bucket and staging bucket', () => {
  it('a version S3 refuses to delete stops emptying with what was removed so far', async () => {
    s3Mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'a', VersionId: '1' }], DeleteMarkers: [{ Key: 'b', VersionId: '2' }] });
    s3Mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'a', Code: 'AccessDenied', Message: 'Access Denied' }] });
    await expect(emptyBucket('data', testDeps())).rejects.toMatchObject({
      message: 'could not delete 1 object version(s) from data: a AccessDenied: Access Denied',
      hint: '0 removed so far; run tap destroy again to go on',
    });
  });

  it('a bucket that is gone counts as empty; an empty page ends emptying with nothing but the phase said', async () => {
    s3Mock.on(ListObjectVersionsCommand).rejectsOnce(Object.assign(new Error('gone'), { name: 'NoSuchBucket' })).resolves({});
    const deps = testDeps();
    expect(await emptyBucket('data', deps)).toBe(0);
    expect(await emptyBucket('data', deps)).toBe(0);
    // Said before the first list, so a slow one is not left under the previous phase's words.
    expect(deps.messages).toEqual([0, 1].map(() => ({ level: 'progress', code: 'destroy.emptying', data: { bucket: 'data', removed: 0 } })));
  });

  it('outside us-east-1 the staging bucket is created in the region; with an endpoint the URL is path-style', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    s3Mock.on(HeadBucketCommand).rejects(Object.assign(new Error('not found'), { name: 'NotFound' }));
    s3Mock.on(PutObjectCommand).resolves({});
    const aws = new AwsClients({ region: 'eu-west-1', endpoint: 'http://localhost:4566/', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const source = await templateSource('TapStack-dev', 'x'.repeat(60_000), { ...testDeps(), aws });
    expect(source).toEqual({ TemplateURL: expect.stringMatching(/^http:\/\/localhost:4566\/tap-staging-123456789012-eu-west-1\/templates\/TapStack-dev\/[0-9a-f]{64}\.json$/) });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({ Bucket: 'tap-staging-123456789012-eu-west-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
  });

  it('a staging bucket name owned by another account is an error, not a bucket created', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    s3Mock.on(HeadBucketCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
    await expect(templateSource('TapStack-dev', 'x'.repeat(60_000), testDeps())).rejects.toThrow('Forbidden');
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(0);
  });
});
