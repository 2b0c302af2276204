import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLoopbackCloudFormation } from '../bench/loopback-cfn.js';
import { networkFetch } from '../src/aws/network.js';
import { OUTPUTS } from '../src/stack/spec.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';

// The built CLI, on loopback only, against what corporate networks and bad days put between tap and
// AWS: a CONNECT proxy, a forwarding proxy, a TLS endpoint signed by a private CA, a socket that
// accepts and never answers, a refused port.
const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test/fixtures/tls');
const tls = { key: readFileSync(join(fixtures, 'server.key'), 'utf8'), cert: readFileSync(join(fixtures, 'server.pem'), 'utf8') };
const caBundle = join(fixtures, 'ca.pem');
const dir = mkdtempSync(join(tmpdir(), 'tap-network-'));
// A deployed env's stack: every output tap reads.
const outputs = Object.fromEntries(Object.values(OUTPUTS).map((k) => [k, { Value: 'x' }]));
const stack = { stackName: 'TapStack-net', template: JSON.stringify({ Resources: {}, Outputs: outputs }), tags: { 'tap:env': 'net' } };

let https: Awaited<ReturnType<typeof startLoopbackCloudFormation>>;
let plain: Awaited<ReturnType<typeof startLoopbackCloudFormation>>;
/** What went through the proxy: `CONNECT host:port` for https, `GET http://...` for http. */
const proxied: string[] = [];
let proxy: Server;
let proxyUrl = '';
/** Accepts every connection and never answers. */
let stalled: NetServer;
let stalledUrl = '';
const held: Socket[] = [];
let refusedUrl = '';

const listen = async (server: Server | NetServer): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

