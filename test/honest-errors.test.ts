import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AwsClients } from '../src/aws/clients.js';
import { retryTransient } from '../src/aws/retry.js';
import { unreadableAnswer } from '../src/errors.js';
import { FakeAws } from './fake-aws/index.js';
import { testDeps } from './helpers/deps.js';
import { runTap } from './helpers/run-tap.js';


/** An HTTP server on loopback that answers every request as a proxy's error page would. */
let proxy: Server;
let proxyUrl = '';
let proxied = 0;
/** A captive portal: a tidy HTML page (well-formed XML too) with HTTP 200. */
let portal: Server;
let portalUrl = '';
let closedUrl = '';
beforeAll(async () => {
  vi.stubEnv('AWS_PROFILE', '');
  proxy = createServer((req, res) => {
    proxied++;
    req.resume();
    req.on('end', () => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>'));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  portal = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>Corporate proxy</h1>blocked</body></html>'));
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
  portalUrl = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await new Promise((resolve) => portal.close(resolve));
  vi.unstubAllEnvs();
});

describe('messages that say what happened, over real HTTP', () => {
  it('an HTML error page from a proxy is reported as such, with the call and the HTTP status (exit 1)', async () => {
    const r = await runTap(['list', '--endpoint-url', proxyUrl]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CloudFormation DescribeStacks got an answer that is not CloudFormation's format after \d attempts: HTTP 502 \(text\/html\)/);
    expect(r.stderr).not.toMatch(/XML parse error|mismatched tags/);
    expect(r.stderr).toMatch(/hint: the endpoint http:\/\/127\.0\.0\.1:\d+ \(--endpoint-url\) answered so/);
  });

  it('a web page with HTTP 200 is not taken for an empty answer: list and destroy fail naming it, they do not say "no stack"', async () => {
    for (const argv of [['list'], ['destroy', '--env', 'dev', '--yes']]) {
      const r = await runTap([...argv, '--endpoint-url', portalUrl, '--json']);
      expect(r.code, argv.join(' ')).toBe(1);
      const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { code: string; message: string };
      expect(last).toMatchObject({ code: 'UnreadableAnswer', message: expect.stringMatching(/^CloudFormation DescribeStacks got an answer that is not CloudFormation's format: HTTP 200 \(text\/html; charset=utf-8\)$/) });
    }
  });

  it('a bare 502 (no body) names its HTTP status, not `Unknown: Unknown`', async () => {
    const bare = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(502).end());
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const r = await runTap(['list', '--endpoint-url', `http://127.0.0.1:${(bare.address() as { port: number }).port}`], { env: { AWS_MAX_ATTEMPTS: '2' } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/CloudFormation DescribeStacks got an answer without an error code or message after 2 attempts: HTTP 502\n/);
      expect(r.stderr).not.toMatch(/Unknown/);
      expect(r.stderr).toMatch(/^… an answer without an error code or message: HTTP 502; trying again \(1\/1\)\n/);
      expect(r.stderr).toMatch(/hint: the endpoint http:\/\/127\.0\.0\.1:\d+ \(--endpoint-url\) answered so/);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  it("the SDK's retries are said as they happen, in the same words, and a polling loop adds none: one budget of 5 calls", async () => {
    const deps = testDeps();
    const aws = new AwsClients({ region: 'us-east-1', endpoint: proxyUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, log: (m) => deps.io.notify(m) });
    const cfn = await aws.cloudFormation();
    const before = proxied;
    await expect(retryTransient({ ...deps, aws }, 0, () => cfn.send(new DescribeStacksCommand({})))).rejects.toMatchObject({ $metadata: { attempts: 5 } });
    expect(proxied - before).toBe(5);
    const retries = deps.messages.filter((m) => m.code === 'aws.retry').map((m) => m.data as { message: string; attempt: number; of: number });
    expect(retries.map((r) => `${r.attempt}/${r.of}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(new Set(retries.map((r) => r.message))).toEqual(new Set(["an answer that is not CloudFormation's format: HTTP 502 (text/html)"]));
  });

  it('AWS_MAX_ATTEMPTS is the budget: 2 calls, and the error says so', async () => {
    const before = proxied;
    const r = await runTap(['list', '--endpoint-url', proxyUrl], { env: { AWS_MAX_ATTEMPTS: '2' } });
    expect([r.code, proxied - before]).toEqual([1, 2]);
    expect(r.stderr).toMatch(/after 2 attempts: HTTP 502/);
    const bad = await runTap(['list', '--endpoint-url', proxyUrl], { env: { AWS_MAX_ATTEMPTS: 'many' } });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("AWS_MAX_ATTEMPTS is 'many': expected a whole number of attempts, 1 or more")]);
  });

  it('with --endpoint-url, Live Tail goes to that endpoint (no stream- host prefix before it)', async () => {
    const { StartLiveTailCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const aws = new AwsClients({ region: 'us-east-1', endpoint: proxyUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const logs = await aws.logs();
    const error = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['arn:aws:logs:us-east-1:123456789012:log-group:g'] })).then(() => undefined, (e: unknown) => e);
    expect(unreadableAnswer(error)).toBe("an answer that is not CloudWatch Logs's format: HTTP 502 (text/html)");
    expect(String(error)).not.toMatch(/ENOTFOUND|stream-127/);
  });

  it('an unreachable endpoint is exit 3 and names the endpoint, not the region', async () => {
    const r = await runTap(['status', '--env', 'dev', '--endpoint-url', closedUrl]);
    expect(r.code).toBe(3);
    // status prints one line per read; the stack's is the CloudFormation call.
    expect(r.stdout).toMatch(new RegExp(`stack .*could not read: cannot reach the CloudFormation endpoint ${closedUrl} \\(DescribeStacks\\): ECONNREFUSED`));
    expect(r.stdout).not.toMatch(/region/i);
    const list = await runTap(['list', '--endpoint-url', closedUrl]);
    expect([list.code, list.stderr]).toEqual([3, expect.stringContaining(`cannot reach the CloudFormation endpoint ${closedUrl} (DescribeStacks): ECONNREFUSED`)]);
  }, 30_000);
});

describe('one classification: the same service fault is exit 1 in every command', () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = new FakeAws().install();
    await runTap(['deploy', '--env', 'cls']);
  });
  afterAll(() => fake.restore());
  const fault = () => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 5 } });

  it.each([
    [['list'], /CloudFormation DescribeStacks failed after 5 attempts: InternalFailure: We encountered an internal error/],
    [['destroy', '--env', 'cls', '--yes'], /CloudFormation DescribeStacks failed after 5 attempts: InternalFailure/],
    [['status', '--env', 'cls'], /stack .*could not read: CloudFormation DescribeStacks failed after 5 attempts: InternalFailure/],
    [['verify', '--env', 'cls', '--no-canary'], /stack .*CloudFormation DescribeStacks failed after 5 attempts: InternalFailure/],
  ])('tap %s: exit 1, naming the service and the call; no hint at credentials', async (argv, message) => {
    fake.before = (call) => {
      if (call === 'DescribeStacks') throw fault();
    };
    const r = await runTap(argv, { fetch: fake.fetch });
    fake.before = undefined;
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(message);
    expect(r.stderr).not.toMatch(/credentials/i);
  });
});
