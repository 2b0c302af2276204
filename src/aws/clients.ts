import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import type { XRayClient } from '@aws-sdk/client-xray';
import type { AwsCredentialIdentityProvider as CredentialProvider } from '@smithy/types';
import { AwsError, failureReason, TapError, withCallContext } from '../errors.js';
import { VERSION } from '../version.js';
import type { Message } from '../messages/types.js';
import { NETWORK_DEFAULTS, type NetworkSettings, proxyFor, sdkRequestHandler, type SdkRequestHandler } from './network.js';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_MODE } from './setup.js';

/** How every SDK client is built: one place for region, profile, endpoint, retries and user agent. */
export interface AwsConfig {
  /** @default the SDK's own resolution (AWS_REGION, then the profile's region) */
  readonly region?: string;
  /** @default the SDK's own resolution (AWS_PROFILE, then `default`) */
  readonly profile?: string;
  /** A custom endpoint for every service, e.g. a local emulator. @default AWS's public endpoints */
  readonly endpoint?: string;
  /** Fixed credentials (tests). @default the SDK's standard provider chain */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where the SDK's own messages go (its warnings; with --verbose its debug lines and each HTTP call). @default nowhere */
  readonly log?: (message: Message) => void;
  /** Timeouts and trusted certificates of every call (the proxy comes from HTTPS_PROXY/NO_PROXY). @default NETWORK_DEFAULTS */
  readonly network?: NetworkSettings;
  /** Calls of one logical call at most, retries included: AWS_MAX_ATTEMPTS, max_attempts or tap's 5. @default 5 */
  readonly maxAttempts?: number;
  /** AWS_RETRY_MODE, retry_mode, or tap's adaptive. @default 'adaptive' */
  readonly retryMode?: RetryMode;
  /**
   * Asks for the code of a profile's MFA device (`mfa_serial`) when the SDK assumes its role; it
   * throws where no person can answer. @default none: such a profile fails
   */
  readonly mfaCode?: (serial: string) => Promise<string>;
}

export type RetryMode = 'standard' | 'adaptive' | 'legacy';

interface ClientConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | CredentialProvider;
  retryMode: RetryMode;
  maxAttempts: number;
  customUserAgent: string;
  logger?: SdkLogger;
  requestHandler: SdkRequestHandler;
}

/** The SDK's logger interface (@smithy/types Logger). */
interface SdkLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

/** How messages name each service. */
const SERVICE_NAMES = {
  cloudformation: 'CloudFormation',
  s3: 'S3',
  sts: 'STS',
  kms: 'KMS',
  lambda: 'Lambda',
  apigateway: 'API Gateway',
  xray: 'X-Ray',
  eventbridge: 'EventBridge',
  sqs: 'SQS',
  cloudwatch: 'CloudWatch',
  logs: 'CloudWatch Logs',
} as const;

