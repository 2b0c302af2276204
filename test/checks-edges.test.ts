import { CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStacksCommand, DetectStackDriftCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetTracesCommand, GetGroupCommand, XRayClient } from '@aws-sdk/client-xray';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { apiTracingCheck } from '../src/checks/api-tracing.js';
import { canaryDeliveryCheck } from '../src/checks/canary-delivery.js';
import { canaryTraceCheck } from '../src/checks/canary-trace.js';
import { type Check, type CheckContext, type CheckResult, fail, pass } from '../src/checks/check.js';
import { runChecks } from '../src/checks/runner.js';
import { dlqCheck } from '../src/checks/dlq.js';
import { driftCheck } from '../src/checks/drift.js';
import { lambdaConfigCheck } from '../src/checks/lambda-config.js';
import { ruleCheck } from '../src/checks/rule.js';
import { stackCheck } from '../src/checks/stack.js';
import { xrayGroupCheck } from '../src/checks/xray-group.js';
import type { StackInfo } from '../src/aws/stacks.js';
import { namesFor } from '../src/stack/naming.js';
import { RULE_RETRY } from '../src/stack/spec.js';
import { testDeps } from './helpers/deps.js';

// Checks against AWS answers that are wrong in every way the fake lifecycle does not produce.
const mocks = [mockClient(CloudFormationClient), mockClient(EventBridgeClient), mockClient(LambdaClient), mockClient(SQSClient), mockClient(XRayClient)] as const;
const [cfnMock, eventsMock, lambdaMock, sqsMock, xrayMock] = mocks;
afterEach(() => mocks.forEach((m) => m.reset()));

const names = namesFor('dev');
const ctx = (over: Partial<CheckContext> = {}): CheckContext => ({
  deps: testDeps(),
  env: 'dev',
  names,
  timeoutMs: 1000,
  stack: () => Promise.resolve(undefined),
  outputs: () => Promise.resolve({}),
  result: () => Promise.reject(new Error('unused')),
  ...over,
});
const stackInfo = (status: string, outputs: Record<string, string> = {}): StackInfo => ({ id: 'arn', name: names.stack, status, terminationProtection: false, tags: {}, parameters: {}, outputs });

describe('configuration checks, everything wrong', () => {
  it('lambda-config names every difference of each function', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ Runtime: 'nodejs18.x', MemorySize: 128, Environment: { Variables: { TAP_ENV: 'prod' } }, Layers: [{}] });
    const outcome = await lambdaConfigCheck.run(ctx());
    expect(outcome.status).toBe('fail');
    expect(outcome.detail).toMatch(/^srv-handler-dev: tracing is off, expected Active, runtime is nodejs18.x, expected nodejs\S+, memory is 128 MB, expected \d+, the Lambda Insights layer is missing, environment variable \w+ is missing/);
    expect(outcome.detail).toMatch(/TAP_ENV is prod; srv-processor-dev: /);
  });

  it('rule: disabled, delivering to something else, with no retry policy or DLQ', async () => {
    eventsMock.on(DescribeRuleCommand).resolves({ State: 'DISABLED' });
    eventsMock.on(ListTargetsByRuleCommand).resolvesOnce({ Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:1:other' }] }).resolvesOnce({});
    const other = await ruleCheck.run(ctx());
    expect(other.detail).toBe(
      `${names.rule}: state is "DISABLED", expected "ENABLED"; target is "arn:aws:sqs:us-east-1:1:other", expected "${names.processor}"; ` +
        `retries is undefined, expected ${RULE_RETRY.attempts}; max event age s is undefined, expected ${RULE_RETRY.maxEventAgeSeconds}; DLQ is undefined, expected "${names.dlq}"`,
    );
    const none = await ruleCheck.run(ctx());
    expect(none.detail).toMatch(/target is "none"/);
  });

  it('xray-group: a group without insights configuration counts as insights off', async () => {
    xrayMock.on(GetGroupCommand).resolves({ Group: { FilterExpression: 'x' } });
    expect((await xrayGroupCheck.run(ctx())).detail).toMatch(/insights is false, expected true$/);
  });

  it('dlq: a queue that reports no count is empty', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({});
    expect(await dlqCheck.run(ctx({ outputs: () => Promise.resolve({ DlqUrl: 'https://sqs/q' }) }))).toMatchObject({ status: 'pass', detail: `${names.dlq} is empty` });
  });

  it('stack: a failed stack fails; an operation running warns; missing and malformed outputs are named, also after a rollback', async () => {
    expect(await stackCheck.run(ctx({ stack: () => Promise.resolve(stackInfo('UPDATE_ROLLBACK_FAILED')) }))).toMatchObject({ status: 'fail', detail: 'UPDATE_ROLLBACK_FAILED, updated ?' });
    expect(await stackCheck.run(ctx({ stack: () => Promise.resolve(stackInfo('UPDATE_IN_PROGRESS')) }))).toMatchObject({ status: 'warn' });
    expect(await stackCheck.run(ctx({ stack: () => Promise.resolve(stackInfo('UPDATE_ROLLBACK_COMPLETE')) }))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^UPDATE_ROLLBACK_COMPLETE, updated \?; outputs: /) });
    const outcome = await stackCheck.run(ctx({ stack: () => Promise.resolve(stackInfo('UPDATE_COMPLETE', { ApiUrl: 'not a url', DlqUrl: 'https://sqs/wrong' })) }));
    expect(outcome.detail).toMatch(/^UPDATE_COMPLETE, updated \?; outputs: ApiUrl malformed \(not a url\), \w+ missing/);
    expect(outcome.detail).toContain('DlqUrl malformed (https://sqs/wrong)');
  });
});