beforeAll(async () => {
  https = await startLoopbackCloudFormation({ ...stack, tls });
  plain = await startLoopbackCloudFormation(stack);
  proxy = createServer((req, res) => {
    // A forwarding proxy: the request line holds the absolute URL.
    proxied.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket: Socket, head: Buffer) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxyUrl = await listen(proxy);
  stalled = createNetServer((socket) => void held.push(socket));
  stalledUrl = await listen(stalled);
  const closed = createNetServer();
  refusedUrl = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await Promise.all([https.close(), plain.close(), new Promise((r) => proxy.close(r)), new Promise((r) => stalled.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

// No AWS_* or proxy variable of the machine's leaks in: each test says what it sets.
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^AWS_|_proxy$/i.test(k)));
const keys = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
function tap(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/tap.js', ...args], { cwd: root, env: { ...clean, NO_COLOR: '1', ...keys, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}
const envs = (stdout: string): unknown => (JSON.parse(stdout.trim().split('\n').at(-1)!) as { envs?: unknown }).envs;

describe('proxies, as the AWS CLI uses them', () => {
  it('HTTPS goes through HTTPS_PROXY as a CONNECT tunnel; the lower-case variable wins; NO_PROXY bypasses it', async () => {
    proxied.length = 0;
    const port = new URL(https.url).port;
    const r = await tap(['list', '--endpoint-url', https.url, '--json'], { AWS_CA_BUNDLE: caBundle, HTTPS_PROXY: refusedUrl, https_proxy: proxyUrl });
    expect(r.code, r.stderr).toBe(0);
    expect(envs(r.stdout)).toEqual([expect.objectContaining({ env: 'net' })]);
    expect(proxied).toEqual([`CONNECT 127.0.0.1:${port}`]); // one tunnel, kept alive for every call
    proxied.length = 0;
    const bypass = await tap(['list', '--endpoint-url', https.url, '--json'], { AWS_CA_BUNDLE: caBundle, HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' });
    expect([bypass.code, proxied]).toEqual([0, []]);
  });

  it('HTTP goes to HTTP_PROXY as absolute URLs', async () => {
    proxied.length = 0;
    const r = await tap(['list', '--endpoint-url', plain.url, '--json'], { HTTP_PROXY: proxyUrl });
    expect(r.code, r.stderr).toBe(0);
    expect(proxied).toEqual([`POST ${plain.url}/`]);
  });

  it('a proxy that refuses the connection is named as the way the call went, and the hint is about the proxy', async () => {
    const r = await tap(['list', '--endpoint-url', https.url], { AWS_CA_BUNDLE: caBundle, HTTPS_PROXY: refusedUrl, AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot reach the CloudFormation endpoint ${https.url} (DescribeStacks) through the proxy ${refusedUrl}: ECONNREFUSED (the connection was refused)`);
    expect(r.stderr).toContain(`hint: the connection goes through the proxy ${refusedUrl}: check that it runs and HTTPS_PROXY/HTTP_PROXY, or bypass it for this host with NO_PROXY`);
  });

  it('a proxy variable or an AWS_ENDPOINT_URL that is not a URL is refused before any call (exit 2)', async () => {
    const proxyVar = await tap(['list', '--json'], { HTTPS_PROXY: 'not a url' });
    expect([proxyVar.code, JSON.parse(proxyVar.stdout)]).toEqual([2, expect.objectContaining({ code: 'BadInput', message: "invalid HTTPS_PROXY 'not a url': expected an http:// or https:// URL, e.g. http://proxy.example.com:3128" })]);
    const endpoint = await tap(['list', '--json'], { AWS_ENDPOINT_URL: 'localhost:5077' });
    expect([endpoint.code, JSON.parse(endpoint.stdout)]).toEqual([2, expect.objectContaining({ message: "invalid AWS_ENDPOINT_URL 'localhost:5077': expected an http:// or https:// URL, e.g. http://localhost:4566" })]);
  });
});

describe('trusted certificates', () => {
  it('a private CA is refused by name (exit 3), trusted through AWS_CA_BUNDLE or the profile\'s ca_bundle', async () => {
    const untrusted = await tap(['list', '--endpoint-url', https.url]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/cannot reach the CloudFormation endpoint https:\/\/127\.0\.0\.1:\d+ \(DescribeStacks\): UNABLE_TO_VERIFY_LEAF_SIGNATURE \(its certificate is not trusted: unable to verify the first certificate[^)]*\)/);
    expect(untrusted.stderr).toContain("hint: behind a proxy that inspects TLS, point AWS_CA_BUNDLE (or the profile's ca_bundle) at its CA certificate (PEM)");
    const env = await tap(['list', '--endpoint-url', https.url, '--json'], { AWS_CA_BUNDLE: caBundle });
    expect(env.code, env.stderr).toBe(0);
    const config = join(dir, 'ca-config');
    writeFileSync(config, `[default]\nca_bundle = ${caBundle}\n`);
    const profile = await tap(['list', '--endpoint-url', https.url, '--json', '--verbose'], { AWS_CONFIG_FILE: config });
    expect(profile.code, profile.stderr).toBe(0);
    expect(profile.stderr).toContain(`CA bundle ${caBundle} (profile default: ca_bundle)`);
  });

  it('a CA bundle that cannot be read, or holds no certificate, is exit 3 naming the file and where it was set', async () => {
    const r = await tap(['list', '--endpoint-url', https.url], { AWS_CA_BUNDLE: join(dir, 'missing.pem') });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot read the CA bundle ${join(dir, 'missing.pem')} (AWS_CA_BUNDLE): ENOENT`);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const empty = await tap(['list', '--endpoint-url', https.url], { AWS_CA_BUNDLE: notPem });
    expect([empty.code, empty.stderr]).toEqual([3, expect.stringContaining(`the CA bundle ${notPem} (AWS_CA_BUNDLE) holds no PEM certificate`)]);
  });

  it('an https:// URL of a plain-HTTP endpoint is said to be one (exit 3)', async () => {
    const r = await tap(['list', '--endpoint-url', plain.url.replace('http:', 'https:'), '--json'], { AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 'EndpointUnreachable', message: expect.stringContaining('(it does not speak TLS: an http:// endpoint given as https://?)') });
  });
});

describe('calls that never hang', () => {
  it('an endpoint that accepts and never answers ends each command within the read timeout times the attempts, naming it', async () => {
    const bound = { '--read-timeout': '1', AWS_MAX_ATTEMPTS: '2' };
    for (const command of [['list'], ['status', '--env', 'net'], ['verify', '--env', 'net']]) {
      const r = await tap([...command, '--endpoint-url', stalledUrl, '--read-timeout', bound['--read-timeout']], { AWS_MAX_ATTEMPTS: bound.AWS_MAX_ATTEMPTS });
      // 2 attempts × 1 s, the SDK's backoff (< 1 s) and Node's start: well inside 10 s.
      expect(r.ms, command.join(' ')).toBeLessThan(10_000);
      expect(r.code, `${command.join(' ')}: ${r.stderr}${r.stdout}`).toBe(1);
      expect(`${r.stderr}${r.stdout}`).toMatch(new RegExp(`CloudFormation DescribeStacks failed after 2 attempts in \\d+\\.\\d s: no answer from ${stalledUrl.replace("http://", "")} within the read timeout \\(1 s\\)`));
    }
  }, 60_000);

  it('bad timeouts are refused before any call (exit 2)', async () => {
    for (const value of ['0', '-1', 'soon', '7200']) {
      const r = await tap(['list', '--read-timeout', value]);
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`invalid --read-timeout '${value}': expected seconds, more than 0 and at most 3600`)]);
    }
  });
});

describe("tap's own HTTP calls (the API probe, the canary) have the same layer", () => {
  // A deployed env in the fake, its API's URL sent to a loopback address instead, through the real network layer.
  const layer = networkFetch({ connectTimeoutMs: 1000, readTimeoutMs: 1000 });
  const to = (url: string): typeof fetch => (input, init) => layer(new URL(new URL(String(input instanceof Request ? input.url : input)).pathname, url), init);
  let fake: FakeAws;
  beforeAll(async () => {
    fake = new FakeAws().install();
    expect((await runTap(['deploy', '--env', 'net'])).code).toBe(0);
  });
  afterAll(() => fake.restore());

  it('a stalled API fails the probe after the read timeout, within the one retry budget, naming it (exit 1)', async () => {
    const started = performance.now();
    const r = await runTap(['verify', '--env', 'net', '--only', 'api', '--json'], { fetch: to(stalledUrl) });
    // 5 tries (the check's retries, the budget) of 1 s each, and nothing more.
    expect(performance.now() - started).toBeLessThan(9_000);
    expect(r.code).toBe(1);
    const api = (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === 'api');
    expect(api).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^HTTP GET failed after 5 attempts: no answer from 127\.0\.0\.1:\d+: Headers Timeout Error$/) });
  });

  it('a refused API is exit 3 for the probe, and the canary sends nothing it cannot prove was not sent', async () => {
    const probe = await runTap(['verify', '--env', 'net', '--only', 'api', '--json'], { fetch: to(refusedUrl) });
    expect(probe.code).toBe(3);
    const port = new URL(refusedUrl).port;
    expect(probe.stdout).toContain(`cannot reach the HTTP endpoint 127.0.0.1:${port} (GET): ECONNREFUSED (the connection was refused)`);
    const canary = await runTap(['verify', '--env', 'net', '--only', 'canary-delivery', '--json'], { fetch: to(refusedUrl) });
    expect(canary.code).toBe(3);
    expect(canary.stdout).toContain(`cannot reach the HTTP endpoint 127.0.0.1:${port} (POST): ECONNREFUSED (the connection was refused)`);
    expect(canary.stdout).not.toMatch(/may have taken|was lost/);
  });
});

describe('a profile that assumes its role with MFA', () => {
  // The SDK's credential chain reads the shared files from the process's environment.
  const config = join(dir, 'mfa-config');
  beforeAll(() => {
    writeFileSync(
      config,
      '[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base\n' +
        '[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nregion = us-east-1\n',
    );
    vi.stubEnv('AWS_CONFIG_FILE', config);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'none'));
    vi.stubEnv('AWS_PROFILE', '');
  });
  afterAll(() => vi.unstubAllEnvs());
  const files = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_REGION: '' };
  const assumed = () => plain.forms.filter((f) => f.get('Action') === 'AssumeRole');

  it('asks for the code once on a terminal, and STS gets it with the device', async () => {
    const before = assumed().length;
    const r = await runTap(['list', '--profile', 'mfa', '--endpoint-url', plain.url], { tty: true, answers: ['123456'], credentials: false, env: files });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/MFA code for arn:aws:iam::123456789012:mfa\/alice:/g)).toHaveLength(1);
    expect(assumed().slice(before).map((f) => [f.get('RoleArn'), f.get('SerialNumber'), f.get('TokenCode')])).toEqual([
      ['arn:aws:iam::123456789012:role/ops', 'arn:aws:iam::123456789012:mfa/alice', '123456'],
    ]);
    expect(r.stdout).toContain('net');
  });

  it('a code that is not six digits is refused before STS is called (exit 2)', async () => {
    const before = assumed().length;
    const r = await runTap(['list', '--profile', 'mfa', '--endpoint-url', plain.url], { tty: true, answers: [''], credentials: false, env: files });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("an MFA code is the six digits arn:aws:iam::123456789012:mfa/alice shows, not ''");
    expect(assumed().length).toBe(before);
  });

  it('without a terminal it is refused, naming the device and the way out (exit 3), and STS is not called', async () => {
    const before = assumed().length;
    const r = await runTap(['list', '--profile', 'mfa', '--endpoint-url', plain.url], { credentials: false, env: files });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('profile mfa assumes its role with an MFA device (arn:aws:iam::123456789012:mfa/alice), and no code can be asked for here (no terminal, or --json)');
    expect(r.stderr).toContain('aws sts assume-role --role-arn ROLE --role-session-name tap --serial-number arn:aws:iam::123456789012:mfa/alice --token-code CODE');
    expect(assumed().length).toBe(before);
  });
});
