import { describe, expect, it } from 'vitest';
import { abortableSleep } from '../src/deps.js';
import { AwsError, EXIT, isAccessProblem, isTransient, JobFailed, toTapError, UsageError } from '../src/errors.js';

const aws = (name: string, status = 400, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
const net = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('errors: what is retried, what is exit 3', () => {
  it.each([
    [aws('ThrottlingException'), true],
    [aws('InternalError', 500), true],
    [aws('ServiceUnavailable', 503), true],
    [net('ECONNRESET'), true],
    [net('ENOTFOUND'), false], // a wrong endpoint does not heal
    [aws('ValidationError'), false],
    ['a string', false],
    [undefined, false],
  ])('%s transient: %s', (error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });

  it.each([
    [aws('AccessDeniedException', 403), true],
    [aws('ExpiredToken', 403), true],
    [net('ECONNREFUSED'), true],
    [new Error('Region is missing'), true],
    [aws('ValidationError'), false],
    [null, false],
  ])('%s access problem: %s', (error, access) => {
    expect(isAccessProblem(error)).toBe(access);
  });

  it('turns what is thrown into the exit code it stands for, keeping the AWS name', () => {
    const denied = toTapError(aws('AccessDenied', 403));
    expect([denied.constructor, denied.exitCode, denied.message]).toEqual([AwsError, EXIT.aws, 'AccessDenied: AccessDenied happened']);
    expect(denied.hint).toMatch(/Check credentials/);
    const refused = toTapError(net('ECONNREFUSED'));
    expect([refused.exitCode, refused.message, refused.hint]).toEqual([EXIT.aws, 'connect ECONNREFUSED', expect.stringMatching(/--endpoint-url/)]);
    const other = toTapError(aws('ValidationError'));
    expect([other.exitCode, other.message]).toEqual([EXIT.aws, 'ValidationError: ValidationError happened']);
    const unnamed = toTapError({ message: 'odd', $metadata: {} });
    expect(unnamed.message).toBe('AWS error: odd');
    const thrown = toTapError('plain string');
    expect([thrown.constructor, thrown.exitCode, thrown.message]).toEqual([JobFailed, EXIT.failed, 'plain string']);
    const usage = new UsageError('bad');
    expect(toTapError(usage)).toBe(usage);
  });
});

describe('the CLI sleep', () => {
  it('ends early on Ctrl-C, at once when already aborted, and not at all when uninterruptible', async () => {
    const controller = new AbortController();
    const sleep = abortableSleep(controller.signal);
    const started = Date.now();
    const long = sleep(60_000);
    setTimeout(() => controller.abort(), 10);
    await long;
    await sleep(60_000); // already aborted
    expect(Date.now() - started).toBeLessThan(5_000);
    let woke = false;
    const uninterruptible = sleep(50, { uninterruptible: true }).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(woke).toBe(false);
    await uninterruptible;
    expect(woke).toBe(true);
  });
});