describe('drift and canary trace, the ways they end without a pass', () => {
  it('drift: detection failed, drifted, and not finished in time', async () => {
    cfnMock.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: 'd' });
    cfnMock
      .on(DescribeStackDriftDetectionStatusCommand)
      .resolvesOnce({ DetectionStatus: 'DETECTION_FAILED', DetectionStatusReason: 'no access' })
      .resolvesOnce({ DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: 'DRIFTED' })
      .resolves({ DetectionStatus: 'DETECTION_IN_PROGRESS' });
    expect((await driftCheck.run(ctx())).detail).toBe('drift detection failed: no access');
    expect((await driftCheck.run(ctx())).detail).toBe('DRIFTED: 0 resource(s) drifted');
    // 4 s at one look every 2 s: the first look and two more.
    expect((await driftCheck.run(ctx({ timeoutMs: 4000 }))).detail).toBe('drift detection did not finish in time');
    expect(cfnMock.commandCalls(DescribeStackDriftDetectionStatusCommand)).toHaveLength(2 + 3);
  });

  const delivered = (traceId?: string) => () => Promise.resolve({ id: 'canary-delivery', title: '', durationMs: 1, status: 'pass', detail: '', data: { traceId } } as CheckResult);

  it('canary-trace: no trace id in the receipt', async () => {
    expect((await canaryTraceCheck.run(ctx({ result: delivered(undefined) }))).detail).toBe('the canary receipt holds no trace id');
  });

  it('canary-trace: throttled looks are retried; a trace that never completes names what it lacks', async () => {
    xrayMock
      .on(BatchGetTracesCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ Traces: [{ Segments: [{ Document: JSON.stringify({ name: names.handler }) }, {}] }] });
    const outcome = await canaryTraceCheck.run(ctx({ result: delivered('Root=1-6745a1b0-000000000000000000000001;Sampled=1') }));
    expect(outcome.detail).toBe(`trace 1-6745a1b0-000000000000000000000001 lacks srv-api-dev/dev, ${names.processor} after 1 s`);
  });

  it('canary-trace: an access error is not retried', async () => {
    xrayMock.on(BatchGetTracesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(canaryTraceCheck.run(ctx({ result: delivered('1-6745a1b0-000000000000000000000001') }))).rejects.toThrow('denied');
  });

  it('canary-trace: Ctrl-C stops looking', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await canaryTraceCheck.run(ctx({ deps: { ...testDeps(), signal: controller.signal }, result: delivered('1-6745a1b0-000000000000000000000001') }));
    expect(outcome.status).toBe('fail');
    expect(xrayMock.commandCalls(BatchGetTracesCommand)).toHaveLength(0);
  });
});

describe('canary delivery refused by the API', () => {
  let answer = 403;
  let answerBody = '{"eventId":"ev-1"}';
  let seen: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string } = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(answer, { 'content-type': 'application/json' }).end(answer === 202 ? answerBody : '{"message":"Forbidden"}');
    });
  });
  let api = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const run = () =>
    canaryDeliveryCheck.run(
      ctx({
        deps: { ...testDeps(), aws: new AwsClients({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }) },
        outputs: () => Promise.resolve({ ApiUrl: api, BucketName: 'b' }),
      }),
    );

  it('403: a SigV4-signed POST /events was refused; the remedy is the IAM permission', async () => {
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'fail', detail: 'POST /events answered 403: {"message":"Forbidden"}', remedy: 'the caller needs execute-api:Invoke on POST /events of this API' });
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/dev/events');
    expect(seen.headers?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(seen.body ?? '')).toMatchObject({ type: 'tap.canary', canary: true, correlationId: expect.stringMatching(/^canary-/) });
  });

  it('202, then a receipt that cannot be read for lack of access: the error ends the check (exit 3 in verify)', async () => {
    answer = 202;
    const s3 = mockClient(S3Client);
    try {
      s3.on(GetObjectCommand).rejectsOnce(Object.assign(new Error('no such key'), { name: 'NoSuchKey' })).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
      await expect(run()).rejects.toThrow('Access Denied');
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
      // The receipt of the event the handler answered with: receipts/<correlation id>/<event id>.json.
      const { correlationId } = JSON.parse(seen.body ?? '{}') as { correlationId: string };
      expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: undefined, Key: `receipts/${correlationId}/ev-1.json` });
    } finally {
      s3.restore();
    }
  });

  it('202 without an event id: nothing to look for, the remedy is the handler log group', async () => {
    answer = 202;
    answerBody = '{"correlationId":"c"}';
    try {
      expect(await run()).toMatchObject({ status: 'fail', detail: 'POST /events answered 202 without an event id', remedy: 'look at the handler log group' });
    } finally {
      answerBody = '{"eventId":"ev-1"}';
    }
  });

  it('5xx: the remedy is the handler log group', async () => {
    answer = 502;
    expect((await run()).remedy).toBe('look at the handler log group');
  });
});

