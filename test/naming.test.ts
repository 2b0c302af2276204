import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { MAX_ENV_LENGTH, bucketName, namesFor, replayName, validateEnv } from '../src/stack/naming.js';

describe('naming', () => {
  it('derives every name from the env', () => {
    const n = namesFor('staging');
    expect(n).toMatchObject({
      stack: 'TapStack-staging',
      handler: 'srv-handler-staging',
      processor: 'srv-processor-staging',
      bus: 'srv-events-staging',
      archive: 'srv-archive-staging',
      xrayGroup: 'srv-trace-staging',
      dlq: 'srv-dlq-staging',
      handlerLogGroup: '/aws/lambda/srv-handler-staging',
    });
  });

  it('allows 22 characters, the X-Ray group limit of 32 minus "srv-trace-"', () => {
    expect(MAX_ENV_LENGTH).toBe(22);
    const longest = `a${'b'.repeat(MAX_ENV_LENGTH - 1)}`;
    const n = namesFor(longest);
    expect(n.xrayGroup).toHaveLength(32);
    expect(n.archive.length).toBeLessThanOrEqual(48);
    expect(n.processor.length).toBeLessThanOrEqual(64);
    expect(bucketName(longest, '123456789012', 'ap-southeast-5').length).toBeLessThanOrEqual(63);
    expect(replayName(longest, new Date()).length).toBeLessThanOrEqual(64);
  });

  it('rejects one character more, naming the limit and the longest env allowed', () => {
    const tooLong = 'a'.repeat(MAX_ENV_LENGTH + 1);
    expect(() => validateEnv(tooLong)).toThrow(UsageError);
    expect(() => validateEnv(tooLong)).toThrow(/X-Ray group name 'srv-trace-a+' would be 33 characters, over AWS's limit of 32/);
    try {
      validateEnv(tooLong);
    } catch (e) {
      expect((e as UsageError).hint).toContain('22 characters');
      expect((e as UsageError).exitCode).toBe(2);
    }
  });

  it.each(['', 'Dev', '1dev', 'dev-', 'de--v', 'dev_1', 'dev.1', 'd ev'])('rejects %j', (env) => {
    expect(() => validateEnv(env)).toThrow(/invalid env name/);
  });

  it.each(['d', 'dev', 'pr-123', 'a1-b2-c3'])('accepts %j', (env) => {
    expect(() => validateEnv(env)).not.toThrow();
  });

  it('makes replay names that sort by time and start with the env', () => {
    expect(replayName('dev', new Date('2026-11-25T10:20:30Z'))).toBe('dev-replay-20261125102030');
  });
});
