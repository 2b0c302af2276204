import { describe, expect, it, vi } from 'vitest';
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
    expect(r.stderr).toMatch(/synth found 1 error\(s\) in TapStack-dev\n\s+hint: fix the construct, or acknowledge/);
  });
});
