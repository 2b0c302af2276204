import { Fn, Tags } from 'aws-cdk-lib/core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { PERIOD_S } from './alarm-spec.js';
import { type EnvNames, TAG_KEYS } from './naming.js';
import { EVENTS_PROCESSED } from './spec.js';

/**
 * The dashboard `srv-<env>`: the API (requests, latency percentiles, 4xx/5xx), both functions
 * (invocations, errors, throttles, duration), the rule (invocations, failures), the DLQ, the
 * processor's own EMF metrics, and the alarms.
 *
 * The body is written here (CloudWatch's "Dashboard body structure and syntax") rather than by
 * aws-cdk-lib's widgets: its body is a string inside the template, and aws-cdk-lib's `Fn::Join` of
 * tokens for every function, stage and alarm doubles it. Every name is known from the env's names,
 * so the only substitutions left are the region, the account and the partition (`Fn::Sub`).
 */

/** Widgets three to a row (8 of the dashboard's 24 columns), 6 high. */
const WIDTH = 8;
const HEIGHT = 6;

type MetricRow = (string | { stat: string; yAxis?: 'right' })[];
type Widget = { type: 'metric' | 'alarm'; properties: Record<string, unknown> };

/** A metric with its dimensions and statistic; `right` puts it on the right axis. */
function metric(namespace: string, name: string, dimensions: Record<string, string>, stat: string, right = false): MetricRow {
  return [namespace, name, ...Object.entries(dimensions).flat(), right ? { stat, yAxis: 'right' } : { stat }];
}

const graph = (title: string, metrics: MetricRow[]): Widget => ({ type: 'metric', properties: { title, region: '${AWS::Region}', period: PERIOD_S, metrics } });

/** The dashboard body as JSON, with `${AWS::...}` left for `Fn::Sub`. */
export function dashboardBody(names: EnvNames): string {
  const api = (name: string, stat: string, right = false) => metric('AWS/ApiGateway', name, { ApiName: names.api, Stage: names.env }, stat, right);
  const fn = (fnName: string, label: string): Widget =>
    graph(`${label}: invocations, errors, throttles; p99 duration`, [
      ...['Invocations', 'Errors', 'Throttles'].map((m) => metric('AWS/Lambda', m, { FunctionName: fnName }, 'Sum')),
      metric('AWS/Lambda', 'Duration', { FunctionName: fnName }, 'p99', true),
    ]);
  const rule = (name: string) => metric('AWS/Events', name, { EventBusName: names.bus, RuleName: names.rule }, 'Sum');
  const dlq = (name: string, right = false) => metric('AWS/SQS', name, { QueueName: names.dlq }, 'Maximum', right);
  const own = (name: string, stat: string) => metric(EVENTS_PROCESSED.namespace, name, { [EVENTS_PROCESSED.dimension]: names.env }, stat);
  const alarmArn = (name: string) => `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${name}`;
  const rows: Widget[][] = [
    [
      graph('API requests; 4xx and 5xx', [api('Count', 'Sum'), api('4XXError', 'Sum', true), api('5XXError', 'Sum', true)]),
      graph('API latency (ms)', ['p50', 'p90', 'p99'].map((stat) => api('Latency', stat))),
      { type: 'alarm', properties: { title: 'Alarms', alarms: Object.values(names.alarms).map(alarmArn) } },
    ],
    [fn(names.handler, 'Handler'), fn(names.processor, 'Processor'), graph('Rule: invocations and failures', [rule('Invocations'), rule('FailedInvocations')])],
    [
      graph('DLQ: messages; oldest (s)', [dlq('ApproximateNumberOfMessagesVisible'), dlq('ApproximateAgeOfOldestMessage', true)]),
      graph('Events processed and replayed', [own(EVENTS_PROCESSED.metric, 'Sum'), own('ReplayedEvents', 'Sum')]),
      graph('Delivery latency (ms)', [own('DeliveryLatency', 'p50'), own('DeliveryLatency', 'p99')]),
    ],
  ];
  const widgets = rows.flatMap((row, y) => row.map((w, x) => ({ ...w, x: x * WIDTH, y: y * HEIGHT, width: WIDTH, height: HEIGHT })));
  return JSON.stringify({ widgets });
}

/** The dashboard in the CloudWatch console of the stack's region. */
export const dashboardUrl = (names: EnvNames): string =>
  Fn.sub(`https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards:name=${names.dashboard}`);

export function addDashboard(scope: Construct, names: EnvNames): cloudwatch.CfnDashboard {
  const dashboard = new cloudwatch.CfnDashboard(scope, 'Dashboard', { dashboardName: names.dashboard, dashboardBody: Fn.sub(dashboardBody(names)) });
  // Dashboard tags are recent in CloudFormation's schema (cfn-lint and older regions refuse them), and
  // a dashboard is found by its name: the stack's tags are left off it.
  for (const key of TAG_KEYS) Tags.of(dashboard).remove(key);
  return dashboard;
}
