import { UsageError } from '../errors.js';

/**
 * Every physical name in a tap environment, derived from the env name. Also knows the AWS limit on
 * each name, so that an env name that would break one is rejected before anything is synthesized.
 */

/** Longest AWS region code today (e.g. `ap-southeast-5`), budgeted for names that embed the region. */
const REGION_BUDGET = 14;
/** AWS account ids are always 12 digits. */
const ACCOUNT_BUDGET = 12;

interface NameRule {
  /** What the name is, as a user would say it. */
  readonly what: string;
  /** AWS's documented maximum length. */
  readonly limit: number;
  /** The name for an env (account/region placeholders are budgeted at their longest). */
  readonly name: (env: string) => string;
}

/** The prefix every tap stack name starts with (used by `tap list`). */
export const STACK_PREFIX = 'TapStack-';

/**
 * The one shared stack per account and region: it holds what API Gateway allows only once per
 * account and region (its CloudWatch role), so no env owns it and `tap destroy --env` leaves it.
 * Its name does not start with STACK_PREFIX, so no env name can ever mean it.
 */
export const SHARED_STACK = 'TapShared';

/**
 * The shared stack's IAM role for API Gateway's logging. IAM names are global to the account, so the
 * region is in it; `tap deploy` recognizes the role as tap's by this name (at most 21 + 14 of IAM's 64).
 */
export const sharedRoleName = (region: string): string => `TapShared-apigw-logs-${region}`;

const RULES = {
  stack: { what: 'CloudFormation stack name', limit: 128, name: (env) => `${STACK_PREFIX}${env}` },
  handler: { what: 'Lambda function name', limit: 64, name: (env) => `srv-handler-${env}` },
  processor: { what: 'Lambda function name', limit: 64, name: (env) => `srv-processor-${env}` },
  bus: { what: 'EventBridge bus name', limit: 256, name: (env) => `srv-events-${env}` },
  archive: { what: 'EventBridge archive name', limit: 48, name: (env) => `srv-archive-${env}` },
  rule: { what: 'EventBridge rule name', limit: 64, name: (env) => `srv-deliver-${env}` },
  dlq: { what: 'SQS queue name', limit: 80, name: (env) => `srv-dlq-${env}` },
  xrayGroup: { what: 'X-Ray group name', limit: 32, name: (env) => `srv-trace-${env}` },
  api: { what: 'API Gateway REST API name', limit: 1024, name: (env) => `srv-api-${env}` },
  keyAlias: { what: 'KMS alias', limit: 256, name: (env) => `alias/srv-key-${env}` },
  alerts: { what: 'SNS topic name', limit: 256, name: (env) => `srv-alerts-${env}` },
  dashboard: { what: 'CloudWatch dashboard name', limit: 255, name: (env) => `srv-${env}` },
  alarm: { what: 'CloudWatch alarm name', limit: 255, name: (env) => alarmName(env, longest(ALARM_IDS)) },
  bucket: {
    what: 'S3 bucket name',
    limit: 63,
    name: (env) => bucketName(env, '0'.repeat(ACCOUNT_BUDGET), 'x'.repeat(REGION_BUDGET)),
  },
  replay: {
    what: 'EventBridge replay name',
    limit: 64,
    name: (env) => replayName(env, new Date(0)),
  },
} satisfies Record<string, NameRule>;

export type NameKey = keyof typeof RULES;

/**
 * The env's CloudWatch alarms, one per condition an on-call engineer acts on (alarm-spec.ts says
 * what each watches), and `alarms`, the composite of them all: CloudFormation takes at most five
 * rollback triggers, so deploy names the composite.
 */
export const ALARM_IDS = [
  'api-5xx',
  'api-latency',
  'handler-errors',
  'processor-errors',
  'processor-throttles',
  'rule-failures',
  'async-dropped',
  'dlq-depth',
  'dlq-age',
] as const;
export type AlarmId = (typeof ALARM_IDS)[number];

function alarmName(env: string, id: AlarmId | 'alarms'): string {
  return `srv-${id}-${env}`;
}

function longest(ids: readonly AlarmId[]): AlarmId {
  return [...ids].sort((a, b) => b.length - a.length)[0]!;
}

/** The env name's own form: lowercase because S3 bucket names are; no trailing or double hyphen. */
const ENV_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** The longest env name that fits every limit. */
export const MAX_ENV_LENGTH: number = Math.min(
  ...Object.values<NameRule>(RULES).map((rule) => rule.limit - rule.name('').length),
);

export function bucketName(env: string, account: string, region: string): string {
  return `${bucketPrefix(env)}${account}-${region}`;
}

/** What every name of the env's data bucket starts with, whatever the account and region. */
export function bucketPrefix(env: string): string {
  return `srv-data-${env}-`;
}

/** The bucket where deploy stages templates over CloudFormation's TemplateBody limit, one per account and region. */
export const stagingBucketName = (account: string, region: string): string => `tap-staging-${account}-${region}`;

/** The stack tag that names an env's stack's env, and the one that marks the shared stack. */
export const ENV_TAG = 'tap:env';
export const SHARED_TAG = 'tap:shared';
/** The tag with tap's version, and every tag the env stack puts on its resources. */
export const VERSION_TAG = 'tap:version';
export const TAG_KEYS = [ENV_TAG, VERSION_TAG] as const;

/** A replay name that sorts by time and says which env it belongs to. */
export function replayName(env: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${env}-replay-${stamp}`;
}

/** Throws a UsageError that names the broken rule, unless `env` is a valid env name. */
export function validateEnv(env: string): void {
  if (!ENV_PATTERN.test(env)) {
    throw new UsageError(
      `invalid env name '${env}': use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
      { hint: `for example: --env staging, --env pr-123 (at most ${MAX_ENV_LENGTH} characters)` },
    );
  }
  for (const rule of Object.values<NameRule>(RULES)) {
    const name = rule.name(env);
    if (name.length > rule.limit) {
      throw new UsageError(
        `env name '${env}' is too long: the ${rule.what} '${name}' would be ${name.length} characters, over AWS's limit of ${rule.limit}`,
        { hint: `the longest env name allowed is ${MAX_ENV_LENGTH} characters` },
      );
    }
  }
}

/** All names of an env; validates the env first. */
export function namesFor(env: string) {
  validateEnv(env);
  const n = (key: NameKey): string => RULES[key].name(env);
  return {
    env,
    stack: n('stack'),
    handler: n('handler'),
    processor: n('processor'),
    bus: n('bus'),
    archive: n('archive'),
    rule: n('rule'),
    dlq: n('dlq'),
    xrayGroup: n('xrayGroup'),
    api: n('api'),
    keyAlias: n('keyAlias'),
    handlerLogGroup: `/aws/lambda/${n('handler')}`,
    processorLogGroup: `/aws/lambda/${n('processor')}`,
    accessLogGroup: `/aws/apigateway/${n('api')}/access`,
    alerts: n('alerts'),
    dashboard: n('dashboard'),
    alarms: Object.fromEntries(ALARM_IDS.map((id) => [id, alarmName(env, id)])) as Record<AlarmId, string>,
    /** The composite alarm: in ALARM when any of `alarms` is. */
    rollup: alarmName(env, 'alarms'),
  } as const;
}

export type EnvNames = ReturnType<typeof namesFor>;
