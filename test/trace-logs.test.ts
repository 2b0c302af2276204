import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { faultTrace, TRACE_ID } from './fixtures/traces.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const T0 = 1_795_600_000_000; // the fixture trace's start (ms)
const HANDLER = '/aws/lambda/srv-handler-dev';
const API = '/aws/apigateway/srv-api-dev/access';
const OTHER = '1-6745a1b0-ffffffffffffffffffffffff';

let fake: FakeAws;
const trace = (...args: string[]) => runTap(['trace', '--env', 'dev', ...args], { clock: () => NOW });

beforeEach(() => {
  fake = new FakeAws().install();
  const docs = (faultTrace.Segments ?? []).map((s) => JSON.parse(s.Document ?? '{}') as never);
  fake.serverless.xray.traces.set(TRACE_ID, docs);
  const l = fake.cloudWatchLogs;
  l.createGroup('/aws/lambda/srv-processor-dev');
  l.access(API, { requestId: 'f2b3c4d5-0000-4000-8000-000000000001', at: T0 + 420, status: 502 });
  l.access(API, { requestId: 'someone-else', at: T0 + 430, status: 202 });
  l.invocation(HANDLER, {
    requestId: '0f1e2d3c-0000-4000-8000-000000000002',
    at: T0 + 120,
    traceId: TRACE_ID,
    lines: [{ json: { level: 'error', msg: 'PutEvents failed', correlationId: 'corr-12345678' }, error: true }],
    failed: 'error',
  });
  l.invocation(HANDLER, { requestId: '0f1e2d3c-0000-4000-8000-000000000009', at: T0 + 200, traceId: OTHER, lines: [{ json: { level: 'info', msg: 'published', correlationId: 'corr-other-1' } }] });
});
afterEach(() => fake.restore());

describe('tap trace --id X --logs', () => {
  it("draws the trace's log lines under its waterfall: its invocations' lines and its request's access log line", async () => {
    const r = await trace('--id', TRACE_ID, '--logs');
    expect(r.code).toBe(0);
    const [waterfall, logs] = r.stdout.split('\nlogs:\n');
    expect(waterfall).toContain(`trace ${TRACE_ID}`);
    expect(logs?.trimEnd().split('\n')).toEqual([
      '        2026-11-25T09:46:40.120Z handler   START RequestId: 0f1e2d3c-0000-4000-8000-000000000002 Version: $LATEST',
      '  ERROR 2026-11-25T09:46:40.121Z handler   PutEvents failed  correlationId=corr-12345678',
      '  ERROR 2026-11-25T09:46:40.122Z handler   Error: boom',
      '        2026-11-25T09:46:40.123Z handler   END RequestId: 0f1e2d3c-0000-4000-8000-000000000002',
      '        2026-11-25T09:46:40.124Z handler   REPORT RequestId: 0f1e2d3c-0000-4000-8000-000000000002\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t',
      '                                         XRAY TraceId: 1-6745a1b0-4f2e8c1d9a3b7e6f5d4c3b2a\tSegmentId: 3d752aa11bbe37e0\tSampled: true',
      '  ERROR 2026-11-25T09:46:40.420Z api       POST /events 502',
    ]);
  });

  it('--json: the lines by trace id in the result; a trace whose lines are not there yet says so', async () => {
    const r = await trace('--id', TRACE_ID, '--logs', '--json');
    const { result } = ndjson(r.stdout);
    expect((result.logs as Record<string, { requestId: string }[]>)[TRACE_ID]?.map((l) => l.requestId).at(-1)).toBe('f2b3c4d5-0000-4000-8000-000000000001');
    fake.cloudWatchLogs.groups.set(HANDLER, []);
    fake.cloudWatchLogs.groups.set(API, []);
    const none = await trace('--id', TRACE_ID, '--logs');
    expect(none.stdout).toContain('\nlogs: no log lines of this trace (CloudWatch Logs may take a minute to have them)');
  });

  it('searches only the trace\'s own span (5 minutes either side)', async () => {
    const seen: { startTime?: number; endTime?: number }[] = [];
    const original = fake.cloudWatchLogs.filterLogEvents.bind(fake.cloudWatchLogs);
    fake.cloudWatchLogs.filterLogEvents = (i) => (seen.push(i), original(i));
    await trace('--id', TRACE_ID, '--logs');
    expect(new Set(seen.map((i) => `${i.startTime}-${i.endTime}`))).toEqual(new Set([`${T0 + 100 - 300_000}-${T0 + 420 + 300_000}`]));
  });

  it('without --logs no log group is read; --logs needs --id (exit 2)', async () => {
    await trace('--id', TRACE_ID);
    expect(fake.calls).not.toContain('FilterLogEvents');
    const r = await trace('--logs');
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--logs draws the log lines of the traces given with --id')]);
    expect((await trace('--logs', '--map')).code).toBe(2);
  });
});

describe('trace render with --logs', () => {
  it('colours error lines on a terminal', async () => {
    const { render } = await import('../src/commands/trace.js');
    const { parseEvent } = await import('../src/logs/lines.js');
    const line = parseEvent('api', { message: '{"httpMethod":"POST","resourcePath":"/events","status":"502"}', timestamp: 0 });
    const text = render({ kind: 'traces', env: 'dev', traces: [faultTrace], logs: { [TRACE_ID]: [line] } }, { color: true });
    expect(text).toContain('\u001b[31mERROR\u001b[39m 1970-01-01T00:00:00.000Z api       POST /events 502');
  });
});

describe('logsOfTrace', () => {
  it('a trace with no segments has no lines to look for; an in-progress segment ends the span at its start', async () => {
    const { logsOfTrace } = await import('../src/logs/of-trace.js');
    const { testDeps } = await import('./helpers/deps.js');
    const { namesFor } = await import('../src/stack/naming.js');
    const deps = testDeps();
    expect(await logsOfTrace({ Id: TRACE_ID, Segments: [] }, namesFor('dev'), deps, NOW)).toEqual([]);
    const doc = { id: 'a', name: 'srv-handler-dev', start_time: T0 / 1000 + 0.12, in_progress: true };
    const lines = await logsOfTrace({ Id: TRACE_ID, Segments: [{ Id: 'a', Document: JSON.stringify(doc) }] }, namesFor('dev'), deps, NOW);
    expect(lines.map((l) => l.source)).toEqual(['handler', 'handler', 'handler', 'handler', 'handler']);
  });
});
