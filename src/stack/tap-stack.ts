import { readFileSync } from 'node:fs';
import { App, Aws, CfnOutput, type CfnResource, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib/core';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as xray from 'aws-cdk-lib/aws-xray';
import type { Construct } from 'constructs';
import { allowLogsToUseKey, allowRuleToUseKey, viaService } from './key-policy.js';
import { bucketName, ENV_TAG, namesFor, type EnvNames } from './naming.js';
import { ARCHIVE_RETENTION_DAYS, FUNCTION_MEMORY_MB, OUTPUTS, PROCESSOR_ASYNC, RECEIPT_EXPIRY_DAYS, RULE_RETRY, traceFilter } from './spec.js';

/** Runtime of both functions: the newest Node.js runtime in aws-cdk-lib that is not deprecated. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const INSIGHTS_VERSION = lambda.LambdaInsightsVersion.VERSION_1_0_498_0;
/** The account-wide log group the Lambda Insights extension writes to (it creates it; no stack owns it). */
const INSIGHTS_LOG_GROUP_ARN = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/lambda-insights`;

export interface TapStackProps extends StackProps {
  /** The env name; every physical name is derived from it. */
  readonly envName: string;
  /** Written to the `tap:version` tag. */
  readonly tapVersion: string;
}

type FunctionKind = 'handler' | 'processor';
/** Construct id (fixes the logical ids) and timeout of each function. */
const FUNCTIONS: Record<FunctionKind, { id: string; timeoutSeconds: number }> = {
  handler: { id: 'Handler', timeoutSeconds: 10 },
  processor: { id: 'Processor', timeoutSeconds: 30 },
};

function functionCode(which: FunctionKind): lambda.Code {
  // src/stack/ and dist/stack/ are both two levels below the package root, where the source lives.
  return lambda.Code.fromInline(readFileSync(new URL(`../../src/stack/functions/${which}.cjs`, import.meta.url), 'utf8'));
}

/** API Gateway -> handler -> EventBridge bus (archived) -> rule (retries, DLQ) -> processor -> S3 receipt. */
export class TapStack extends Stack {
  readonly names: EnvNames;
  /** Every log group of this env, for the key policy. */
  private readonly logGroupNames: string[] = [];

  constructor(scope: Construct, props: TapStackProps) {
    const names = namesFor(props.envName);
    super(scope, names.stack, {
      ...props,
      description: `tap environment ${names.env}`,
      // No bootstrap: no assets, and no SSM lookup of a bootstrap version at deploy time.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    this.names = names;
    Tags.of(this).add(ENV_TAG, names.env);
    Tags.of(this).add('tap:version', props.tapVersion);

    const key = this.encryptionKey();
    const bucket = this.dataBucket(key);
    const dlq = this.deadLetterQueue(key);
    const bus = new events.EventBus(this, 'Bus', { eventBusName: names.bus });
    const archive = bus.archive('Archive', {
      archiveName: names.archive,
      description: `every event on ${names.bus}`,
      eventPattern: { account: [Aws.ACCOUNT_ID] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
    archive.applyRemovalPolicy(RemovalPolicy.DESTROY);
    // aws-cdk-lib writes `KmsKeyIdentifier: ""` when no key is given, which some regions reject. An
    // archive could use the env's CMK (EventBridge then needs the key for every archived event and
    // every replay, with the bus ARN as encryption context), but the archive holds the same events
    // the bus carried, and EventBridge's default, an AWS owned key, already encrypts it at rest: the
    // property is removed rather than pointed at the CMK.
    (archive.node.defaultChild as CfnResource).addPropertyDeletionOverride('KmsKeyIdentifier');

    const environment = { TAP_ENV: names.env, EVENT_BUS_NAME: bus.eventBusName, DATA_BUCKET: bucket.bucketName };
    const processor = this.tracedFunction('processor', key, environment);
    processor.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('receipts/*')] }),
    );
    // SSE-KMS on PutObject needs a data key; only through S3 (kms:ViaService), not for direct KMS calls.
    processor.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [key.keyArn], conditions: viaService('s3') }),
    );
    this.asyncFailuresTo(processor, dlq, key);
    acknowledge(processor, [
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'Failed async invocations reach the DLQ through the OnFailure destination of its EventInvokeConfig, which adds the error to the event; a DeadLetterConfig as well would queue every failure twice.',
      },
    ]);
    acknowledge(processor.role!, [
      {
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(bucket)}.Arn>/receipts/*]`,
        reason: 'The processor writes one receipt per event under receipts/; the prefix is the scope.',
      },
    ]);

    new events.Rule(this, 'Rule', {
      eventBus: bus,
      ruleName: names.rule,
      description: 'app and canary events to the processor',
      eventPattern: { source: events.Match.prefix('tap.') },
      targets: [
        new targets.LambdaFunction(processor, {
          retryAttempts: RULE_RETRY.attempts,
          maxEventAge: Duration.seconds(RULE_RETRY.maxEventAgeSeconds),
          deadLetterQueue: dlq,
        }),
      ],
    });
    allowRuleToUseKey(key, this.names);

    const handler = this.tracedFunction('handler', key, environment);
    bus.grantPutEventsTo(handler);
    acknowledge(handler, [
      { id: 'Serverless-LambdaDLQ', reason: 'API Gateway invokes the handler synchronously; the caller sees every failure.' },
    ]);

    const api = this.restApi(handler, key);
    allowLogsToUseKey(key, this.logGroupNames);

    new xray.CfnGroup(this, 'TraceGroup', {
      groupName: names.xrayGroup,
      filterExpression: traceFilter(names),
      insightsConfiguration: { insightsEnabled: true, notificationsEnabled: false },
    });

    const out = (id: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, id, { value, description });
    out(OUTPUTS.apiUrl, api.url, 'Base URL of the API stage');
    out(OUTPUTS.busName, bus.eventBusName, 'EventBridge bus');
    out(OUTPUTS.busArn, bus.eventBusArn, 'EventBridge bus ARN');
    out(OUTPUTS.archiveName, archive.archiveName, 'EventBridge archive (7-day retention)');
    out(OUTPUTS.xrayGroup, names.xrayGroup, 'X-Ray group of this env');
    out(OUTPUTS.handlerName, handler.functionName, 'API handler function');
    out(OUTPUTS.processorName, processor.functionName, 'Event processor function');
    out(OUTPUTS.bucketName, bucket.bucketName, 'Data bucket holding receipts/');
    out(OUTPUTS.dlqUrl, dlq.queueUrl, 'Dead-letter queue of the rule');
  }

  /** The logical id CloudFormation sees for a construct, as cdk-nag names it in finding ids. */
  private logicalIdOf(construct: Construct): string {
    return this.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
  }

  private encryptionKey(): kms.Key {
    const key = new kms.Key(this, 'Key', {
      alias: this.names.keyAlias,
      description: `tap ${this.names.env}: data bucket, DLQ and logs`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return key;
  }

  /**
   * EventBridge invokes the processor asynchronously: the rule's retry policy covers delivery only;
   * an error thrown by the function follows Lambda's own async settings. They are set here, and what
   * still fails goes to the DLQ (OnFailure destination, which carries the error with the event).
   * Lambda sends it with the function's role, which needs what SQS asks of a sender of an encrypted queue.
   */
  private asyncFailuresTo(fn: lambda.Function, dlq: sqs.Queue, key: kms.Key): void {
    new lambda.EventInvokeConfig(this, 'ProcessorAsync', {
      function: fn,
      retryAttempts: PROCESSOR_ASYNC.retryAttempts,
      maxEventAge: Duration.seconds(PROCESSOR_ASYNC.maxEventAgeSeconds),
      // Not SqsDestination: it grants kms:ReEncrypt* and kms:GenerateDataKey* as well; the statements below are exact.
      onFailure: { bind: () => ({ destination: dlq.queueArn }) },
    });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn], conditions: viaService('sqs') }),
    );
  }

  private dataBucket(key: kms.Key): s3.Bucket {
    const bucket = new s3.Bucket(this, 'DataBucket', {
      bucketName: bucketName(this.names.env, Aws.ACCOUNT_ID, Aws.REGION),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'noncurrent', noncurrentVersionExpiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'receipts', prefix: 'receipts/', expiration: Duration.days(RECEIPT_EXPIRY_DAYS) },
      ],
      // No autoDeleteObjects: it needs an asset-backed custom resource (and so bootstrap). `tap destroy` empties it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(bucket, [
      { id: 'AwsSolutions-S1', reason: 'Holds only delivery receipts, written by the processor alone and expired after 3 days; server access logs would need a second bucket for them, and object-level auditing (CloudTrail data events) is left to the account owner.' },
    ]);
    return bucket;
  }

  private deadLetterQueue(key: kms.Key): sqs.Queue {
    const dlq = new sqs.Queue(this, 'Dlq', {
      queueName: this.names.dlq,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(dlq, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself the dead-letter queue.' },
    ]);
    return dlq;
  }

  /** A log group of this env: KMS-encrypted, a month's retention, removed with the stack. */
  private logGroup(id: string, logGroupName: string, key: kms.IKey): logs.LogGroup {
    this.logGroupNames.push(logGroupName);
    return new logs.LogGroup(this, id, {
      logGroupName,
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private tracedFunction(which: FunctionKind, key: kms.Key, environment: Record<string, string>): lambda.Function {
    const { id, timeoutSeconds } = FUNCTIONS[which];
    const functionName = this.names[which];
    const logGroup = this.logGroup(`${id}Logs`, this.names[`${which}LogGroup`], key);
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new ExecutionRole(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${functionName} execution role`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    // What the Lambda Insights extension writes, in place of CloudWatchLambdaInsightsExecutionRolePolicy
    // (which grants logs:CreateLogGroup on "*"): the account's /aws/lambda-insights group, created by
    // the first function that reports to it, and a stream per function instance.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [INSIGHTS_LOG_GROUP_ARN, `${INSIGHTS_LOG_GROUP_ARN}:*`],
      }),
    );
    const fn = new lambda.Function(this, id, {
      functionName,
      runtime: FUNCTION_RUNTIME,
      handler: 'index.handler',
      code: functionCode(which),
      memorySize: FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      insightsVersion: INSIGHTS_VERSION,
      environment,
      logGroup,
      role,
    });
    acknowledge(role,
      [
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.' },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda-insights:*]',
          reason: 'The Lambda Insights extension writes one log stream per function instance into /aws/lambda-insights, under names chosen at run time.',
        },
      ],
    );
    return fn;
  }

  private restApi(handler: lambda.IFunction, key: kms.Key): apigw.RestApi {
    const { names } = this;
    const accessLogs = this.logGroup('ApiAccessLogs', names.accessLogGroup, key);
    const api = new apigw.RestApi(this, 'Api', {
      restApiName: names.api,
      description: `tap ${names.env} API`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The account's CloudWatch role for API Gateway is one per account and region: the shared stack
      // (shared-stack.ts) holds it, and `tap deploy` makes sure it is set before this stage exists.
      cloudWatchRole: false,
      deployOptions: {
        stageName: names.env,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      defaultCorsPreflightOptions: { allowOrigins: apigw.Cors.ALL_ORIGINS, allowMethods: ['GET', 'POST', 'OPTIONS'] },
    });
    api.node.tryRemoveChild('Endpoint'); // the default URL output; ApiUrl below replaces it
    // API Gateway creates its execution log group itself on first use; owning it here lets destroy remove it.
    const executionLogs = this.logGroup('ApiExecutionLogs', `API-Gateway-Execution-Logs_${api.restApiId}/${names.env}`, key);
    api.deploymentStage.node.addDependency(executionLogs);

    const integration = new apigw.LambdaIntegration(handler);
    api.root.addMethod('GET', integration, { authorizationType: apigw.AuthorizationType.NONE });
    const eventModel = api.addModel('EventModel', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        type: apigw.JsonSchemaType.OBJECT,
        required: ['type'],
        properties: {
          type: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 128 },
          detail: { type: apigw.JsonSchemaType.OBJECT },
          correlationId: { type: apigw.JsonSchemaType.STRING },
          canary: { type: apigw.JsonSchemaType.BOOLEAN },
        },
      },
    });
    api.root.addResource('events').addMethod('POST', integration, {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidatorOptions: { validateRequestBody: true, validateRequestParameters: false },
      requestModels: { 'application/json': eventModel },
    });
    acknowledge(api,
      [
        { id: 'AwsSolutions-APIG2', reason: 'POST /events validates its body with a model; GET / and OPTIONS take no input.' },
        { id: 'AwsSolutions-APIG3', reason: 'Writes need SigV4 (IAM) and the stage is throttled; a WAF web ACL is left to the account owner.' },
        { id: 'AwsSolutions-APIG4', reason: 'GET / is an open health probe and OPTIONS answers CORS preflight; POST /events uses IAM authorization.' },
        { id: 'AwsSolutions-COG4', reason: 'Callers are AWS principals (IAM authorization), not Cognito users.' },
      ],
    );
    return api;
  }
}

/** Builds the app and the env's stack (no AWS calls); the stack is environment-agnostic. */
export function buildStack(envName: string, tapVersion: string, app = new App()): TapStack {
  return new TapStack(app, { envName, tapVersion });
}

/**
 * A Lambda execution role without AWS-managed policies. aws-cdk-lib attaches
 * CloudWatchLambdaInsightsExecutionRolePolicy to the role of every function with Lambda Insights;
 * `tracedFunction` grants the same writes scoped to /aws/lambda-insights instead.
 */
class ExecutionRole extends iam.Role {
  override addManagedPolicy(policy: iam.IManagedPolicy): void {
    if (!JSON.stringify(Stack.of(this).resolve(policy.managedPolicyArn)).includes('CloudWatchLambdaInsightsExecutionRolePolicy')) {
      super.addManagedPolicy(policy);
    }
  }
}

/** Acknowledges cdk-nag findings on a construct, each with the reason it is acceptable here. */
function acknowledge(scope: Construct, rules: { id: string; reason: string }[]): void {
  Validations.of(scope).acknowledge(...rules);
}
