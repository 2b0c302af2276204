import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { abortableSleep } from '../src/deps.js';
import { AwsError, AwsServiceError, ERROR_CODES, EXIT, isAccessProblem, isTransient, JobFailed, toTapError, UsageError, withCallContext } from '../src/errors.js';

const aws = (name: string, status = 400, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
const net = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('errors: what is retried, what is exit 3', () => {
  it.each([
    [aws('ThrottlingException'), true],
    [aws('InternalError', 500), true],
    [aws('ServiceUnavailable', 503), true],
    [net('ECONNRESET'), true],
    [net('ENOTFOUND'), false], // a wrong endpoint does not heal
    [net('ECONNREFUSED'), false], // the SDK tried already; the user fixes it (exit 3)
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
    expect([refused.exitCode, refused.message, refused.hint]).toEqual([EXIT.aws, 'cannot reach the endpoint: ECONNREFUSED (the connection was refused)', expect.stringMatching(/--endpoint-url/)]);
    const other = toTapError(aws('ValidationError'));
    expect([other.exitCode, other.message]).toEqual([EXIT.failed, 'ValidationError: ValidationError happened']);
    const unnamed = toTapError({ message: 'odd', $metadata: {} });
    expect(unnamed.message).toBe('AWS error: odd');
    const thrown = toTapError('plain string');
    expect([thrown.constructor, thrown.exitCode, thrown.message]).toEqual([JobFailed, EXIT.failed, 'plain string']);
    const usage = new UsageError('bad');
    expect(toTapError(usage)).toBe(usage);
  });
});

describe('errors: one classification for every command', () => {
  const from = (error: unknown, service = 'CloudFormation', call = 'DescribeStacks', endpoint?: string) => toTapError(withCallContext(error, { service, call, endpoint }));
  const after5 = (name: string, status: number) => aws(name, status, { $metadata: { httpStatusCode: status, attempts: 5 } });

  it.each([
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['ThrottlingException', 400],
  ])('%s that survived the retries is exit 1, naming the service, the call and the attempts', (name, status) => {
    const e = from(after5(name, status));
    expect([e.constructor, e.exitCode, e.message, e.hint]).toEqual([AwsServiceError, EXIT.failed, `CloudFormation DescribeStacks failed after 5 attempts: ${name}: ${name} happened`, undefined]);
  });

  it('a timeout or a dropped connection is exit 1 and says nothing of credentials', () => {
    const timeout = from(Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError', $metadata: { attempts: 5 } }), 'S3', 'GetObject');
    expect([timeout.exitCode, timeout.message, timeout.hint]).toEqual([EXIT.failed, 'S3 GetObject failed after 5 attempts: TimeoutError: Connection timed out after 30000 ms', undefined]);
    const reset = from(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } }));
    expect([reset.exitCode, reset.message]).toEqual([EXIT.failed, 'CloudFormation DescribeStacks failed after 3 attempts: the connection was lost (ECONNRESET: socket hang up)']);
  });

  it('a refusal by the service is exit 1 with the call; access, credentials and region are exit 3', () => {
    expect(from(aws('ValidationError')).message).toBe('CloudFormation DescribeStacks: ValidationError: ValidationError happened');
    const denied = from(aws('AccessDeniedException', 403), 'EventBridge', 'StartReplay');
    expect([denied.exitCode, denied.message]).toEqual([EXIT.aws, 'EventBridge StartReplay: AccessDeniedException: AccessDeniedException happened']);
    expect(from(aws('ExpiredToken', 403)).exitCode).toBe(EXIT.aws);
    expect(from(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })).exitCode).toBe(EXIT.aws);
    expect(from(new Error('Region is missing')).exitCode).toBe(EXIT.aws);
  });

  it('an unreachable endpoint names the endpoint (the one given, else the host), not the region', () => {
    const given = from(Object.assign(net('ECONNREFUSED'), { address: '127.0.0.1', port: 4566 }), 'S3', 'ListObjectsV2', 'http://localhost:4566');
    expect([given.exitCode, given.message, given.hint]).toEqual([EXIT.aws, 'cannot reach the S3 endpoint http://localhost:4566 (ListObjectsV2): ECONNREFUSED (the connection was refused)', expect.stringMatching(/--endpoint-url/)]);
    const dns = from(Object.assign(net('ENOTFOUND'), { hostname: 'cloudformation.xx-nowhere-1.amazonaws.com' }));
    expect(dns.message).toBe('cannot reach the CloudFormation endpoint cloudformation.xx-nowhere-1.amazonaws.com (DescribeStacks): ENOTFOUND (the name was not found)');
    expect(dns.hint).not.toMatch(/region/);
  });

  it('an answer that is not the service\'s format says so, with the call and the HTTP status', () => {
    const html = Object.assign(new Error('@aws-sdk XML parse error: mismatched tags <hr> and </body>.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'), {
      $metadata: { httpStatusCode: 502, attempts: 5 },
      $response: { statusCode: 502, headers: { 'content-type': 'text/html' } },
    });
    const e = from(html);
    expect([e.exitCode, e.message]).toEqual([EXIT.failed, "CloudFormation DescribeStacks got an answer that is not CloudFormation's format after 5 attempts: HTTP 502 (text/html)"]);
    expect(e.message).not.toMatch(/XML parse/);
  });

  it('a fetch that lost its connection is transient (the cause carries the code)', () => {
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(true);
    expect(isTransient(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }))).toBe(false);
  });
});

describe('the CLI sleep', () => {
  it('ends early on Ctrl-C, at once when already aborted, and not at all when uninterruptible', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const sleep = abortableSleep(controller.signal);
      let ended = false;
      const long = sleep(60_000).then(() => (ended = true));
      await vi.advanceTimersByTimeAsync(59_000);
      expect(ended).toBe(false);
      controller.abort();
      await long; // at once: no timer has to fire
      await sleep(60_000); // already aborted
      let woke = false;
      const uninterruptible = sleep(50, { uninterruptible: true }).then(() => (woke = true));
      await vi.advanceTimersByTimeAsync(49);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await uninterruptible;
      expect(woke).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('error codes: what a script branches on', () => {
  it.each([
    [new UsageError('x'), 'BadInput'],
    [new JobFailed('x'), 'JobFailed'],
    [toTapError(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } })), 'AccessDenied'],
    [toTapError(Object.assign(new Error('no'), { name: 'ExpiredToken', $metadata: { httpStatusCode: 403 } })), 'NoCredentials'],
    [toTapError(new Error('Region is missing')), 'NoRegion'],
    [toTapError(net('ECONNREFUSED')), 'EndpointUnreachable'],
    [toTapError(net('ENOTFOUND')), 'EndpointUnreachable'],
    [toTapError(net('SELF_SIGNED_CERT_IN_CHAIN')), 'CertificateUntrusted'],
    [toTapError(Object.assign(new Error('the request socket timed out after 15000 ms of inactivity'), { name: 'TimeoutError', $metadata: { attempts: 5 } })), 'NoAnswer'],
    [toTapError(Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500, attempts: 5 } })), 'ServiceFault'],
    [toTapError(Object.assign(new Error('bad'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } })), 'ServiceRefused'],
  ])('%s is %s', (error, code) => {
    expect(error.code).toBe(code);
    expect(ERROR_CODES).toHaveProperty(code);
  });

  it('the README lists every code with its meaning', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\|`));
  });
});
