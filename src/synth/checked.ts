import { valuesOf } from '../config.js';
import type { Deps } from '../deps.js';
import { JobFailed } from '../errors.js';
import { namesFor } from '../stack/naming.js';
import { stackSettings } from '../stack/settings.js';
import type { Synthesized } from '../stack/synth.js';
import { VERSION } from '../version.js';

/**
 * Synthesizes the env's stack and reports every finding; fails when any is an error.
 * Shared by every command that needs the template (synth, diff, deploy).
 */
export async function synthesizeChecked(env: string, deps: Deps, options: { cache?: boolean; alertEmails?: readonly string[] } = {}): Promise<Synthesized> {
  const names = namesFor(env); // validates before loading aws-cdk-lib
  deps.io.notify({ level: 'progress', code: 'synth.start', data: { stack: names.stack } });
  const { synthesize } = await import('../stack/synth.js');
  const settings = stackSettings(valuesOf(deps.settings), options.alertEmails);
  const cacheDir = options.cache === false ? undefined : deps.cacheDir;
  const synthesized = await synthesize(env, VERSION, { cacheDir, signal: deps.signal, settings });
  deps.io.notify({ level: 'debug', code: 'synth.cache', data: { dir: cacheDir, ...synthesized.cache } });
  const errors = synthesized.findings.filter((f) => f.level === 'error');
  for (const f of synthesized.findings) {
    deps.io.notify({ level: f.level === 'error' ? 'error' : 'warn', code: 'synth.finding', data: f });
  }
  if (errors.length > 0) {
    throw new JobFailed(`synth found ${errors.length} error(s) in ${names.stack}`, {
      hint: 'fix the construct, or acknowledge the rule next to it with Validations.of(construct).acknowledge({ id, reason })',
    });
  }
  return synthesized;
}