describe('the check runner', () => {
  it('turns every way a check can end into a result: outcomes thrown, skips, errors, access refusals', async () => {
    const missing = Object.assign(new Error('Stack with id TapStack-dev does not exist'), { name: 'ValidationError', $metadata: {} });
    // The runner's look fails (so the check runs and reads for itself), then the stack is not there.
    cfnMock.on(DescribeStacksCommand).rejectsOnce(Object.assign(new Error('internal'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })).rejects(missing);
    const check = (id: string, run: Check['run'], needs?: string[]): Check => ({ id, title: id, run, needs });
    const first = await runChecks('dev', [check('outputs', async (c) => pass(String(Object.keys(await c.outputs()).length))), check('after-outputs', () => Promise.resolve(pass('never')), ['outputs'])], testDeps(), 1000, () => undefined);
    expect(first[0]).toMatchObject({ status: 'fail', detail: 'TapStack-dev does not exist', remedy: 'deploy it with `tap deploy --env dev`' });
    expect(first[1]).toMatchObject({ status: 'skip', detail: 'skipped: outputs failed' });
    cfnMock.reset();
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'TapStack-dev', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) }] });
    const checks = [
      check('outputs', async (c) => pass(String(Object.keys(await c.outputs()).length))),
      check('after-outputs', () => Promise.resolve(fail('failed', 'x')), ['outputs']),
      check('after-skipped', () => Promise.resolve(pass('never')), ['after-failed']),
      check('after-failed', () => Promise.resolve(pass('never')), ['after-outputs']),
      check('throws', () => Promise.reject(new Error('boom'))),
      check('gone', () => Promise.reject(Object.assign(new Error('Event bus srv-events-dev does not exist.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }))),
      check('faulty', () => Promise.reject(Object.assign(new Error('internal'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500, attempts: 3 } }))),
      check('asks-unknown', async (c) => pass((await c.result('nope')).detail)),
      check('denied', () => Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }))),
    ];
    const done: string[] = [];
    const results = await runChecks('dev', checks, testDeps(), 1000, (r) => done.push(r.id));
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId.outputs).toMatchObject({ status: 'pass', detail: '0' });
    expect(byId['after-failed']).toMatchObject({ status: 'skip', detail: 'skipped: after-outputs failed' });
    expect(byId['after-skipped']).toMatchObject({ status: 'skip', detail: 'skipped: after-failed was skipped' });
    // No remedy that --verbose would not keep: the message is all tap has; a resource not found is deployed; a fault is run again.
    expect(byId.throws).toEqual(expect.objectContaining({ status: 'fail', detail: 'boom' }));
    expect(byId.throws).not.toHaveProperty('remedy');
    expect(byId.gone).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ResourceNotFoundException: Event bus srv-events-dev does not exist/), remedy: 'the env lacks it: deploy it with `tap deploy --env dev`' });
    expect(byId.faulty).toMatchObject({ status: 'fail', remedy: "AWS's side failed after the retries: run `tap verify --env dev` again" });
    expect(byId['asks-unknown']).toMatchObject({ status: 'fail', detail: 'check nope is not running' });
    expect(byId.denied).toMatchObject({ status: 'fail', detail: 'AccessDeniedException: not authorized', remedy: expect.stringMatching(/^Check credentials/), awsError: 'AccessDeniedException: not authorized' });
    expect(done.sort()).toEqual(checks.map((c) => c.id).sort());
  });
});

describe('api-tracing against sparse GetStage answers', () => {
  const api = mockClient(APIGatewayClient);
  afterAll(() => api.restore());
  const apiCtx = () => ctx({ outputs: () => Promise.resolve({ ApiUrl: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev/' }) });

  it('reads the API id from the URL; tracing on without access logs fails; a log destination that is not a log group ARN still passes', async () => {
    api.on(GetStageCommand).resolvesOnce({ tracingEnabled: true }).resolvesOnce({ tracingEnabled: true, accessLogSettings: { destinationArn: 'arn:aws:firehose:us-east-1:1:deliverystream/x' } });
    const off = await apiTracingCheck.run(apiCtx());
    expect(off).toMatchObject({ status: 'fail', detail: 'stage dev: access logging is off' });
    expect(api.commandCalls(GetStageCommand)[0]?.args[0].input).toEqual({ restApiId: 'abc123defg', stageName: 'dev' });
    const elsewhere = await apiTracingCheck.run(apiCtx());
    expect(elsewhere).toMatchObject({ status: 'pass', detail: 'stage dev: tracing on, access logs to a log group' });
  });
});
