import { App } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesFor } from '../src/stack/naming.js';
import { ARCHIVE_RETENTION_DAYS, OUTPUTS, PROCESSOR_ASYNC, RECEIPT_EXPIRY_DAYS, RULE_RETRY, RUNTIME, traceFilter } from '../src/stack/spec.js';
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

  it("lets CloudWatch Logs use the key for this env's log groups only, and EventBridge for this env's rule only", () => {
    const arnOf = (...name: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ...name]] });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              // Built from the names (a rule on a custom bus is rule/<bus>/<rule>), not from the rule's Arn attribute.
              ArnEquals: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:rule/${names.bus}/${names.rule}`]] },
              },
            },
          },
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            // Exactly the four log groups of the template, by name: no wildcard that another env's group matches.
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': [
                  arnOf(`:log-group:${names.processorLogGroup}`),
                  arnOf(`:log-group:${names.handlerLogGroup}`),
                  arnOf(`:log-group:${names.accessLogGroup}`),
                  arnOf(':log-group:API-Gateway-Execution-Logs_', { Ref: Match.stringLikeRegexp('^Api') }, '/dev'),
                ],
              },
            },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
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

  it("configures the processor's async invocations explicitly: retries, event age, failures to the DLQ", () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^Processor') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: PROCESSOR_ASYNC.retryAttempts,
      MaximumEventAgeInSeconds: PROCESSOR_ASYNC.maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } } },
    });
    // One way to the DLQ, not two: a DeadLetterConfig as well would queue every failure twice.
    for (const fn of Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties).not.toHaveProperty('DeadLetterConfig');
    }
  });

  it('lets every sender of the encrypted DLQ use the key as SQS asks (GenerateDataKey and Decrypt), through SQS only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ProcessorRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'kms:GenerateDataKey',
            Resource: keyRef,
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
          },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
          {
            Effect: 'Allow',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: keyRef,
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
          },
        ]),
      },
    });
    // EventBridge: the queue policy lets this rule send; the key policy (above) gives it both KMS actions.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Rule'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('never carries an empty key identifier (aws-cdk-lib writes KmsKeyIdentifier: "" on the archive)', () => {
    const empties: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === null || typeof value !== 'object') return;
      for (const [k, v] of Object.entries(value)) {
        if (/Kms|KeyId/i.test(k) && v === '') empties.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
      }
    };
    walk(json, 'template');
    expect(empties).toEqual([]);
    expect(JSON.stringify(json)).not.toContain('"KmsKeyIdentifier"');
  });

  it('holds no account-wide setting: the API Gateway account and its CloudWatch role live in the shared stack', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(JSON.stringify(json)).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
    // The stage still logs (access and execution logs), which is why deploy sets the account role first.
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: Match.anyValue() });
  });

  it('grants what the Lambda Insights extension writes, scoped to /aws/lambda-insights, instead of the managed policy', () => {
    const insights = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/lambda-insights']] };
    const streams = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/lambda-insights:*']] };
    for (const role of ['^HandlerRole', '^ProcessorRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(role) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [insights, streams] },
          ]),
        },
      });
    }
    for (const role of Object.values(json.Resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
      expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
    }
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
    // Every KMS grant to a function goes through a service (kms:ViaService).
    const kms = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(2);
    for (const s of kms) expect(JSON.stringify(s), JSON.stringify(s.Action)).toContain('kms:ViaService');
    template.resourceCountIs('AWS::IAM::Role', 2);
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
