// The resources of one tap env, made in the emulator the way the deployed stack would leave them.
// moto's CloudFormation cannot create the whole template (it answers 500 on some of its resource
// properties), so each resource is made by its own API, with the names of src/stack/naming.ts and
// the settings of src/stack/spec.ts. A minimal stack TapStack-<env> holds the outputs tap reads and
// the resources destroy finds through DescribeStackResources (the data bucket and the KMS key; the
// functions' role too, since IAM has no client among the project's dependencies).
import { ALARMS, PERIOD_S } from '../../dist/stack/alarm-spec.js';
import { apiTraceName, ARCHIVE_RETENTION_DAYS, FUNCTION_MEMORY_MB, INSIGHTS_LAYER, OUTPUTS, RULE_RETRY, RUNTIME, traceFilter } from '../../dist/stack/spec.js';

/** AWS's public Lambda Insights layer, as the stack references it (account 580247275435). */
const AWS_INSIGHTS_LAYER = 'arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:53';
/** The smallest valid zip archive (an empty one): moto stores function code, it never runs it here. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

/** A resource the emulator does not have: the suite reports it and goes on. */
export class Missing extends Error {}

function stackTemplate(names, bucket, outputs) {
  const assume = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  return {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] } } },
      DataBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: bucket,
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] },
        },
      },
      FunctionRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: `srv-role-${names.env}`, AssumeRolePolicyDocument: assume } },
    },
    Outputs: {
      ...Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
      [OUTPUTS.bucketName]: { Value: { Ref: 'DataBucket' } },
      RoleArn: { Value: { 'Fn::GetAtt': ['FunctionRole', 'Arn'] } },
      KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } },
    },
  };
}

/**
 * Creates the env; returns what the suite needs later (queue URLs, the bucket, the API id). `apiUrl`
 * is where the suite's stand-in for the API's GET / listens. `missing` collects what moto lacks.
 */
