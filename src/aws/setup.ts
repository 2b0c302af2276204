import type { Sourced } from '../config.js';
import { UsageError } from '../errors.js';
import type { Payloads } from '../messages/types.js';
import type { AwsConfig, RetryMode } from './clients.js';
import { checkedUrl, checkProxyVariables, NETWORK_DEFAULTS } from './network.js';
import { fromProfile, type ProfileSettings, profileName, readProfile } from './profile.js';

/** tap's retry budget where neither AWS_MAX_ATTEMPTS nor the profile's max_attempts sets one: at most 5 calls for one logical call. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** tap's retry mode where neither AWS_RETRY_MODE nor the profile's retry_mode sets one: client-side rate limiting for X-Ray's throttled reads. */
export const DEFAULT_RETRY_MODE: RetryMode = 'adaptive';
const RETRY_MODES: readonly RetryMode[] = ['standard', 'adaptive', 'legacy'];

/** What the command line gives of the AWS setup (global options). */
export interface GivenAws {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly connectTimeout?: number;
  readonly readTimeout?: number;
}

/**
 * Where every AWS setting of a run comes from, in the precedence the AWS CLI and SDKs document
 * (AWS SDKs and Tools Reference Guide: a command-line option, then the environment, then the shared
 * config file's profile):
 * - region: --region, tap.config.json, AWS_REGION (or AWS_DEFAULT_REGION), the profile's region;
 * - endpoint: --endpoint-url, AWS_ENDPOINT_URL, the profile's endpoint_url (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
 * - CA bundle: AWS_CA_BUNDLE, the profile's ca_bundle;
 * - retries: AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, the profile's max_attempts / retry_mode, tap's defaults.
 * `setup` is what --verbose shows of it, and `tap config`. Without `withProfile` (an offline command) the
 * profile's file is not read.
 */
export async function awsSetup(
  given: GivenAws,
  env: Record<string, string | undefined>,
  fileRegion: Sourced<string> | undefined,
  log: NonNullable<AwsConfig['log']>,
  withProfile = true,
): Promise<{ config: AwsConfig; resolvedRegion?: Sourced<string>; setup: Payloads['aws.setup'] }> {
  const profile = profileName(given.profile, env);
  const settings: ProfileSettings = withProfile ? await readProfile(profile.value, env) : {};
  /** The first of: an option, an environment variable (an empty one is not set), the profile's key. */
  const pick = (option: [string | undefined, string] | undefined, variables: string[], key?: keyof ProfileSettings): Sourced<string> | undefined => {
    if (option?.[0]) return { value: option[0], from: option[1] };
    const variable = variables.find((v) => env[v]);
    if (variable) return { value: env[variable]!, from: variable };
    const inProfile = key && settings[key];
    return inProfile ? { value: inProfile, from: fromProfile(profile.value, key) } : undefined;
  };
  const resolvedRegion = fileRegion && !given.region ? fileRegion : pick([given.region, '--region'], ['AWS_REGION', 'AWS_DEFAULT_REGION'], 'region');
  const ignoreProfileEndpoint = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true';
  const endpoint = pick([given.endpointUrl, '--endpoint-url'], ['AWS_ENDPOINT_URL'], ignoreProfileEndpoint ? undefined : 'endpoint_url');
  if (endpoint) checkedUrl(endpoint.value, endpoint.from, 'http://localhost:4566');
  checkProxyVariables(env);
  const caBundle = pick(undefined, ['AWS_CA_BUNDLE'], 'ca_bundle');
  const attemptsText = pick(undefined, ['AWS_MAX_ATTEMPTS'], 'max_attempts');
  const maxAttempts = attemptsText ? { value: Number(attemptsText.value), from: attemptsText.from } : { value: DEFAULT_MAX_ATTEMPTS, from: 'tap default' };
  if (!Number.isInteger(maxAttempts.value) || maxAttempts.value < 1) {
    throw new UsageError(`${maxAttempts.from} is '${attemptsText?.value}': expected a whole number of attempts, 1 or more`, { hint: 'e.g. AWS_MAX_ATTEMPTS=5; 1 means no retry' });
  }
  const modeText = pick(undefined, ['AWS_RETRY_MODE'], 'retry_mode');
  if (modeText && !RETRY_MODES.includes(modeText.value as RetryMode)) {
    throw new UsageError(`${modeText.from} is '${modeText.value}': expected one of ${RETRY_MODES.join(', ')}`);
  }
  const retryMode = modeText ? { value: modeText.value as RetryMode, from: modeText.from } : { value: DEFAULT_RETRY_MODE, from: 'tap default' };
  const network = {
    connectTimeoutMs: (given.connectTimeout ?? NETWORK_DEFAULTS.connectTimeoutMs / 1000) * 1000,
    readTimeoutMs: (given.readTimeout ?? NETWORK_DEFAULTS.readTimeoutMs / 1000) * 1000,
    ...(caBundle ? { caBundle } : {}),
  };
  const config: AwsConfig = {
    region: resolvedRegion?.value,
    profile: given.profile ?? env.AWS_PROFILE,
    endpoint: endpoint?.value,
    network,
    maxAttempts: maxAttempts.value,
    retryMode: retryMode.value,
    log,
  };
  const setup = {
    region: resolvedRegion,
    endpoint,
    profile,
    caBundle,
    maxAttempts,
    retryMode,
    timeouts: { connectS: network.connectTimeoutMs / 1000, readS: network.readTimeoutMs / 1000 },
  };
  return { config, resolvedRegion, setup };
}
