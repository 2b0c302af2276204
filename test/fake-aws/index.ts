import * as apigwSdk from '@aws-sdk/client-api-gateway';
import * as cfnSdk from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as kmsSdk from '@aws-sdk/client-kms';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as sqsSdk from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import * as xraySdk from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeCloudFormation, type FakeCloudFormationOptions } from './cloudformation.js';
import { FakeClock } from './clock.js';
import { FakeCloudWatch } from './cloudwatch.js';
import { awsError } from './errors.js';
import { signedPost } from './sigv4.js';
import { FakeLogs } from './logs.js';
import { FakeS3 } from './s3.js';
import { FakeServerless } from './serverless.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/**
 * One in-memory AWS account for the whole project (see README.md in this folder): stateful fakes of
 * the services tap calls, wired into the SDK clients with aws-sdk-client-mock, so the real command
 * functions run against it. `calls` counts every API call by name.
 */
export class FakeAws {
  readonly calls: string[] = [];
  readonly s3: FakeS3;
  readonly cloudFormation: FakeCloudFormation;
  /** The env running behind deployed stacks: API, bus, rules, functions, X-Ray. */
  readonly serverless: FakeServerless;
  /** Delay every answer by this many milliseconds of real time (benchmarks). */
  latencyMs = 0;
  /**
   * Fault this share of calls, in two kinds, by turns (see `faultKinds`):
   * - `error`: fails the way the SDK surfaces a failure once its own retries are spent (throttling,
   *   5xx, timeouts, dropped connections), before the call has any effect;
   * - `lost`: the call takes effect and its answer is lost; either the caller gets the connection
   *   reset or timeout, or (every other time) the SDK's retry sends it again and the caller gets the
   *   answer to that second request, which meets the first ("already exists").
   * POST requests through `fetch` (the canary) get `lost` faults too.
   */
  faultRate = 0;
  /** Which kinds `faultRate` injects. @default both */
  faultKinds: readonly ('error' | 'lost')[] = ['error', 'lost'];
  /** Calls whose next answer is lost after the call took effect (the caller gets a connection reset): a test's targeted fault. */
  readonly loseNextAnswer = new Set<string>();
  /** Calls that were faulted on purpose, in total and by kind. */
  faultsInjected = 0;
  readonly faultsByKind = { error: 0, lost: 0 };
  private seed = 42;
  /** KMS keys scheduled for deletion by a stack delete: key id -> deletion date. */
  readonly keysPendingDeletion = new Map<string, Date>();
  /**
   * API Gateway's account settings (one per account and region). A new account names no CloudWatch
   * role; an `AWS::ApiGateway::Account` resource sets it, and deleting that resource leaves it set.
   */
  readonly apiGatewayAccount: { cloudwatchRoleArn?: string } = {};
  /** Runs before each call is answered: a test's way to make something happen "meanwhile". */
  before?: (call: string) => void;
  /** The account's clock: what AWS does in the background moves with it (see clock.ts). */
  readonly clock = new FakeClock(Date.parse('2026-11-25T12:00:00Z'));
  private get time(): number {
    return this.clock.ms;
  }
  private readonly mocks: { restore(): void }[] = [];
  /** The fake installed last, whose clock runTap's default `sleep` moves. */
  static current: FakeAws | undefined;

  /** Lets `ms` of the fake's time pass: stacks, change sets, replays and deliveries move on. */
  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** A `sleep` for tap that lets the fake's time pass instead of real time. */
  readonly sleep = (ms: number): Promise<void> => this.advance(ms);

  /** The caller's account: what GetCallerIdentity answers and every ARN holds (`account` option). */
  readonly account: string;