export async function createEnv(c, names, { account, region, apiUrl, apiId }) {
  const missing = [];
  const sdk = c.sdk;
  const bucket = `srv-data-${names.env}-${account}-${region}`;

  // SQS: the DLQ, and the queue moto delivers the rule's events to in place of the processor.
  const dlq = await c.sqs.send(new sdk.sqs.CreateQueueCommand({ QueueName: names.dlq, Attributes: { MessageRetentionPeriod: '1209600' } }));
  const delivery = await c.sqs.send(new sdk.sqs.CreateQueueCommand({ QueueName: `srv-delivery-${names.env}` }));
  const arnOf = async (url) => (await c.sqs.send(new sdk.sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes.QueueArn;
  const [dlqArn, deliveryArn] = await Promise.all([arnOf(dlq.QueueUrl), arnOf(delivery.QueueUrl)]);

  // EventBridge: bus, archive (the stack's pattern: every event of the account), rule and targets.
  const bus = await c.events.send(new sdk.events.CreateEventBusCommand({ Name: names.bus }));
  await c.events.send(new sdk.events.CreateArchiveCommand({ ArchiveName: names.archive, EventSourceArn: bus.EventBusArn, RetentionDays: ARCHIVE_RETENTION_DAYS, EventPattern: JSON.stringify({ account: [account] }) }));
  await c.events.send(new sdk.events.PutRuleCommand({ Name: names.rule, EventBusName: names.bus, EventPattern: JSON.stringify({ source: [{ prefix: 'tap.' }] }), State: 'ENABLED' }));
  const processorArn = `arn:aws:lambda:${region}:${account}:function:${names.processor}`;
  await c.events.send(
    new sdk.events.PutTargetsCommand({
      Rule: names.rule,
      EventBusName: names.bus,
      Targets: [
        { Id: 'Processor', Arn: processorArn, RetryPolicy: { MaximumRetryAttempts: RULE_RETRY.attempts, MaximumEventAgeInSeconds: RULE_RETRY.maxEventAgeSeconds }, DeadLetterConfig: { Arn: dlqArn } },
        // moto delivers to SQS, not to Lambda; the suite's stand-in processor reads this queue.
        { Id: 'Delivery', Arn: deliveryArn },
      ],
    }),
  );

  // API Gateway: the REST API with the id the stand-in URL's first label names, GET / and the stage.
  const api = await c.apiGateway.send(new sdk.apiGateway.CreateRestApiCommand({ name: names.api, tags: { _custom_id_: apiId } }));
  const { items = [] } = await c.apiGateway.send(new sdk.apiGateway.GetResourcesCommand({ restApiId: api.id }));
  const root = items.find((r) => r.path === '/');
  await c.apiGateway.send(new sdk.apiGateway.PutMethodCommand({ restApiId: api.id, resourceId: root.id, httpMethod: 'GET', authorizationType: 'NONE' }));
  await c.apiGateway.send(new sdk.apiGateway.PutIntegrationCommand({ restApiId: api.id, resourceId: root.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
  const deployment = await c.apiGateway.send(new sdk.apiGateway.CreateDeploymentCommand({ restApiId: api.id }));
  await c.apiGateway.send(new sdk.apiGateway.CreateStageCommand({ restApiId: api.id, stageName: names.env, deploymentId: deployment.id, tracingEnabled: true }));
  const accessLogs = `arn:aws:logs:${region}:${account}:log-group:${names.accessLogGroup}`;
  await c.apiGateway.send(
    new sdk.apiGateway.UpdateStageCommand({
      restApiId: api.id,
      stageName: names.env,
      patchOperations: [
        { op: 'replace', path: '/accessLogSettings/destinationArn', value: accessLogs },
        { op: 'replace', path: '/accessLogSettings/format', value: '{"requestId":"$context.requestId"}' },
      ],
    }),
  );

  // X-Ray group: moto 5.2.1 has no CreateGroup/GetGroup (it answers an HTML 404 page).
  try {
    await c.xray.send(new sdk.xray.CreateGroupCommand({ GroupName: names.xrayGroup, FilterExpression: traceFilter(names), InsightsConfiguration: { InsightsEnabled: true } }));
  } catch (error) {
    missing.push({ what: 'xray-group', why: `moto 5.2.1 has no X-Ray group API: CreateGroup answered HTTP ${error.$metadata?.httpStatusCode ?? '?'} (${error.name})` });
  }

  // CloudWatch: the env's alarms, each notifying the alerts topic (SNS has no client among the
  // project's dependencies: the topic is its ARN), set OK as a first evaluation would leave them;
  // the composite by PutCompositeAlarm, which moto may lack (then the alarms check is skipped).
  const topicArn = `arn:aws:sns:${region}:${account}:${names.alerts}`;
  for (const spec of ALARMS) {
    const AlarmName = names.alarms[spec.id];
    await c.cloudWatch.send(new sdk.cloudWatch.PutMetricAlarmCommand({ AlarmName, Namespace: 'Tap', MetricName: spec.id, Statistic: 'Sum', Period: PERIOD_S, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: spec.missingData, AlarmActions: [topicArn], OKActions: [topicArn] }));
    await c.cloudWatch.send(new sdk.cloudWatch.SetAlarmStateCommand({ AlarmName, StateValue: 'OK', StateReason: 'emulator: evaluated' }));
  }
  try {
    await c.cloudWatch.send(new sdk.cloudWatch.PutCompositeAlarmCommand({ AlarmName: names.rollup, AlarmRule: Object.values(names.alarms).map((n) => `ALARM("${n}")`).join(' OR '), ActionsEnabled: false }));
  } catch (error) {
    missing.push({ what: 'alarms', why: `moto 5.2.1 has no composite alarms: PutCompositeAlarm answered HTTP ${error.$metadata?.httpStatusCode ?? '?'} (${error.name})` });
  }

  // The stack: outputs as the real template writes them, and the resources destroy reads.
  const outputs = {
    [OUTPUTS.alertsTopicArn]: topicArn,
    [OUTPUTS.dashboardUrl]: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${names.dashboard}`,
    [OUTPUTS.apiUrl]: apiUrl,
    [OUTPUTS.busName]: names.bus,
    [OUTPUTS.busArn]: bus.EventBusArn,
    [OUTPUTS.archiveName]: names.archive,
    [OUTPUTS.xrayGroup]: names.xrayGroup,
    [OUTPUTS.handlerName]: names.handler,
    [OUTPUTS.processorName]: names.processor,
    [OUTPUTS.dlqUrl]: dlq.QueueUrl,
  };
  await c.cfn.send(new sdk.cfn.CreateStackCommand({ StackName: names.stack, TemplateBody: JSON.stringify(stackTemplate(names, bucket, outputs)), Tags: [{ Key: 'tap:env', Value: names.env }] }));
  const stack = (await c.cfn.send(new sdk.cfn.DescribeStacksCommand({ StackName: names.stack }))).Stacks[0];
  if (stack.StackStatus !== 'CREATE_COMPLETE') throw new Error(`${names.stack} is ${stack.StackStatus}: ${stack.StackStatusReason ?? ''}`);
  const out = Object.fromEntries(stack.Outputs.map((o) => [o.OutputKey, o.OutputValue]));
  // moto's CloudFormation ignores the bucket's VersioningConfiguration (README): set it by S3's own API.
  await c.s3.send(new sdk.s3.PutBucketVersioningCommand({ Bucket: out[OUTPUTS.bucketName], VersioningConfiguration: { Status: 'Enabled' } }));

  // Lambda: both functions as the stack configures them. moto refuses a layer ARN it does not hold
  // (AWS's public Insights layer lives in another account), so the layer is published in moto first.
  const layer = await c.lambda.send(new sdk.lambda.PublishLayerVersionCommand({ LayerName: INSIGHTS_LAYER, Content: { ZipFile: EMPTY_ZIP }, CompatibleRuntimes: [RUNTIME] }));
  for (const fn of [names.handler, names.processor]) {
    await c.lambda.send(
      new sdk.lambda.CreateFunctionCommand({
        FunctionName: fn,
        Runtime: RUNTIME,
        Role: out.RoleArn,
        Handler: 'index.handler',
        Code: { ZipFile: EMPTY_ZIP },
        MemorySize: FUNCTION_MEMORY_MB,
        TracingConfig: { Mode: 'Active' },
        Layers: [layer.LayerVersionArn],
        Environment: { Variables: { TAP_ENV: names.env, EVENT_BUS_NAME: names.bus, DATA_BUCKET: out[OUTPUTS.bucketName] } },
      }),
    );
  }
  return { bucket: out[OUTPUTS.bucketName], keyArn: out.KeyArn, dlqUrl: dlq.QueueUrl, deliveryUrl: delivery.QueueUrl, apiId: api.id, busArn: bus.EventBusArn, traceName: apiTraceName(names), insightsLayer: { aws: AWS_INSIGHTS_LAYER, moto: layer.LayerVersionArn }, missing };
}

/**
 * Deletes what createEnv made by its own APIs (destroy deletes only the stack's resources), so that
 * a shared emulator (AWS_ENDPOINT_URL) can run the suite again: the REST API's fixed id among them.
 * Best effort: what is already gone is no failure.
 */
export async function deleteEnv(c, names, env) {
  const { sdk } = c;
  const attempts = [
    () => c.apiGateway.send(new sdk.apiGateway.DeleteRestApiCommand({ restApiId: env.apiId })),
    () => c.lambda.send(new sdk.lambda.DeleteFunctionCommand({ FunctionName: names.handler })),
    () => c.lambda.send(new sdk.lambda.DeleteFunctionCommand({ FunctionName: names.processor })),
    async () => {
      await c.events.send(new sdk.events.RemoveTargetsCommand({ Rule: names.rule, EventBusName: names.bus, Ids: ['Processor', 'Delivery'] })).catch(() => {});
      await c.events.send(new sdk.events.DeleteRuleCommand({ Name: names.rule, EventBusName: names.bus }));
    },
    async () => {
      await c.events.send(new sdk.events.DeleteArchiveCommand({ ArchiveName: names.archive })).catch(() => {});
      await c.events.send(new sdk.events.DeleteEventBusCommand({ Name: names.bus }));
    },
    () => c.sqs.send(new sdk.sqs.DeleteQueueCommand({ QueueUrl: env.dlqUrl })),
    () => c.sqs.send(new sdk.sqs.DeleteQueueCommand({ QueueUrl: env.deliveryUrl })),
    () => c.cloudWatch.send(new sdk.cloudWatch.DeleteAlarmsCommand({ AlarmNames: [...Object.values(names.alarms), names.rollup] })),
  ];
  await Promise.all(attempts.map((a) => a().catch(() => {})));
}
