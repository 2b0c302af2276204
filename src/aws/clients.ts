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
import { AwsError, TapError, withCallContext } from '../errors.js';
import { sdkLogger, type SdkLogger, type Stacked, watchCalls } from './call-watch.js';
import { VERSION } from '../version.js';
import type { Message } from '../messages/types.js';
import { NETWORK_DEFAULTS, type NetworkSettings, sdkRequestHandler, type SdkRequestHandler } from './network.js';
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

/** A profile with `mfa_serial` where no person can type the code (no terminal, CI, --json): exit 3. */
function mfaRefused(serial: string, profile: string | undefined): AwsError {
  const name = profile ?? 'default';
  return new AwsError(`profile ${name} assumes its role with an MFA device (${serial}), and no code can be asked for here (no terminal, or --json)`, {
    code: 'MfaNeeded',
    hint: `run tap at a terminal without --json, or export the role's credentials first (aws sts assume-role --role-arn ROLE --role-session-name tap --serial-number ${serial} --token-code CODE), or use a profile without mfa_serial`,
  });
}