/**
 * Builds SDK clients on first use. SDK modules are imported lazily, so commands that never call AWS
 * (and `tap --help`) never load them. Credentials come from the SDK's standard provider chain.
 */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  private shared?: Promise<Pick<ClientConfig, 'requestHandler' | 'credentials'>>;

  constructor(readonly config: AwsConfig = {}) {}

  /** Calls of one logical call at most (the SDK's attempts and any loop's tries together). */
  get maxAttempts(): number {
    return this.config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /**
   * The config every client gets: retries back off on throttling and retry 5xx, not 4xx; one network
   * layer (timeouts, proxy, CA bundle); one credential chain for all clients, so that a profile that
   * assumes a role with MFA asks for the code once.
   */
  async clientConfig(): Promise<ClientConfig> {
    const { region, profile, endpoint, log } = this.config;
    return {
      ...(region ? { region } : {}),
      ...(profile ? { profile } : {}),
      // One endpoint means that endpoint: no `stream-` (Live Tail) or other host prefix before it.
      ...(endpoint ? { endpoint, disableHostPrefix: true } : {}),
      retryMode: this.config.retryMode ?? DEFAULT_RETRY_MODE,
      maxAttempts: this.maxAttempts,
      customUserAgent: `tap/${VERSION}`,
      ...(log ? { logger: sdkLogger(log) } : {}),
      ...(await (this.shared ??= this.sharedConfig())),
    };
  }

  private async sharedConfig(): Promise<Pick<ClientConfig, 'requestHandler' | 'credentials'>> {
    const { region, profile, endpoint, credentials, mfaCode, log } = this.config;
    const requestHandler = await sdkRequestHandler(this.config.network ?? NETWORK_DEFAULTS);
    if (credentials) return { requestHandler, credentials };
    const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
    // The clients the chain makes itself (STS for a role, SSO) go through the same network layer.
    const clientConfig = { requestHandler, ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) };
    const noCode = (serial: string): Promise<string> => Promise.reject(mfaRefused(serial, profile));
    const logger = log ? { logger: sdkLogger(log) } : {};
    return { requestHandler, credentials: defaultProvider({ ...(profile ? { profile } : {}), mfaCodeProvider: mfaCode ?? noCode, clientConfig, ...logger }) };
  }

  cloudFormation(): Promise<CloudFormationClient> {
    return this.client('cloudformation', async () => (await import('@aws-sdk/client-cloudformation')).CloudFormationClient);
  }

  /**
   * The CloudFormation client once its region and credentials resolve, so that a missing region or
   * missing credentials fail in a moment, before seconds of synthesis.
   */
  async cloudFormationReady(): Promise<CloudFormationClient> {
    const cfn = await this.cloudFormation();
    const { profile } = this.config;
    const from = profile ? `profile '${profile}' (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE)` : undefined;
    try {
      await cfn.config.region();
    } catch (error) {
      if (!from) throw error;
      throw new AwsError(`no AWS region: ${from} sets none, and neither --region nor AWS_REGION is given`, { cause: error, code: 'NoRegion', hint: `add region = ... to profile '${profile}', or pass --region` });
    }
    try {
      await cfn.config.credentials();
    } catch (error) {
      if (!from || error instanceof TapError) throw error; // tap's own word (an MFA code that cannot be asked for) stands
      throw new AwsError(`no credentials from ${from}: ${(error as Error).message}`, { cause: error, code: 'NoCredentials', hint: `check that profile '${profile}' exists and has credentials (aws configure --profile ${profile}), or sign in again (aws sso login --profile ${profile})` });
    }
    return cfn;
  }

  s3(): Promise<S3Client> {
    // Emulators serve buckets by path (http://host/bucket), not as subdomains.
    const extra = this.config.endpoint ? { forcePathStyle: true } : {};
    return this.client('s3', async () => (await import('@aws-sdk/client-s3')).S3Client, extra);
  }

  sts(): Promise<STSClient> {
    return this.client('sts', async () => (await import('@aws-sdk/client-sts')).STSClient);
  }

  kms(): Promise<KMSClient> {
    return this.client('kms', async () => (await import('@aws-sdk/client-kms')).KMSClient);
  }

  lambda(): Promise<LambdaClient> {
    return this.client('lambda', async () => (await import('@aws-sdk/client-lambda')).LambdaClient);
  }

  apiGateway(): Promise<APIGatewayClient> {
    return this.client('apigateway', async () => (await import('@aws-sdk/client-api-gateway')).APIGatewayClient);
  }

  xray(): Promise<XRayClient> {
    return this.client('xray', async () => (await import('@aws-sdk/client-xray')).XRayClient);
  }

  eventBridge(): Promise<EventBridgeClient> {
    return this.client('eventbridge', async () => (await import('@aws-sdk/client-eventbridge')).EventBridgeClient);
  }

  cloudWatch(): Promise<CloudWatchClient> {
    return this.client('cloudwatch', async () => (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient);
  }

  logs(): Promise<CloudWatchLogsClient> {
    return this.client('logs', async () => (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient);
  }

  sqs(): Promise<SQSClient> {
    return this.client('sqs', async () => (await import('@aws-sdk/client-sqs')).SQSClient);
  }

  private async client<T>(key: keyof typeof SERVICE_NAMES, load: () => Promise<new (config: ClientConfig) => T>, extra: object = {}): Promise<T> {
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      const Client = await load();
      client = this.named(new Client({ ...(await this.clientConfig()), ...extra }), SERVICE_NAMES[key]);
      watchCalls(client as unknown as Stacked, SERVICE_NAMES[key], this.config.log);
      this.cache.set(key, client);
    }
    return client;
  }

  /**
   * Every error the client throws carries the service and the call it came from, so that the one
   * error classification (errors.ts) can say `CloudFormation DescribeStacks failed after 5 attempts`.
   * `send` is looked up on the prototype at each call, where aws-sdk-client-mock installs its stub.
   */
  private named<T>(client: T, service: string): T {
    const c = client as unknown as { send(command: object, ...rest: unknown[]): Promise<unknown> };
    const proto = Object.getPrototypeOf(c) as typeof c;
    const endpoint = this.config.endpoint;
    c.send = async (command, ...rest) => {
      const started = performance.now();
      try {
        return await proto.send.call(c, command, ...rest);
      } catch (error) {
        const waitedMs = Math.round(performance.now() - started);
        throw withCallContext(error, { service, call: command.constructor.name.replace(/Command$/, ''), endpoint, waitedMs });
      }
    };
    return client;
  }
}

/** The services tap calls whose answers are XML (awsQuery, restXml), which a web page can parse as. */
const XML_SERVICES = new Set<string>([SERVICE_NAMES.cloudformation, SERVICE_NAMES.sts, SERVICE_NAMES.s3]);

/** A profile with `mfa_serial` where no person can type the code (no terminal, CI, --json): exit 3. */
function mfaRefused(serial: string, profile: string | undefined): AwsError {
  const name = profile ?? 'default';
  return new AwsError(`profile ${name} assumes its role with an MFA device (${serial}), and no code can be asked for here (no terminal, or --json)`, {
    code: 'MfaNeeded',
    hint: `run tap at a terminal without --json, or export the role's credentials first (aws sts assume-role --role-arn ROLE --role-session-name tap --serial-number ${serial} --token-code CODE), or use a profile without mfa_serial`,
  });
}

/**
 * The SDK's messages through tap's reporter: its warnings (e.g. both AWS_PROFILE and access keys set)
 * as warnings, the credential chain's debug lines (which provider it tries) as debug. Its per-call
 * `info` objects (whole inputs and outputs) are left out: `logCalls` says the same in one line.
 */
function sdkLogger(log: NonNullable<AwsConfig['log']>): SdkLogger {
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

interface Stacked {
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
function watchCalls(client: Stacked, service: string, log: AwsConfig['log']): void {
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
