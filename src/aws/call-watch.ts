/**
 * What tap adds to every SDK client: its logger through tap's reporter, and a middleware inside the
 * retry loop that names each failed attempt, says each retry, and (with --verbose) logs each attempt.
 */
import { failureReason, withCallContext } from '../errors.js';
import type { Message } from '../messages/types.js';
import { proxyFor } from './network.js';

/** Where the SDK's own messages go: tap's reporter (AwsConfig.log). */
type Log = (message: Message) => void;

/** The SDK's logger interface (@smithy/types Logger). */
export interface SdkLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

/** The services tap calls whose answers are XML (awsQuery, restXml), which a web page can parse as. */
const XML_SERVICES = new Set<string>(['CloudFormation', 'STS', 'S3']);

/**
 * The SDK's messages through tap's reporter: its warnings (e.g. both AWS_PROFILE and access keys set)
 * as warnings, the credential chain's debug lines (which provider it tries) as debug. Its per-call
 * `info` objects (whole inputs and outputs) are left out: `logCalls` says the same in one line.
 */
export function sdkLogger(log: Log): SdkLogger {
  const text = (content: unknown[]): string => content.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join(' ').trim();
  return {
    // Of its debug lines, the credential chain's say where the credentials came from; the rest
    // (endpoint rules, each setting not found) would bury them.
    debug: (...c) => {
      const line = text(c);
      if (line.startsWith('@aws-sdk/credential-provider')) log({ level: 'debug', code: 'aws.sdk', data: { line } });
    },
    info: () => {},
    warn: (...c) => log({ level: 'warn', code: 'aws.sdk', data: { line: text(c) } }),
    error: () => {},
  };
}

export interface Stacked {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<{ response?: { statusCode?: number; headers?: Record<string, string> } }>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; priority: 'high'; name: string },
    ): void;
  };
}

/**
 * An SDK middleware in the deserialize step (inside the retry loop, so every attempt is seen): marks a
 * failed attempt's error with the call and the host it went to, says each retry the SDK is about to
 * make (a person sees why nothing moves), and with --verbose logs a line per HTTP attempt:
 * `CloudFormation DescribeStacks: HTTP 200 in 84 ms`.
 */
export function watchCalls(client: Stacked, service: string, log: Log | undefined): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      const call = { service, operation: (context.commandName ?? '').replace(/Command$/, '') };
      const ms = () => Math.round(performance.now() - started);
      try {
        const output = await next(args);
        // No AWS API answers with a web page (S3's GetObject answers with the object's own type): an HTML
        // page that parsed as XML is a proxy's or a portal's, not an empty answer of the service's. Only the
        // XML services can take one for an answer (a JSON service fails to parse it anyway), and moto labels
        // its JSON services' answers text/html (Werkzeug's default; AWS sends application/x-amz-json-1.x).
        const type = output.response?.headers?.['content-type'] ?? '';
        if (XML_SERVICES.has(service) && /^text\/html/i.test(type) && call.operation !== 'GetObject') {
          const status = output.response?.statusCode;
          throw Object.assign(new Error(`Deserialization error: an HTML page (HTTP ${status})`), { name: 'UnreadableAnswer', $response: { statusCode: status, headers: output.response?.headers }, $metadata: { httpStatusCode: status } });
        }
        log?.({ level: 'debug', code: 'aws.call', data: { ...call, status: output.response?.statusCode, ms: ms() } });
        return output;
      } catch (error) {
        const request = (args as { request?: { protocol?: string; hostname?: string; port?: number; headers?: Record<string, string> } }).request;
        if (request?.hostname) {
          const host = `${request.hostname}${request.port ? `:${request.port}` : ''}`;
          const proxy = proxyFor(new URL(`${request.protocol ?? 'https:'}//${host}`));
          withCallContext(error, { service, call: call.operation, host, ...(proxy ? { proxy } : {}) });
        }
        const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
        const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
        log?.({ level: 'debug', code: 'aws.call', data: { ...call, status, error: e.name ?? 'error', ms: ms() } });
        // The retry middleware numbers each attempt in this header: `attempt=2; max=5`.
        const [, attempt = 0, max = 0] = /attempt=(\d+); max=(\d+)/.exec(request?.headers?.['amz-sdk-request'] ?? '')?.map(Number) ?? [];
        if (attempt < max && (await sdkRetries(error))) {
          log?.({ level: 'progress', code: 'aws.retry', data: { error: e.name ?? 'Error', message: failureReason(error), attempt, of: max - 1 } });
        }
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'tapCallWatch' },
  );
}

/** Whether the SDK's standard retry strategy tries this error again (its own classification). */
async function sdkRetries(error: unknown): Promise<boolean> {
  const { isRetryableByTrait, isThrottlingError, isTransientError, isServerError } = await import('@smithy/core/retry');
  const e = error as Parameters<typeof isTransientError>[0];
  return isRetryableByTrait(e) || isThrottlingError(e) || isTransientError(e) || isServerError(e);
}
