import { createHash } from 'node:crypto';
import { Aws, Duration, Fn, Validations } from 'aws-cdk-lib/core';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARMS, alarmDescription, PERIOD_S, type AlarmSpec } from './alarm-spec.js';
import { addDashboard } from './dashboard.js';
import type { AlarmId, EnvNames } from './naming.js';
import type { StackSettings } from './settings.js';

export interface AlertingProps {
  readonly names: EnvNames;
  readonly key: kms.Key;
  readonly stage: apigw.Stage;
  readonly handler: lambda.IFunction;
  readonly processor: lambda.IFunction;
  readonly dlq: sqs.IQueue;
  readonly settings: StackSettings;
}

/**
 * The on-call loop's half in the stack: an alarm per condition worth a page (alarm-spec.ts), their
 * composite (the rollback trigger deploy names), the encrypted topic `srv-alerts-<env>` that every
 * alarm notifies on ALARM and on OK, its e-mail subscriptions, and the dashboard `srv-<env>`.
 */
export class Alerting extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { names, settings } = props;
    this.topic = this.alertsTopic(props);
    const metrics = this.metrics(props);
    const notify = new actions.SnsAction(this.topic);
    this.alarms = ALARMS.map((spec) => {
      const alarm = this.alarm(spec, metrics[spec.id], props);
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    });
    // No actions of its own: its children notify; it exists to be the one rollback trigger. The rule
    // names the children (shorter than their ARNs), so the dependency on them is declared.
    const rollup = new cloudwatch.CompositeAlarm(this, 'Rollup', {
      compositeAlarmName: names.rollup,
      alarmDescription: `Any alarm of ${names.env} is in ALARM. tap deploy names it as the rollback trigger of every update.`,
      alarmRule: cloudwatch.AlarmRule.fromString(Object.values(names.alarms).map((n) => `ALARM("${n}")`).join(' OR ')),
      actionsEnabled: false,
    });
    for (const alarm of this.alarms) rollup.node.addDependency(alarm);
    for (const address of settings.alertEmails) {
      // Named by the address, so that adding or removing one leaves the others' subscriptions alone.
      const subscription = new sns.Subscription(this, `Email${createHash('sha256').update(address).digest('hex').slice(0, 8)}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: address,
      });
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An e-mail endpoint: SNS retries the mail server itself, and a notification it gives up on has no consumer to redrive to; the env DLQ holds undelivered events only (its own alarms and replays read it).',
      });
    }
    addDashboard(this, names);
  }

  /**
   * KMS-encrypted with the env's key and TLS-only. CloudWatch publishes alarm notifications as the
   * service principal: the topic policy allows it sns:Publish and the key policy kms:Decrypt and
   * kms:GenerateDataKey* (Amazon SNS developer guide, "Enable compatibility between event sources
   * from AWS services and encrypted topics"), both only for this env's alarms in this account. The
   * alarms' ARNs are built from their names: their ARN attributes would make the key depend on them.
   */
  private alertsTopic({ names, key }: AlertingProps): sns.Topic {
    const topic = new sns.Topic(this, 'Topic', { topicName: names.alerts, displayName: `tap ${names.env} alerts`, masterKey: key, enforceSSL: true });
    // Fn::Sub: half the bytes of the Fn::Join that tokens in a template literal make (the template is near 51,200).
    const alarmArns = Object.values(names.alarms).map((n) => Fn.sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${n}`));
    const fromAlarms = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'aws:SourceArn': alarmArns } };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(new iam.PolicyStatement({ principals: [cloudWatch], actions: ['sns:Publish'], resources: [topic.topicArn], conditions: fromAlarms }));
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [cloudWatch], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions: fromAlarms }));
    return topic;
  }

  /** The metric each alarm watches, over 5-minute periods. */
  private metrics({ names, stage, handler, processor, dlq }: AlertingProps): Record<AlarmId, cloudwatch.IMetric> {
    const period = Duration.seconds(PERIOD_S);
    const rule = (metricName: string): cloudwatch.Metric =>
      // On a custom bus EventBridge publishes rule metrics with both dimensions (EventBridge user guide, "Monitoring").
      new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { EventBusName: names.bus, RuleName: names.rule }, statistic: 'Sum', period });
    return {
      // The Average of 5XXError is the share of requests that failed (API Gateway developer guide, "metrics").
      'api-5xx': stage.metricServerError({ statistic: 'Average', period }),
      'api-latency': stage.metricLatency({ statistic: 'p99', period }),
      'handler-errors': handler.metricErrors({ statistic: 'Sum', period }),
      'processor-errors': processor.metricErrors({ statistic: 'Sum', period }),
      'processor-throttles': processor.metricThrottles({ statistic: 'Sum', period }),
      'rule-failures': rule('FailedInvocations'),
      'async-dropped': processor.metric('AsyncEventsDropped', { statistic: 'Sum', period }),
      'dlq-depth': dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
      'dlq-age': dlq.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period }),
    };
  }

  private alarm(spec: AlarmSpec, metric: cloudwatch.IMetric, { names, settings }: AlertingProps): cloudwatch.Alarm {
    const threshold = settings.thresholds[spec.threshold];
    return new cloudwatch.Alarm(this, spec.id, {
      alarmName: names.alarms[spec.id],
      alarmDescription: alarmDescription(spec, names, threshold),
      metric,
      // The 5xx threshold is set in percent; the metric is a fraction.
      threshold: spec.id === 'api-5xx' ? threshold / 100 : threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: spec.missingData as cloudwatch.TreatMissingData,
    });
  }
}
