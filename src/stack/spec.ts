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
export const ARCHIVE_RETENTION_DAYS = 7;
/** Receipts are proof of delivery, not data: they expire quickly. */
export const RECEIPT_EXPIRY_DAYS = 3;
/** Where the processor writes the receipt of an event, by its correlation id. */
export const receiptKey = (correlationId: string): string => `receipts/${correlationId}.json`;
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
} as const;

/** The X-Ray service name of the API stage: `<api name>/<stage>`. */
export const apiTraceName = (names: EnvNames): string => `${names.api}/${names.env}`;

/** The X-Ray filter expression of an env's group: the API stage and both functions. */
export function traceFilter(names: EnvNames): string {
  return [apiTraceName(names), names.handler, names.processor].map((s) => `service("${s}")`).join(' OR ');
}
