import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesFor } from '../src/stack/naming.js';
import { ARCHIVE_RETENTION_DAYS, OUTPUTS, RECEIPT_EXPIRY_DAYS, RULE_RETRY, RUNTIME, traceFilter } from '../src/stack/spec.js';
import { FUNCTION_RUNTIME, TapStack } from '../src/stack/tap-stack.js';

const names = namesFor('dev');
let template: Template;
let json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

beforeAll(() => {
  const stack = new TapStack(new App(), { envName: 'dev', tapVersion: '9.9.9' });
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
});

const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };

describe('embedded stack', () => {
  it('has a rotating KMS key with its alias, removable', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 7 }),
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/srv-key-dev' });
  });

  it('lets CloudWatch Logs and EventBridge use the key, scoped to this account', () => {
    const key = Object.values(json.Resources).find((r) => r.Type === 'AWS::KMS::Key')!;
    const statements = (key.Properties!.KeyPolicy as { Statement: { Principal?: { Service?: unknown }; Condition?: unknown }[] }).Statement;
    const logs = statements.find((s) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.'));
    const events = statements.find((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(JSON.stringify(logs?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(events?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('has an encrypted, versioned, private, SSL-only data bucket with lifecycle rules', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: { 'Fn::Join': ['', ['srv-data-dev-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 7 }, Status: 'Enabled' }),
            Match.objectLike({ Prefix: 'receipts/', ExpirationInDays: RECEIPT_EXPIRY_DAYS, Status: 'Enabled' }),
          ]),
        },
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has a bus, a 7-day archive of it, and a rule with retries and a KMS-encrypted DLQ', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'srv-events-dev' });
    template.hasResource('AWS::Events::Archive', {
      Properties: {
        ArchiveName: 'srv-archive-dev',
        RetentionDays: ARCHIVE_RETENTION_DAYS,
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
        EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
        Description: Match.anyValue(),
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'srv-dlq-dev',
      KmsMasterKeyId: keyRef,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'srv-deliver-dev',
      State: 'ENABLED',
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      EventPattern: { source: [{ prefix: 'tap.' }] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Processor'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: RULE_RETRY.attempts, MaximumEventAgeInSeconds: RULE_RETRY.maxEventAgeSeconds },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
        }),
      ],
    });
  });

  it('has an X-Ray group that selects this env and has insights on', () => {
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'srv-trace-dev',
      FilterExpression: 'service("srv-api-dev/dev") OR service("srv-handler-dev") OR service("srv-processor-dev")',
      InsightsConfiguration: { InsightsEnabled: true },
    });
    expect(traceFilter(names)).toContain('srv-processor-dev');
  });

  it('uses the runtime that verify expects (spec.ts)', () => {
    expect(FUNCTION_RUNTIME.name).toBe(RUNTIME);
  });

  it.each([
    ['srv-handler-dev', 10],
    ['srv-processor-dev', 30],
  ])('runs %s traced, with Insights, 256 MB, inline code and service discovery', (name, timeout) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: name,
      Runtime: RUNTIME,
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: timeout,
      TracingConfig: { Mode: 'Active' },
      Code: { ZipFile: Match.stringLikeRegexp('exports\\.handler') },
      Layers: [Match.anyValue()],
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp(name.includes('handler') ? '^HandlerLogs' : '^ProcessorLogs') } },
      Environment: {
        Variables: {
          TAP_ENV: 'dev',
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^Bus') },
          DATA_BUCKET: { Ref: Match.stringLikeRegexp('^DataBucket') },
        },
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/aws/lambda/${name}`, RetentionInDays: 30, KmsKeyId: keyRef },
      DeletionPolicy: 'Delete',
    });
  });

  it('gives the processor its own DLQ for failed async invocations', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'srv-processor-dev',
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
    });
  });

  it('grants least privilege: resource-scoped, "*" only for X-Ray', () => {
    const policies = Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const statements = policies.flatMap(
      (p) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    const wildcard = statements.filter((s) => s.Resource === '*');
    expect(wildcard.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toContain('events:PutEvents');
    expect(actions).toContain('s3:PutObject');
    expect(actions.some((a) => a.endsWith('*'))).toBe(false);
    const put = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put?.Resource)).toContain('/receipts/*');
    template.resourceCountIs('AWS::IAM::Role', 3);
  });

  it('serves GET / open and POST /events with IAM auth and body validation, traced and throttled', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'srv-api-dev', EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [Match.objectLike({ MetricsEnabled: true, LoggingLevel: 'ERROR', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['type'] }),
    });
    // CORS preflight answers on both resources.
    template.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 2);
    template.hasResource('AWS::Logs::LogGroup', { Properties: Match.objectLike({ LogGroupName: '/aws/apigateway/srv-api-dev/access' }) });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^Api') }, '/dev']] },
    });
  });

  it('makes every resource removable', () => {
    for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>)) {
      expect([undefined, 'Delete'], id).toContain(r.DeletionPolicy);
    }
  });

  it('tags everything with tap:env and tap:version', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::Events::EventBus']) {
      template.hasResourceProperties(type, {
        Tags: Match.arrayWith([{ Key: 'tap:env', Value: 'dev' }, { Key: 'tap:version', Value: '9.9.9' }]),
      });
    }
  });

  it('outputs what later commands read, and nothing needs bootstrap', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
    template.hasOutput(OUTPUTS.xrayGroup, { Value: 'srv-trace-dev' });
    const tpl = JSON.stringify(template.toJSON());
    expect(tpl).not.toContain('BootstrapVersion');
    expect(tpl).not.toContain('cdk-hnb659fds');
    expect(tpl).not.toContain('AWS::CDK::Metadata');
  });
});
