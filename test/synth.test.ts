import { describe, expect, it } from 'vitest';
import { WARM_TYPES } from '../src/stack/cfn-validate.js';
import { CFN_LIMITS, synthesize } from '../src/stack/synth.js';

describe('synthesize', () => {
  it('passes cdk-nag (AwsSolutions, Serverless) and CloudFormation validation with zero findings', async () => {
    const s = await synthesize('ci', '1.2.3');
    expect(s.findings).toEqual([]);
    expect(s.acknowledged).toBeGreaterThan(10);
    expect(s.stackName).toBe('TapStack-ci');
    expect(Buffer.byteLength(s.templateBody)).toBeLessThanOrEqual(CFN_LIMITS.templateBodyBytes);
    // The validation engine is warmed for exactly these types; a missing one would make synth slow.
    const types = new Set(Object.values(s.template.Resources ?? {}).map((r) => r.Type));
    expect([...types].filter((t) => !WARM_TYPES.includes(t))).toEqual([]);
  });
});
