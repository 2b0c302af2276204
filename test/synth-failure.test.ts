import { describe, expect, it, vi } from 'vitest';
import { packageVersion } from '../src/stack/synth-cache.js';
import { VERSION } from '../src/version.js';
import { runTap } from './helpers/run-tap.js';

// A stack with one unacknowledged cdk-nag error and one validation warning.
vi.mock('../src/stack/synth.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/stack/synth.js')>()),
  synthesize: async (env: string) => ({
    env,
    stackName: `TapStack-${env}`,
    template: { Resources: { Q: { Type: 'AWS::SQS::Queue' } } },
    templateBody: '{}',
    acknowledged: 0,
    findings: [
      { level: 'error', path: `TapStack-${env}/Queue/Resource`, message: 'AwsSolutions-SQS4: The SQS queue does not require requests to use SSL.' },
      { level: 'warning', path: 'Q', message: 'W3010: hard-coded availability zone' },
    ],
  }),
}));

describe('synth with findings', () => {
  it('prints every finding and exits 1 when one is an error', async () => {
    const r = await runTap(['synth', '--env', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('✖ TapStack-dev/Queue/Resource: AwsSolutions-SQS4: The SQS queue does not require requests to use SSL.');
    expect(r.stderr).toContain('! Q: W3010: hard-coded availability zone');
    // The stack is tap's: the message says so, names tap's version and where to report it, and never asks the user to fix a construct.
    expect(r.stderr).toContain(`synth found 1 error(s) in TapStack-dev, tap's embedded stack: a defect of tap ${VERSION}, not something to fix in your project`);
    const built = `aws-cdk-lib ${packageVersion('aws-cdk-lib')}, cdk-nag ${packageVersion('cdk-nag')}`;
    expect(r.stderr).toContain(`hint: please report it with the findings above at https://github.com/tap-ops/tap/issues (tap ${VERSION}, ${built}), or upgrade tap: npm i -g @tap-ops/cli@latest`);
    expect(r.stderr).not.toMatch(/fix the construct|acknowledge/);
  });

  it('--json: the error result carries the same message and hint', async () => {
    const r = await runTap(['synth', '--env', 'dev', '--json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ kind: 'error', exitCode: 1 });
    expect(result.message).toContain(`a defect of tap ${VERSION}`);
    expect(result.hint).toContain('https://github.com/tap-ops/tap/issues');
  });
});
