import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { receiptKey } from '../src/stack/spec.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


const dir = mkdtempSync(join(tmpdir(), 'tap-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fake: FakeAws;
beforeEach(async () => {
  fake = new FakeAws().install();
  expect((await runTap(['deploy', '--env', 'ver'])).code).toBe(0);
  fake.resetCalls();
});
afterEach(() => fake.restore());

const verify = (...args: string[]) => runTap(['verify', '--env', 'ver', ...args], { fetch: fake.fetch });
type Result = { kind: string; passed: number; failed: number; checks: { id: string; status: string; detail: string; remedy?: string; data?: Record<string, unknown>; durationMs: number }[] };
const byId = (r: Result) => Object.fromEntries(r.checks.map((c) => [c.id, c]));

describe('tap verify on a deployed fake env', () => {
  it('passes every check, with a canary whose receipt and trace appear after a delay', async () => {
    fake.serverless.deliveryDelayMs = 1500;
    const r = await verify('--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Result;
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['stack', 'pass'], ['api', 'pass'], ['lambda-config', 'pass'], ['api-tracing', 'pass'], ['xray-group', 'pass'],
      ['event-bus', 'pass'], ['archive', 'pass'], ['rule', 'pass'], ['dlq', 'pass'], ['alarms', 'pass'], ['canary-delivery', 'pass'], ['canary-trace', 'pass'],
    ]);
    const checks = byId(result);
    expect(checks['canary-trace']?.detail).toMatch(/^trace 1-[0-9a-f]{8}-[0-9a-f]{24}: srv-api-ver\/ver -> srv-handler-ver -> srv-processor-ver$/);
    // The receipt was polled for: it was not there at first.
    expect(fake.calls.filter((c) => c === 'GetObject').length).toBeGreaterThan(1);
    // The canary event is marked, and its receipt says so.
    const receipt = JSON.parse(fake.s3.getObject('srv-data-ver-123456789012-us-east-1', receiptKey(String(checks['canary-delivery']?.data?.correlationId), String(checks['canary-delivery']?.data?.eventId))));
    expect(receipt).toMatchObject({ canary: true, source: 'tap.canary' });
  });

  it('catches a function whose tracing was turned off, and the trace that then misses it', async () => {
    const fn = fake.cloudFormation.stack('TapStack-ver')!.resources.get('Processor60228016')!;
    fn.properties = { ...(fn.properties as object), TracingConfig: { Mode: 'PassThrough' } };
    const r = await verify('--no-color');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ lambda-config .* srv-processor-ver: tracing is PassThrough, expected Active\n\s+remedy: run `tap deploy --env ver`/);
    expect(r.stdout).toMatch(/✖ canary-trace .* lacks srv-processor-ver/);
    expect(r.stdout).toMatch(/TapStack-ver: 10 passed, 2 failed, 0 warning\(s\), 0 skipped in/);
  });

  it('--no-canary is read-only: no event sent, nothing written', async () => {
    const r = await verify('--no-canary', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).checks.map((c: { id: string }) => c.id)).not.toContain('canary-delivery');
    expect(fake.s3.objectCount('srv-data-ver-123456789012-us-east-1')).toBe(0);
    expect(fake.calls.filter((c) => /^(Put|Delete|Create|Update|Execute)/.test(c))).toEqual([]);
  });

  it('skips canary-trace with the reason when canary-delivery failed', async () => {
    const rule = fake.cloudFormation.stack('TapStack-ver')!.resources.get('Rule4C995B7F')!;
    rule.properties = { ...(rule.properties as object), State: 'DISABLED' };
    const r = await verify('--json', '--timeout', '3');
    expect(r.code).toBe(1);
    const checks = byId(JSON.parse(r.stdout));
    expect(checks.rule).toMatchObject({ status: 'fail', detail: 'srv-deliver-ver: state is "DISABLED", expected "ENABLED"' });
    expect(checks['canary-delivery']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no receipt receipts\/canary-.*\.json within 3 s$/) });
    expect(checks['canary-trace']).toMatchObject({ status: 'skip', detail: 'skipped: canary-delivery failed' });
  });

  it('warns on messages in the DLQ; --strict turns the warning into exit 1', async () => {
    fake.serverless.queueDepth.set('srv-dlq-ver', 3);
    const lenient = await verify('--only', 'dlq', '--json');
    expect(lenient.code).toBe(0);
    expect(byId(JSON.parse(lenient.stdout)).dlq).toMatchObject({ status: 'warn', detail: '3 message(s) waiting in srv-dlq-ver' });
    const strict = await verify('--only', 'dlq', '--strict');
    expect(strict.code).toBe(1);
  });

  it('--only brings the checks it needs; --skip leaves checks out; unknown ids are exit 2 before any call', async () => {
    const only = JSON.parse((await verify('--only', 'canary-trace', '--json')).stdout) as Result;
    expect(only.checks.map((c) => c.id)).toEqual(['stack', 'canary-delivery', 'canary-trace']);
    const skip = JSON.parse((await verify('--skip', 'canary-delivery,canary-trace,api', '--json')).stdout) as Result;
    expect(skip.checks.map((c) => c.id)).not.toContain('api');
    fake.resetCalls();
    const bad = await verify('--only', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown check 'nope'\n.*hint: checks: stack, api, /);
    expect(fake.calls).toEqual([]);
  });

  it('a stack that does not exist: the stack check fails, every other check says so in one line', async () => {
    const r = await runTap(['verify', '--env', 'gone', '--json'], { fetch: fake.fetch });
    expect(r.code).toBe(1);
    const checks = byId(JSON.parse(r.stdout));
    expect(checks.stack).toMatchObject({ status: 'fail', detail: 'TapStack-gone does not exist' });
    for (const c of Object.values(checks).filter((x) => x.id !== 'stack')) expect([c.id, c.status, c.detail, c.durationMs]).toEqual([c.id, 'skip', 'skipped: TapStack-gone does not exist', 0]);
    expect(fake.calls).toEqual(['DescribeStacks']);
    // The stack check's line comes first: the others are skipped because of it.
    const human = await runTap(['verify', '--env', 'gone', '--no-color'], { fetch: fake.fetch });
    expect(human.stderr.split('\n').find((l) => /^… \d+\/\d+ /.test(l))).toMatch(/^… 1\/\d+ ✖ stack/);
    // Each progress line names what the run still waits for; the last, nothing.
    const progress = human.stderr.split('\n').filter((l) => /^… \d+\/\d+ /.test(l));
    expect(progress[0]).toMatch(/^… 1\/(\d+) ✖ stack \(\d+ ms\); waiting for api, lambda-config, /);
    expect(progress.at(-1)).toMatch(/^… (\d+)\/\1 \S+ \S+ \(\d+ ms\)$/);
  });

  describe('the canary sends at most one event per run', () => {
    const canaries = () => (fake.serverless.archived.get('srv-archive-ver') ?? []).filter((e) => e.source === 'tap.canary');
    const losing = (error: () => unknown) => {
      const posts: string[] = [];
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const answer = await fake.fetch(input, init);
        if (init?.method !== 'POST') return answer;
        posts.push(typeof init.body === 'string' ? init.body : '');
        if (posts.length === 1) throw error(); // applied, then the answer is lost
        return answer;
      };
      return { fetch, posts };
    };

    it.each([
      ['a connection reset (the error the runner retries)', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
      ['fetch failed, the socket closed', () => new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })],
      ['a timeout', () => Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })],
    ])('a POST whose answer was lost (%s) is not sent again: its receipt is found', async (_kind, error) => {
      const { fetch, posts } = losing(error);
      const r = await runTap(['verify', '--env', 'ver', '--only', 'canary-trace', '--json'], { fetch });
      expect(r.code, r.stdout).toBe(0);
      expect(posts).toHaveLength(1);
      expect(canaries()).toHaveLength(1);
      expect(byId(JSON.parse(r.stdout) as Result)['canary-delivery']).toMatchObject({ status: 'pass', data: { correlationId: canaries()[0]?.detail.correlationId } });
    });

    it('a POST that provably never left (connection refused) is sent again, with the same correlation id', async () => {
      const { fetch, posts } = losing(() => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
      const wrapped: typeof globalThis.fetch = async (input, init) => {
        // Refused means not applied: undo what the fake applied for the first POST.
        const before = canaries().length;
        try {
          return await fetch(input, init);
        } catch (error) {
          fake.serverless.archived.get('srv-archive-ver')?.splice(before);
          throw error;
        }
      };
      const r = await runTap(['verify', '--env', 'ver', '--only', 'canary-delivery', '--json'], { fetch: wrapped });
      expect(r.code, r.stdout).toBe(0);
      expect(posts).toHaveLength(2);
      expect(new Set(posts.map((p) => (JSON.parse(p) as { correlationId: string }).correlationId)).size).toBe(1);
      expect(canaries()).toHaveLength(1);
    });

    it('an API that refuses every connection: three tries, no event, the canary fails naming it (exit 3)', async () => {
      let posts = 0;
      const refused: typeof globalThis.fetch = async (input, init) => {
        if (init?.method !== 'POST') return fake.fetch(input, init);
        posts++;
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      };
      const r = await runTap(['verify', '--env', 'ver', '--only', 'canary-delivery', '--json'], { fetch: refused });
      expect(r.code).toBe(3);
      expect(byId(JSON.parse(r.stdout) as Result)['canary-delivery']).toMatchObject({ status: 'fail', detail: 'cannot reach the endpoint: ECONNREFUSED (the connection was refused)' });
      expect([posts, canaries().length]).toEqual([3, 0]);
    });
  });

  it('exits 3 when AWS refuses the caller', async () => {
    fake.before = (call) => {
      if (call === 'GetGroup') throw Object.assign(new Error('User is not authorized to perform: xray:GetGroup'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    };
    const r = await verify('--no-canary', '--json');
    expect(r.code).toBe(3);
    expect(byId(JSON.parse(r.stdout))['xray-group']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/AccessDeniedException: User is not authorized/) });
  });

  it('writes JUnit XML that a parser reads back with the right counts', async () => {
    fake.serverless.queueDepth.set('srv-dlq-ver', 1);
    const rule = fake.cloudFormation.stack('TapStack-ver')!.resources.get('Rule4C995B7F')!;
    rule.properties = { ...(rule.properties as object), State: 'DISABLED' };
    const file = join(dir, 'report.xml');
    const r = await verify('--junit', file, '--timeout', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`JUnit report written to ${file}`);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'));
    const suite = xml.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'tap verify --env ver', tests: '12', failures: '2', skipped: '1', errors: '0' });
    const cases = suite.testcase as { name: string; failure?: { message: string }; skipped?: unknown; 'system-out'?: string }[];
    expect(cases).toHaveLength(12);
    expect(cases.find((c) => c.name.startsWith('rule:'))?.failure?.message).toBe('srv-deliver-ver: state is &quot;DISABLED&quot;, expected &quot;ENABLED&quot;'.replace(/&quot;/g, '"'));
    expect(cases.find((c) => c.name.startsWith('canary-trace:'))?.skipped).toBeDefined();
    expect(cases.find((c) => c.name.startsWith('dlq:'))?.['system-out']).toMatch(/^warning: 1 message/);
  });

  it('rejects a bad --timeout and a --junit path in a missing directory with exit 2', async () => {
    expect((await verify('--timeout', '0')).stderr).toMatch(/invalid --timeout '0'/);
    const r = await verify('--junit', '/no/such/dir/r.xml');
    expect(r.code).toBe(2);
    expect(fake.calls).toEqual([]);
  });
});
