import { defineCommand } from '../command.js';
import type { Sourced } from '../config.js';

export interface ConfigResult {
  readonly kind: 'config';
  readonly env: string;
  /** Each setting with its value and where it came from; settings nobody gave are left out. */
  readonly settings: Record<string, Sourced<unknown>>;
}

export function render(r: ConfigResult): string {
  const rows = Object.entries(r.settings);
  if (rows.length === 0) return `${r.env}: no settings (no tap.config.json, no --region, no AWS_REGION, no profile settings)`;
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.env}:`, ...rows.map(([k, s]) => `  ${k.padEnd(width)}  ${JSON.stringify(s.value)}  (${s.from})`)].join('\n');
}

export default defineCommand({
  name: 'config',
  summary: "the env's effective settings (tap.config.json, options, environment) and where each came from",
  env: 'required',
  offline: true,
  showsAwsSetup: true,
  options: {},
  examples: ['tap config --env prod', 'tap config --env pr-123 --config ci/tap.config.json --json'],
  notes: `tap.config.json (this directory or a parent, or --config FILE) holds settings per env and defaults for
all: account, region, tags, terminationProtection, alertEmails, alarms, logRetentionDays, processor. An env name wins over a pattern such as "pr-*",
a pattern over "defaults"; command-line options win over the file. The schema: tap.config.schema.json.`,
  permissions: 'none (offline: it shows the pinned account, it does not check it).',
  run: ({ env }, deps) => {
    // The region as the command uses it: --region, the file, AWS_REGION, or the profile, in that order;
    // and the AWS setup that somebody gave (an option, a variable, the profile), not tap's defaults.
    const { resolvedRegion, aws, ...fromFile } = deps.settings;
    const settings: Record<string, Sourced<unknown>> = { ...fromFile };
    if (resolvedRegion) settings.region = resolvedRegion;
    else delete settings.region;
    const given = { endpoint: aws?.endpoint, profile: aws?.profile, caBundle: aws?.caBundle, maxAttempts: aws?.maxAttempts, retryMode: aws?.retryMode };
    for (const [key, value] of Object.entries(given)) if (value && !['default', 'tap default'].includes(value.from)) settings[key] = value;
    return Promise.resolve({ kind: 'config' as const, env: env.env, settings });
  },
  render,
});
