import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import type { XRayClient } from '@aws-sdk/client-xray';
import { withCallContext } from '../errors.js';
import { VERSION } from '../version.js';

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
}

interface ClientConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: string;
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
} as const;

/**
 * Builds SDK clients on first use. SDK modules are imported lazily, so commands that never call AWS
 * (and `tap --help`) never load them. Credentials come from the SDK's standard provider chain.
 */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly config: AwsConfig = {}) {}

  /** The config every client gets; adaptive retries back off on throttling and retry 5xx, not 4xx. */
  clientConfig(): ClientConfig {
    const { region, profile, endpoint, credentials } = this.config;
    return {
      ...(region ? { region } : {}),
      ...(credentials ? { credentials } : {}),
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      retryMode: 'adaptive',
      maxAttempts: 5,
      customUserAgent: `tap/${VERSION}`,
    };
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
    await cfn.config.region();
    await cfn.config.credentials();
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

  sqs(): Promise<SQSClient> {
    return this.client('sqs', async () => (await import('@aws-sdk/client-sqs')).SQSClient);
  }

  private async client<T>(key: keyof typeof SERVICE_NAMES, load: () => Promise<new (config: ClientConfig) => T>, extra: object = {}): Promise<T> {
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      const Client = await load();
      client = this.named(new Client({ ...this.clientConfig(), ...extra }), SERVICE_NAMES[key]);
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
      try {
        return await proto.send.call(c, command, ...rest);
      } catch (error) {
        throw withCallContext(error, { service, call: command.constructor.name.replace(/Command$/, ''), endpoint });
      }
    };
    return client;
  }
}