  /** `account`: the caller's account (default ACCOUNT); the rest tunes CloudFormation's pace and pages. */
  constructor(options: Partial<FakeCloudFormationOptions> & { account?: string } = {}) {
    const { account = ACCOUNT, ...cfnOptions } = options;
    this.account = account;
    this.cloudWatchLogs = new FakeLogs(REGION, account);
    const now = this.clock.stamp;
    this.s3 = new FakeS3(now);
    const hooks = {
      create: (r: { type: string; physicalId: string; properties: unknown }) => {
        if (r.type === 'AWS::S3::Bucket') this.s3.createBucket(r.physicalId, true);
        if (r.type === 'AWS::ApiGateway::Account') this.apiGatewayAccount.cloudwatchRoleArn = (r.properties as { CloudWatchRoleArn?: string }).CloudWatchRoleArn;
        if (r.type === 'AWS::Logs::LogGroup') this.cloudWatchLogs.createGroup(r.physicalId);
      },
      refuse: (r: { type: string; properties: unknown }) => (r.type === 'AWS::ApiGateway::Stage' ? this.refuseStage(r.properties) : undefined),
      delete: (r: { type: string; physicalId: string }) => {
        if (r.type === 'AWS::S3::Bucket' && this.s3.buckets.has(r.physicalId)) this.s3.deleteBucket(r.physicalId);
        if (r.type === 'AWS::Logs::LogGroup') this.cloudWatchLogs.groups.delete(r.physicalId);
        // KMS keeps a deleted key for a waiting period (default 30 days) before it is gone.
        if (r.type === 'AWS::KMS::Key') this.keysPendingDeletion.set(r.physicalId, new Date(this.time + 30 * 86_400_000));
      },
    };
    this.cloudFormation = new FakeCloudFormation(hooks, this.clock, REGION, account, { eventMs: 500, changeSetMs: 1000, eventPageSize: 10, changeSetPageSize: 10, stackPageSize: 2, ...cfnOptions });
    this.serverless = new FakeServerless(this.cloudFormation, this.s3, this.clock);
    this.serverless.cloudWatchLogs = this.cloudWatchLogs;
    this.cloudFormation.alarmState = (arn) => {
      const alarm = this.cloudWatch.describeAlarms({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 });
      const found = [...alarm.MetricAlarms, ...alarm.CompositeAlarms].find((a) => a.AlarmArn === arn);
      return found?.StateValue;
    };
    this.cloudWatch = new FakeCloudWatch(
      () => this.serverless.logs,
      // The alarms of every deployed stack, as CloudFormation made them from the template.
      () => ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) => this.cloudFormation.resources(type).map((r) => ({ ...r, type }))),
      now,
    );
  }
  /** Metrics from the functions' EMF log lines. */
  readonly cloudWatch: FakeCloudWatch;
  /** CloudWatch Logs: the env's log groups as the functions and the stage write them (`invocation`, `access`). */
  readonly cloudWatchLogs: FakeLogs;

  /** `fetch` that reaches the fake API Gateway (pass it to runTap); a faulted POST is applied and its answer lost. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const faulted = init?.method === 'POST' && this.faultKinds.includes('lost') && this.faultRate > 0 && this.random() < this.faultRate;
    const answer = await this.serverless.fetch(input, init);
    if (!faulted) return answer;
    this.faultsInjected++;
    this.faultsByKind.lost++;
    this.fetchAnswersLost++;
    // As undici reports a connection reset after the request was sent.
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
  };
  /** POSTs `body` to an API URL through `fetch`, signed with the account's test keys at the fake's time. */
  readonly post = async (url: string, body: string): Promise<Response> => this.fetch(url, await signedPost(url, body, { accessKeyId: 'test', secretAccessKey: 'test' }, new Date(this.clock.ms)));
  /** POSTs through `fetch` that were applied and whose answer was lost. */
  fetchAnswersLost = 0;

  /** Fakes installed and not yet restored (see `restoreAll`). */
  private static readonly installed = new Set<FakeAws>();

  /**
   * Restores every installed fake: run after each test file (test/helpers/setup.ts), since files
   * share their worker's SDK modules (vitest.config.ts) and a fake left installed would answer the next file.
   */
  static restoreAll(): void {
    for (const fake of FakeAws.installed) fake.restore();
  }

  /** Points every SDK client at this fake until `restore()`. */
  install(): this {
    FakeAws.installed.add(this);
    const cf = this.cloudFormation;
    const cfn = mockClient(cfnSdk.CloudFormationClient);
    this.route(cfn, cfnSdk.DescribeStacksCommand, (i) => cf.describeStacks(i));
    this.route(cfn, cfnSdk.DescribeStackEventsCommand, (i) => cf.describeStackEvents(i));
    this.route(cfn, cfnSdk.DescribeStackResourcesCommand, (i) => cf.describeStackResources(i));
    this.route(cfn, cfnSdk.GetTemplateCommand, (i) => cf.getTemplate(i));
    this.route(cfn, cfnSdk.CreateChangeSetCommand, (i) => cf.createChangeSet(i, (url) => this.templateFromUrl(url)));
    this.route(cfn, cfnSdk.DescribeChangeSetCommand, (i) => cf.describeChangeSet(i));
    this.route(cfn, cfnSdk.DeleteChangeSetCommand, (i) => cf.deleteChangeSet(i));
    this.route(cfn, cfnSdk.ExecuteChangeSetCommand, (i) => cf.executeChangeSet(i));
    this.route(cfn, cfnSdk.DeleteStackCommand, (i) => cf.deleteStack(i));
    this.route(cfn, cfnSdk.UpdateTerminationProtectionCommand, (i) => cf.updateTerminationProtection(i));
    this.route(cfn, cfnSdk.DetectStackDriftCommand, (i) => cf.detectStackDrift(i));
    this.route(cfn, cfnSdk.DescribeStackDriftDetectionStatusCommand, (i) => cf.describeStackDriftDetectionStatus(i));

    const s3 = mockClient(s3Sdk.S3Client);
    const b = (i: { Bucket?: string }) => i.Bucket ?? '';
    this.route(s3, s3Sdk.HeadBucketCommand, (i) => (this.s3.headBucket(b(i)), {}));
    this.route(s3, s3Sdk.CreateBucketCommand, (i) => (this.s3.createBucket(b(i)), { Location: `/${b(i)}` }));
    this.route(s3, s3Sdk.PutPublicAccessBlockCommand, (i) => (this.s3.configure(b(i), 'publicAccessBlock', i.PublicAccessBlockConfiguration), {}));
    this.route(s3, s3Sdk.PutBucketEncryptionCommand, (i) => (this.s3.configure(b(i), 'encryption', i.ServerSideEncryptionConfiguration), {}));
    this.route(s3, s3Sdk.PutBucketLifecycleConfigurationCommand, (i) => (this.s3.configure(b(i), 'lifecycle', i.LifecycleConfiguration), {}));
    this.route(s3, s3Sdk.GetBucketLifecycleConfigurationCommand, (i) => this.s3.lifecycle(b(i)));
    this.route(s3, s3Sdk.PutObjectCommand, (i) => ({ VersionId: this.s3.putObject(b(i), i.Key ?? '', typeof i.Body === 'string' ? i.Body : '') }));
    this.route(s3, s3Sdk.ListObjectVersionsCommand, (i) => this.s3.listObjectVersions(i));
    this.route(s3, s3Sdk.DeleteObjectsCommand, (i) => this.s3.deleteObjects(b(i), i.Delete?.Objects ?? []));
    this.route(s3, s3Sdk.GetObjectCommand, (i) => {
      const text = this.s3.getObject(b(i), i.Key ?? '');
      return { Body: { transformToString: () => Promise.resolve(text) } };
    });
    this.route(s3, s3Sdk.ListObjectsV2Command, (i) => this.s3.listObjectsV2(i));

    const sv = this.serverless;
    const lambda = mockClient(lambdaSdk.LambdaClient);
    this.route(lambda, lambdaSdk.GetFunctionConfigurationCommand, (i) => sv.functionConfiguration(i.FunctionName ?? ''));
    const apigw = mockClient(apigwSdk.APIGatewayClient);
    this.route(apigw, apigwSdk.GetStageCommand, (i) => sv.stage(i.restApiId ?? '', i.stageName ?? ''));
    this.route(apigw, apigwSdk.GetAccountCommand, () => ({ ...this.apiGatewayAccount, throttleSettings: { burstLimit: 5000, rateLimit: 10000 }, features: [] }));
    this.route(apigw, apigwSdk.UpdateAccountCommand, (i: apigwSdk.UpdateAccountCommandInput) => {
      for (const op of i.patchOperations ?? []) {
        if (op.path !== '/cloudwatchRoleArn' || op.op !== 'replace') throw awsError('BadRequestException', `Invalid patch path ${op.path}`);
        this.apiGatewayAccount.cloudwatchRoleArn = op.value || undefined;
      }
      return { ...this.apiGatewayAccount };
    });
    const xray = mockClient(xraySdk.XRayClient);
    const xr = sv.xray;
    this.route(xray, xraySdk.GetGroupCommand, (i: { GroupName?: string }) => xr.group(i.GroupName ?? ''));
    this.route(xray, xraySdk.BatchGetTracesCommand, (i) => xr.batchGetTraces(i));
    this.route(xray, xraySdk.GetTraceSummariesCommand, (i) => xr.traceSummaries(i));
    this.route(xray, xraySdk.GetServiceGraphCommand, (i) => xr.serviceGraph(i));
    const events = mockClient(eventsSdk.EventBridgeClient);
    this.route(events, eventsSdk.DescribeEventBusCommand, (i: { Name?: string }) => sv.eventBus(i.Name ?? 'default'));
    this.route(events, eventsSdk.DescribeArchiveCommand, (i) => sv.archive(i.ArchiveName ?? ''));
    this.route(events, eventsSdk.DescribeRuleCommand, (i) => sv.rule(i.Name ?? '').rule);
    this.route(events, eventsSdk.ListTargetsByRuleCommand, (i) => sv.rule(i.Rule ?? '').targets);
    this.route(events, eventsSdk.StartReplayCommand, (i) => sv.startReplay(i));
    this.route(events, eventsSdk.DescribeReplayCommand, (i: { ReplayName?: string }) => sv.describeReplay(i.ReplayName ?? ''));
    this.route(events, eventsSdk.CancelReplayCommand, (i: { ReplayName?: string }) => sv.cancelReplay(i.ReplayName ?? ''));
    this.route(events, eventsSdk.ListReplaysCommand, (i) => sv.listReplays(i));
    const sqs = mockClient(sqsSdk.SQSClient);
    this.route(sqs, sqsSdk.GetQueueAttributesCommand, (i) => sv.queueAttributes(i.QueueUrl ?? ''));

    const sts = mockClient(STSClient);
    this.route(sts, GetCallerIdentityCommand, () => ({ Account: this.account, Arn: `arn:aws:iam::${this.account}:user/tester`, UserId: 'AIDATESTER' }));

    const kms = mockClient(kmsSdk.KMSClient);
    this.route(kms, kmsSdk.DescribeKeyCommand, (i) => {
      const date = this.keysPendingDeletion.get(i.KeyId ?? '');
      if (!date) throw awsError('NotFoundException', `Key '${i.KeyId}' does not exist`);
      return { KeyMetadata: { KeyId: i.KeyId, KeyState: 'PendingDeletion', DeletionDate: date } };
    });

    const cw = mockClient(CloudWatchClient);
    this.route(cw, GetMetricDataCommand, (i) => this.cloudWatch.getMetricData(i));
    this.route(cw, DescribeAlarmsCommand, (i) => this.cloudWatch.describeAlarms(i));
    this.route(cw, SetAlarmStateCommand, (i) => this.cloudWatch.setAlarmState(i));

    const cwl = mockClient(logsSdk.CloudWatchLogsClient);
    this.route(cwl, logsSdk.FilterLogEventsCommand, (i) => this.cloudWatchLogs.filterLogEvents(i));
    this.route(cwl, logsSdk.StartLiveTailCommand, (i) => this.cloudWatchLogs.startLiveTail(i));

    FakeAws.current = this;
    this.mocks.push(cfn, s3, sts, kms, lambda, apigw, xray, events, sqs, cw, cwl);
    return this;
  }

  restore(): void {
    FakeAws.installed.delete(this);
    for (const m of this.mocks.splice(0)) m.restore();
    if (FakeAws.current === this) FakeAws.current = undefined;
  }

  /** Calls made since the last reset, by command name without the `Command` suffix. */
  resetCalls(): void {
    this.calls.length = 0;
  }

  /** A deterministic random number (a linear congruential generator), so a faulty run can be replayed. */
  private random(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.seed / 2_147_483_648;
  }

  /**
   * One failed attempt (`$metadata.attempts: 1`). aws-sdk-client-mock replaces `send`, so the SDK's
   * retry middleware never runs here: tap's own loops (retryTransient, LookPace) are the retries the
   * fake sees, and they spend the same budget the SDK's attempts would (at most 5 calls in all).
   */
  private fault(): Error {
    const attempts = { $metadata: { attempts: 1 } };
    const kinds = [
      () => Object.assign(awsError('ThrottlingException', 'Rate exceeded', 400), { $metadata: { httpStatusCode: 400, ...attempts.$metadata } }),
      () => Object.assign(awsError('InternalFailure', 'We encountered an internal error. Please try again.', 500), { $metadata: { httpStatusCode: 500, ...attempts.$metadata } }),
      () => Object.assign(awsError('ServiceUnavailable', 'Service is unavailable', 503), { $metadata: { httpStatusCode: 503, ...attempts.$metadata } }),
      () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', ...attempts }),
      () => Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError', ...attempts }),
    ];
    return kinds[this.faultsInjected % kinds.length]!();
  }

  /** Which kind the next fault is: the kinds in `faultKinds` by turns. */
  private nextFaultKind(): 'error' | 'lost' {
    const kind = this.faultKinds[this.faultsInjected % this.faultKinds.length] ?? 'error';
    this.faultsInjected++;
    this.faultsByKind[kind]++;
    return kind;
  }

  /**
   * API Gateway refuses a stage that logs (access or execution logs) while the account names no
   * CloudWatch role, and CloudFormation reports the handler's message.
   */
  private refuseStage(properties: unknown): string | undefined {
    const p = properties as { AccessLogSetting?: unknown; MethodSettings?: { LoggingLevel?: string }[] };
    const logs = p.AccessLogSetting !== undefined || (p.MethodSettings ?? []).some((m) => m.LoggingLevel && m.LoggingLevel !== 'OFF');
    if (!logs || this.apiGatewayAccount.cloudwatchRoleArn) return undefined;
    return 'Resource handler returned message: "CloudWatch Logs role ARN must be set in account settings to enable logging (Service: ApiGateway, Status Code: 400, Request ID: 5b0a3f4e-0000-4000-8000-000000000000)" (HandlerErrorCode: InvalidRequest)';
  }

  /** The object a TemplateURL points at (path style or virtual-hosted style). */
  templateFromUrl(url: string): string {
    const u = new URL(url);
    const hosted = /^([^.]+)\.s3\./.exec(u.hostname);
    const [bucket, ...key] = hosted ? [hosted[1] ?? '', ...u.pathname.slice(1).split('/')] : u.pathname.slice(1).split('/');
    return this.s3.getObject(bucket ?? '', key.join('/'));
  }

  private route<I extends object, O>(
    mock: ReturnType<typeof mockClient>,
    command: { name: string } & (new (input: I) => unknown),
    handler: (input: I) => O,
  ): void {
    const name = command.name.replace(/Command$/, '');
    mock.on(command as never).callsFake((input: I) => {
      this.calls.push(name);
      const delay = this.latencyMs ? new Promise((r) => setTimeout(r, this.latencyMs)) : Promise.resolve();
      return delay
        .then(() => this.clock.advance(this.clock.callMs))
        .then(() => {
          this.before?.(name);
          if (this.loseNextAnswer.delete(name)) {
            handler(input);
            throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', $metadata: { attempts: 1 } });
          }
          if (!this.faultRate || this.random() >= this.faultRate) return handler(input);
          if (this.nextFaultKind() === 'error') throw this.fault();
          handler(input); // applied; its answer is lost
          if (this.faultsByKind.lost % 2 === 0) {
            // The SDK's retry sends the same request again: the caller gets the answer to that one.
            this.calls.push(name);
            return handler(input);
          }
          throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', $metadata: { attempts: 1 } });
        });
    });
  }
}
