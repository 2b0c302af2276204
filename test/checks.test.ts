import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiCheck } from '../src/checks/api.js';
import type { CheckContext } from '../src/checks/check.js';
import { traceRoot } from '../src/checks/canary-trace.js';
import { namesFor } from '../src/stack/naming.js';
import { FakeAws } from './fake-aws/index.js';
import { testDeps } from './helpers/deps.js';
import { runTap } from './helpers/run-tap.js';


describe('api check against a local HTTP server', () => {
  let answer: { status: number; body: string } = { status: 200, body: '' };
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => res.writeHead(req.url === '/dev/' ? answer.status : 404, { 'content-type': 'application/json' }).end(answer.body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const ctx = (): CheckContext => ({
    deps: testDeps(),
    env: 'dev',
    names: namesFor('dev'),
    timeoutMs: 1000,
    stack: () => Promise.resolve(undefined),
    outputs: () => Promise.resolve({ ApiUrl: base }),
    result: () => Promise.reject(new Error('unused')),
  });

  it.each([
    [200, JSON.stringify({ env: 'dev', features: { xray: true, eventbridge: true } }), 'pass', /^200 in \d+ ms, env dev, xray and eventbridge on$/],
    [200, JSON.stringify({ env: 'prod', features: { xray: false, eventbridge: true } }), 'fail', /env is "prod", expected "dev"; features.xray is not true/],
    [200, '<html>', 'fail', /a body that is not JSON: <html>/],
    [502, '{"message":"Internal server error"}', 'fail', /answered 502: \{"message":"Internal server error"\}/],
  ])('answer %i %s -> %s', async (status, body, expected, detail) => {
    answer = { status, body };
    const outcome = await apiCheck.run(ctx());
    expect(outcome.status).toBe(expected);
    expect(outcome.detail).toMatch(detail);
  });
});

describe('configuration checks that fail on the fake', () => {
  let fake: FakeAws;
  beforeEach(async () => {
    fake = new FakeAws().install();
    await runTap(['deploy', '--env', 'chk']);
  });
  afterEach(() => fake.restore());
  const change = (logicalId: string, props: Record<string, unknown>) => {
    const r = fake.cloudFormation.stack('TapStack-chk')!.resources.get(logicalId)!;
    r.properties = { ...(r.properties as object), ...props };
  };
  const only = async (id: string, ...args: string[]) => {
    const r = await runTap(['verify', '--env', 'chk', '--only', id, '--json', ...args], { fetch: fake.fetch });
    return (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === id);
  };

  it('api-tracing: tracing off and no access logs', async () => {
    const stage = [...fake.cloudFormation.stack('TapStack-chk')!.resources.values()].find((r) => r.type === 'AWS::ApiGateway::Stage')!;
    stage.properties = { ...(stage.properties as object), TracingEnabled: false, AccessLogSetting: undefined };
    expect(await only('api-tracing')).toMatchObject({ status: 'fail', detail: 'stage chk: X-Ray tracing is off, access logging is off' });
  });

  it('xray-group: insights off', async () => {
    change('TraceGroup', { InsightsConfiguration: { InsightsEnabled: false } });
    expect(await only('xray-group')).toMatchObject({ status: 'fail', detail: 'srv-trace-chk: insights is false, expected true' });
  });

  it('archive: retention changed', async () => {
    change('BusArchiveD76499E2', { RetentionDays: 1 });
    expect(await only('archive')).toMatchObject({ status: 'fail', detail: 'srv-archive-chk: retention days is 1, expected 7' });
  });

  it('event-bus: missing', async () => {
    fake.cloudFormation.stack('TapStack-chk')!.resources.delete('BusEA82B648');
    expect(await only('event-bus')).toMatchObject({ status: 'fail', detail: 'EventBridge DescribeEventBus: ResourceNotFoundException: Event bus srv-events-chk does not exist.' });
  });

  it('drift: IN_SYNC passes, DRIFTED fails with the count', async () => {
    expect(await only('drift')).toMatchObject({ status: 'pass', detail: 'IN_SYNC' });
    fake.cloudFormation.drift = { status: 'DRIFTED', resources: 2 };
    expect(await only('drift')).toMatchObject({ status: 'fail', detail: 'DRIFTED: 2 resource(s) drifted' });
  });
});

describe('traceRoot', () => {
  it('takes the Root of a trace header, or a bare id as it is', () => {
    expect(traceRoot('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(traceRoot('1-5759e988-bd862e3fe1be46a994272793')).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });
});
