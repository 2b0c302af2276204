import type { AlarmId, EnvNames } from './naming.js';
import type { Thresholds } from './settings.js';

/**
 * What each of the env's alarms watches and what the person paged should do, in a module without
 * aws-cdk-lib: the stack builds the alarms from it, `status` and `verify` read the deployed ones
 * against it. Every alarm evaluates 5-minute periods (PERIOD_S) and alarms on one breaching period.
 */
export const PERIOD_S = 300;

/** How CloudWatch treats a period without data (the alarm's TreatMissingData). */
export type MissingData = 'notBreaching' | 'breaching' | 'ignore' | 'missing';

export interface AlarmSpec {
  readonly id: AlarmId;
  /** The threshold setting (tap.config.json `alarms.<key>`). */
  readonly threshold: keyof Thresholds;
  /** What is measured, with the threshold: the first half of the alarm's description. */
  readonly what: (t: number) => string;
  /** One line on what to do: the second half (ENV and THRESHOLD stand for the env's name and the threshold). */
  readonly todo: string;
  readonly missingData: MissingData;
}

/**
 * Missing data: every metric here is published only when something happens (API Gateway and
 * Lambda per request or invocation, EventBridge's FailedInvocations only when it is not zero, SQS
 * only while the queue holds messages or is used), so a period without data is a period in which
 * nothing failed: `notBreaching` for all of them. None is expected to report in a quiet period.
 */
export const ALARMS: readonly AlarmSpec[] = [
  {
    id: 'api-5xx',
    threshold: 'api5xxPercent',
    what: (t) => `API 5xx responses at ${t}% or more of requests in 5 min`,
    todo: 'run `tap trace --env ENV --faults` for the failing requests, then check the handler errors alarm',
    missingData: 'notBreaching',
  },
  {
    id: 'api-latency',
    threshold: 'apiP99LatencyMs',
    what: (t) => `API p99 latency at ${t} ms or more over 5 min`,
    todo: 'run `tap trace --env ENV --slow THRESHOLD --detail` to see which segment is slow',
    missingData: 'notBreaching',
  },
  {
    id: 'handler-errors',
    threshold: 'handlerErrors',
    what: (t) => `${t} or more handler errors in 5 min`,
    todo: "read the handler's log group for the errors; a bad deploy: roll back with `tap deploy` of the last good commit",
    missingData: 'notBreaching',
  },
  {
    id: 'processor-errors',
    threshold: 'processorErrors',
    what: (t) => `${t} or more processor errors in 5 min`,
    todo: "read the processor's log group; Lambda retries twice, then the event lands in the DLQ",
    missingData: 'notBreaching',
  },
  {
    id: 'processor-throttles',
    threshold: 'processorThrottles',
    what: (t) => `${t} or more processor throttles in 5 min`,
    todo: "check the account's Lambda concurrency (other functions may use it up); throttled events are retried",
    missingData: 'notBreaching',
  },
  {
    id: 'rule-failures',
    threshold: 'ruleFailedInvocations',
    what: (t) => `${t} or more failed invocations of the rule in 5 min`,
    todo: "EventBridge could not invoke the processor: check the function exists and the rule's permission; events go to the DLQ",
    missingData: 'notBreaching',
  },
  {
    id: 'async-dropped',
    threshold: 'asyncEventsDropped',
    what: (t) => `${t} or more events dropped by the processor's async queue in 5 min`,
    todo: 'events were lost without reaching the DLQ: check the DLQ destination, then `tap replay-archive` the window',
    missingData: 'notBreaching',
  },
  {
    id: 'dlq-depth',
    threshold: 'dlqMessages',
    what: (t) => `${t} or more messages in the DLQ`,
    todo: 'inspect the messages, fix the processor, then `tap replay-archive` their window and purge the DLQ',
    missingData: 'notBreaching',
  },
  {
    id: 'dlq-age',
    threshold: 'dlqOldestMessageAgeSeconds',
    what: (t) => `the oldest DLQ message is ${t} s old or more`,
    todo: 'failed events wait unhandled and expire after 14 days: replay or purge them now',
    missingData: 'notBreaching',
  },
];

/** The alarm's description: what it watches and what to do, with the env's name in the commands. */
export function alarmDescription(spec: AlarmSpec, names: EnvNames, threshold: number): string {
  return `${spec.what(threshold)}. To do: ${spec.todo.replace(/ENV/g, names.env).replace(/THRESHOLD/g, String(threshold))}.`;
}

/**
 * Whether an alarm is expected to have data in every period, from how it treats missing data (as
 * deployed): only then does INSUFFICIENT_DATA mean that something is wrong.
 */
export const expectsData = (treatMissingData: string | undefined): boolean => treatMissingData === undefined || treatMissingData === 'missing' || treatMissingData === 'breaching';
