import type { EnvNames } from './naming.js';

/**
 * What the stack declares that other commands check or read, in a module without aws-cdk-lib, so
 * that `verify` and `status` can compare the deployed env with the code without loading the CDK.
 */

/** Lambda runtime of both functions (tap-stack.ts uses aws-cdk-lib's constant of the same name). */
export const RUNTIME = 'nodejs24.x';
export const FUNCTION_MEMORY_MB = 256;
/** The layer name in the Lambda Insights extension's ARN. */
export const INSIGHTS_LAYER = 'LambdaInsightsExtension';
/** Service discovery: every function gets these environment variables. */
export const FUNCTION_ENV = ['TAP_ENV', 'EVENT_BUS_NAME', 'DATA_BUCKET'] as const;
/** Rule delivery: EventBridge retries this often, for at most this long, then sends to the DLQ. */
export const RULE_RETRY = { attempts: 8, maxEventAgeSeconds: 7200 };
/**
 * The processor's own async settings (AWS::Lambda::EventInvokeConfig): Lambda retries an invocation
 * that threw this often (AWS allows 0-2), keeps an event at most this long (60-21,600 s), then sends
 * it to the DLQ.
 */
export const PROCESSOR_ASYNC = { retryAttempts: 2, maxEventAgeSeconds: 3600 };
export const ARCHIVE_RETENTION_DAYS = 7;
/** Receipts are proof of delivery, not data: they expire quickly. */
export const RECEIPT_EXPIRY_DAYS = 3;
/**
 * Where the processor writes the receipts of the events with one correlation id: one object per
 * EventBridge event id (processor.cjs writes the same), so two events that share a client-chosen
 * correlation id keep both receipts, and a redelivery of one event rewrites its own.
 */
export const receiptPrefix = (correlationId: string): string => `receipts/${correlationId}/`;
export const receiptKey = (correlationId: string, eventId: string): string => `${receiptPrefix(correlationId)}${eventId}.json`;
/** Where the processor writes the receipts of one replay's events (processor.cjs writes the same). */
export const replayReceiptPrefix = (replayName: string): string => `receipts/replays/${replayName}/`;

/** Names of the stack outputs, which later commands (verify, status, destroy) read. */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  busName: 'EventBusName',
  busArn: 'EventBusArn',
  archiveName: 'ArchiveName',
  xrayGroup: 'XRayGroupName',
  handlerName: 'HandlerFunctionName',
  processorName: 'ProcessorFunctionName',
  bucketName: 'DataBucketName',
  dlqUrl: 'DlqUrl',
  alertsTopicArn: 'AlertsTopicArn',
  dashboardUrl: 'DashboardUrl',
} as const;

/**
 * The metric the processor emits for every event it handles, in CloudWatch Embedded Metric Format
 * (processor.cjs: namespace `Tap`, dimension `Env`, `EventsProcessed` = 1 per event; also
 * `ReplayedEvents` and `DeliveryLatency`). CloudWatch turns the log line into the metric.
 */
export const EVENTS_PROCESSED = { namespace: 'Tap', metric: 'EventsProcessed', dimension: 'Env' } as const;

/** The X-Ray service name of the API stage: `<api name>/<stage>`. */
export const apiTraceName = (names: EnvNames): string => `${names.api}/${names.env}`;

/** The X-Ray filter expression of an env's group: the API stage and both functions. */
export function traceFilter(names: EnvNames): string {
  return [apiTraceName(names), names.handler, names.processor].map((s) => `service("${s}")`).join(' OR ');
}
