import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARMS, alarmDescription } from '../src/stack/alarm-spec.js';
import { dashboardBody } from '../src/stack/dashboard.js';
import { ALARM_IDS, namesFor } from '../src/stack/naming.js';
import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS, type StackSettings } from '../src/stack/settings.js';
import { OUTPUTS } from '../src/stack/spec.js';
import { TapStack } from '../src/stack/tap-stack.js';

const names = namesFor('dev');
const custom: StackSettings = {
  alertEmails: ['oncall@example.com', 'lead@example.com'],
  thresholds: { ...DEFAULT_THRESHOLDS, api5xxPercent: 2, dlqOldestMessageAgeSeconds: 600 },
  logRetentionDays: 14,
  processorMemoryMb: 1024,
  processorTimeoutSeconds: 120,
};
let template: Template;
let tuned: Template;

beforeAll(() => {
  template = Template.fromStack(new TapStack(new App(), { envName: 'dev', tapVersion: '9.9.9' }));
  tuned = Template.fromStack(new TapStack(new App(), { envName: 'dev', tapVersion: '9.9.9', settings: custom }));
});

const topicRef = { Ref: Match.stringLikeRegexp('^AlertingTopic') };
const sub = (alarm: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${alarm}` });
const everyAlarmArn = ALARM_IDS.map((id) => sub(names.alarms[id]));

/** What each alarm watches: namespace, metric, statistic, dimension names, and the default threshold as CloudWatch gets it. */
const WATCHES: Record<string, [string, string, string, string[], number]> = {
  'api-5xx': ['AWS/ApiGateway', '5XXError', 'Average', ['ApiName', 'Stage'], 0.05],
  'api-latency': ['AWS/ApiGateway', 'Latency', 'p99', ['ApiName', 'Stage'], 3000],
  'handler-errors': ['AWS/Lambda', 'Errors', 'Sum', ['FunctionName'], 1],
  'processor-errors': ['AWS/Lambda', 'Errors', 'Sum', ['FunctionName'], 1],
  'processor-throttles': ['AWS/Lambda', 'Throttles', 'Sum', ['FunctionName'], 1],
  'rule-failures': ['AWS/Events', 'FailedInvocations', 'Sum', ['EventBusName', 'RuleName'], 1],
  'async-dropped': ['AWS/Lambda', 'AsyncEventsDropped', 'Sum', ['FunctionName'], 1],
  'dlq-depth': ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum', ['QueueName'], 1],
  'dlq-age': ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'Maximum', ['QueueName'], 86_400],
};

describe('alarms', () => {
  it.each(ALARMS.map((spec) => [spec.id, spec] as const))('%s: its metric, default threshold, missing data, both actions and a description that says what to do', (id, spec) => {
    const [namespace, metricName, statistic, dimensions, threshold] = WATCHES[id]!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: names.alarms[id],
      Namespace: namespace,
      MetricName: metricName,
      ...(statistic.startsWith('p') ? { ExtendedStatistic: statistic } : { Statistic: statistic }),
      Dimensions: dimensions.map((Name) => ({ Name, Value: Match.anyValue() })),
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
      AlarmDescription: alarmDescription(spec, names, id === 'api-5xx' ? 5 : threshold),
    });
  });

  it('has exactly these nine, each description naming the env and a next step', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', ALARM_IDS.length);
    for (const spec of ALARMS) expect(alarmDescription(spec, names, 1)).toMatch(/^.+\. To do: .+\.$/);
    expect(alarmDescription(ALARMS.find((s) => s.id === 'api-latency')!, names, 3000)).toContain('tap trace --env dev --slow 3000');
  });

  it('rolls them up in one composite alarm without actions, created after them (the one rollback trigger)', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    expect(composite[0]!.Properties).toMatchObject({
      AlarmName: names.rollup,
      ActionsEnabled: false,
      AlarmRule: ALARM_IDS.map((id) => `ALARM("${names.alarms[id]}")`).join(' OR '),
    });
    expect(composite[0]!.DependsOn).toHaveLength(ALARM_IDS.length);
  });

  it('takes its thresholds from the settings (the 5xx share in percent)', () => {
    tuned.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: names.alarms['api-5xx'], Threshold: 0.02, AlarmDescription: Match.stringLikeRegexp('^API 5xx responses at 2% ') });
    tuned.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: names.alarms['dlq-age'], Threshold: 600 });
    tuned.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: names.alarms['handler-errors'], Threshold: 1 });
  });
});

describe('the alerts topic', () => {
  it('is srv-alerts-<env>, encrypted with the env key, TLS-only, with its ARN as an output', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: names.alerts, KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // CloudWatch publishes as its service principal, for this env's alarms in this account only.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef,
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': everyAlarmArn } },
          }),
        ]),
      },
    });
    template.hasOutput(OUTPUTS.alertsTopicArn, { Value: topicRef });
  });

  it('lets CloudWatch use the key for this env alarms only, as an encrypted topic needs', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': everyAlarmArn } },
          },
        ]),
      },
    });
  });

  it('subscribes the alert e-mails, one subscription per address (none by default)', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    tuned.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of custom.alertEmails) tuned.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address, TopicArn: topicRef });
  });
});

describe('the dashboard', () => {
  it('is srv-<env>, untagged, with a console URL output', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe(names.dashboard);
    expect(dashboards[0]!.Properties.Tags).toBeUndefined();
    expect(dashboards[0]!.Properties.DashboardBody).toEqual({ 'Fn::Sub': dashboardBody(names) });
    template.hasOutput(OUTPUTS.dashboardUrl, { Value: { 'Fn::Sub': 'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=srv-dev' } });
  });

  it('shows the API, both functions, the rule, the DLQ, the processor metrics and every alarm, three widgets a row', () => {
    type W = { type: string; x: number; y: number; width: number; properties: { title: string; region?: string; metrics?: unknown[][]; alarms?: string[] } };
    const { widgets } = JSON.parse(dashboardBody(names)) as { widgets: W[] };
    const metrics = (title: string) => widgets.find((w) => w.properties.title.startsWith(title))?.properties.metrics?.map((m) => m.filter((p) => typeof p === 'string').join(' '));
    expect(metrics('API requests')).toEqual(['Count', '4XXError', '5XXError'].map((m) => `AWS/ApiGateway ${m} ApiName srv-api-dev Stage dev`));
    expect(widgets.find((w) => w.properties.title === 'API latency (ms)')?.properties.metrics?.map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(['p50', 'p90', 'p99']);
    for (const [title, fn] of [['Handler', names.handler], ['Processor', names.processor]]) {
      expect(metrics(title!)).toEqual(['Invocations', 'Errors', 'Throttles', 'Duration'].map((m) => `AWS/Lambda ${m} FunctionName ${fn}`));
    }
    expect(metrics('Rule')).toEqual(['Invocations', 'FailedInvocations'].map((m) => `AWS/Events ${m} EventBusName srv-events-dev RuleName srv-deliver-dev`));
    expect(metrics('DLQ')).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'].map((m) => `AWS/SQS ${m} QueueName srv-dlq-dev`));
    expect(metrics('Events processed')).toEqual(['Tap EventsProcessed Env dev', 'Tap ReplayedEvents Env dev']);
    expect(metrics('Delivery latency')).toEqual(['Tap DeliveryLatency Env dev', 'Tap DeliveryLatency Env dev']);
    expect(widgets.find((w) => w.type === 'alarm')?.properties.alarms).toEqual(ALARM_IDS.map((id) => `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${names.alarms[id]}`));
    expect(widgets.filter((w) => w.type === 'metric').every((w) => w.properties.region === '${AWS::Region}')).toBe(true);
    expect(widgets.map((w) => `${w.x},${w.y}`)).toEqual(['0,0', '8,0', '16,0', '0,6', '8,6', '16,6', '0,12', '8,12', '16,12']);
  });
});

describe('settings in the template', () => {
  it('log retention and the processor size come from the settings; the handler keeps its own', () => {
    expect(Object.values(template.findResources('AWS::Logs::LogGroup')).map((r) => (r.Properties as { RetentionInDays: number }).RetentionInDays)).toEqual([30, 30, 30, 30]);
    expect(Object.values(tuned.findResources('AWS::Logs::LogGroup')).map((r) => (r.Properties as { RetentionInDays: number }).RetentionInDays)).toEqual([14, 14, 14, 14]);
    tuned.hasResourceProperties('AWS::Lambda::Function', { FunctionName: names.processor, MemorySize: 1024, Timeout: 120 });
    tuned.hasResourceProperties('AWS::Lambda::Function', { FunctionName: names.handler, MemorySize: DEFAULT_SETTINGS.processorMemoryMb, Timeout: 10 });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: names.processor, MemorySize: 256, Timeout: 30 });
  });
});
