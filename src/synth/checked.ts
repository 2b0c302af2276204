import { valuesOf } from '../config.js';
import type { Deps } from '../deps.js';
import { JobFailed } from '../errors.js';
import { namesFor } from '../stack/naming.js';
import { stackSettings } from '../stack/settings.js';
import type { Synthesized } from '../stack/synth.js';
import { BUGS_URL, VERSION } from '../version.js';

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
    // The stack is tap's own (src/stack/), built with the dependency versions tap ships: a finding in it
    // is tap's defect, never something the user can fix in their project.
    const { packageVersion } = await import('../stack/synth-cache.js');
    const built = ['aws-cdk-lib', 'cdk-nag'].map((name) => `${name} ${packageVersion(name)}`).join(', ');
    throw new JobFailed(`synth found ${errors.length} error(s) in ${names.stack}, tap's embedded stack: a defect of tap ${VERSION}, not something to fix in your project`, {
      hint: `please report it with the findings above at ${BUGS_URL} (tap ${VERSION}, ${built}), or upgrade tap: npm i -g @tap-ops/cli@latest`,
    });
  }
  return synthesized;
}
