import type { Sourced } from '../config.js';

/** The settings of a shared-config profile that tap reads itself (the SDK reads the rest: credentials). */
export interface ProfileSettings {
  readonly region?: string;
  readonly endpoint_url?: string;
  readonly ca_bundle?: string;
  readonly max_attempts?: string;
  readonly retry_mode?: string;
  readonly mfa_serial?: string;
}

/** The profile a run uses: --profile, else AWS_PROFILE, else `default`, and where the name came from. */
export function profileName(given: string | undefined, env: Record<string, string | undefined>): Sourced<string> {
  if (given) return { value: given, from: '--profile' };
  if (env.AWS_PROFILE) return { value: env.AWS_PROFILE, from: 'AWS_PROFILE' };
  return { value: 'default', from: 'default' };
}

/**
 * The profile's settings from the shared config files (AWS_CONFIG_FILE, else ~/.aws/config; and
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), read by the SDK's own loader. A profile that
 * is in neither file has no settings.
 */
export async function readProfile(name: string, env: Record<string, string | undefined>): Promise<ProfileSettings> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const files = await loadSharedConfigFiles({
    ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
    ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
  });
  return { ...files.credentialsFile[name], ...files.configFile[name] };
}

/** Where a profile's setting came from, as --verbose and `tap config` say it. */
export const fromProfile = (name: string, key: string): string => `profile ${name}: ${key}`;
