import type { Sourced } from '../config.js';
import type { Payloads } from '../io/types.js';
import type { AwsConfig } from './clients.js';

/**
 * Where every AWS setting of a run comes from: the region from --region, else tap.config.json, else
 * AWS_REGION (or AWS_DEFAULT_REGION), else the SDK's own resolution from the profile; the profile from
 * --profile, else AWS_PROFILE; the endpoint from --endpoint-url, else AWS_ENDPOINT_URL. `setup` is
 * what --verbose shows of it.
 */
export function awsSetup(
  given: { region?: string; profile?: string; endpointUrl?: string },
  env: Record<string, string | undefined>,
  fileRegion: Sourced<string> | undefined,
  log: NonNullable<AwsConfig['log']>,
): { config: AwsConfig; resolvedRegion?: Sourced<string>; setup: Payloads['aws.setup'] } {
  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION; // an empty AWS_REGION is not set
  const fromEnv = envRegion ? { value: envRegion, from: env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION' } : undefined;
  const resolvedRegion = given.region ? { value: given.region, from: '--region' } : (fileRegion ?? fromEnv);
  const config = { region: resolvedRegion?.value, profile: given.profile ?? env.AWS_PROFILE, endpoint: given.endpointUrl ?? env.AWS_ENDPOINT_URL, log };
  const profile = given.profile ? { value: given.profile, from: '--profile' } : env.AWS_PROFILE ? { value: env.AWS_PROFILE, from: 'AWS_PROFILE' } : undefined;
  return { config, resolvedRegion, setup: { region: resolvedRegion, endpoint: config.endpoint, profile } };
}
