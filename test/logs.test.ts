import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const min = 60_000;
const HANDLER = '/aws/lambda/srv-handler-dev';
const PROCESSOR = '/aws/lambda/srv-processor-dev';
const API = '/aws/apigateway/srv-api-dev/access';
const T1 = '1-6745a1b0-000000000000000000000001';
const T2 = '1-6745a1b0-000000000000000000000002';
const rid = (n: number) => `aaaaaaaa-0000-4000-8000-00000000000${n}`;

let fake: FakeAws;
const logs = (...args: string[]) => runTap(['logs', '--env', 'dev', ...args], { clock: () => new Date(NOW) });
/** What tap asked FilterLogEvents for, call by call. */
let inputs: { logGroupName?: string; filterPattern?: string; startTime?: number; endTime?: number }[] = [];
const patternsSent = (group: string) => inputs.filter((c) => c.logGroupName === group).map((c) => c.filterPattern);

/** An env's day as the functions and the stage write it: two requests, one that failed. */
function writeEnv(): void {
  const l = fake.cloudWatchLogs;
  l.access(API, { requestId: 'api-req-1', at: NOW - 10 * min - 5, status: 202 });
  l.invocation(HANDLER, { requestId: rid(1), at: NOW - 10 * min, traceId: T1, lines: [{ json: { level: 'info', msg: 'published', correlationId: 'order-12345678', eventId: 'e1', canary: false } }] });
  l.invocation(PROCESSOR, {
    requestId: rid(2),
    at: NOW - 9 * min,
    traceId: T1,
    lines: [{ json: { level: 'info', msg: 'processing', correlationId: 'order-12345678', eventId: 'e1', replay: null } }, { json: { _aws: { Timestamp: NOW }, EventsProcessed: 1, correlationId: 'order-12345678' } }],
  });
  l.access(API, { requestId: 'api-req-2', at: NOW - 5 * min - 5, status: 503 });
  l.invocation(HANDLER, { requestId: rid(3), at: NOW - 5 * min, traceId: T2, lines: [{ json: { level: 'error', msg: 'PutEvents failed', correlationId: 'order-87654321', code: 'ThrottlingException', reason: 'Rate exceeded' }, error: true }] });
  l.invocation(PROCESSOR, { requestId: rid(4), at: NOW - 4 * min, failed: 'timeout' });
}

beforeEach(() => {
  fake = new FakeAws().install();
  inputs = [];
  const original = fake.cloudWatchLogs.filterLogEvents.bind(fake.cloudWatchLogs);
  fake.cloudWatchLogs.filterLogEvents = (i) => (inputs.push(i), original(i));
  writeEnv();
});
afterEach(() => fake.restore());

describe('tap logs: input checked before any AWS call', () => {
  it.each([
    [['--function', 'web'], /invalid --function 'web': one of handler, processor, api/],
    [['--correlation-id', 'short'], /invalid --correlation-id 'short'/],
    [['--trace-id', 'abc'], /invalid --trace-id 'abc'/],
    [['--limit', '0'], /invalid --limit '0'/],
    [['--since', '31d'], /more than 30 days ago: the env's log groups keep 30 days/],
    [['--from', '1h ago', '--to', '2h ago'], /must be before --to/],
    [['--since', '1h', '--from', '2h ago'], /--since and --from cannot be given together/],
    [['--follow', '--trace-id', T1], /--follow and --trace-id cannot be given together/],
    [['--follow', '--from', '1h ago'], /--follow and --from cannot be given together/],
    [['--function', 'api', '--correlation-id', 'order-12345678'], /no line can match: the API's access log carries no correlation id/],
    [['--function', 'api', '--trace-id', T1], /no line can match: the API's access log carries no trace id/],
  ])('%j: exit 2', async (args, message) => {
    const r = await logs(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.calls).toEqual([]);
  });
});

describe('tap logs: the window and the retention tap.config.json sets', () => {
  it('a window older than the configured logRetentionDays is refused with the earliest start; within it, searched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-logs-config-'));
    const file = join(dir, 'tap.config.json');
    writeFileSync(file, JSON.stringify({ envs: { dev: { logRetentionDays: 7 } } }));
    const old = await logs('--since', '8d', '--config', file);
    expect([old.code, fake.calls]).toEqual([2, []]);
    expect(old.stderr).toMatch(/more than 7 days ago: the env's log groups keep 7 days\n.*hint: the earliest start is 2026-/);
    const recent = await logs('--since', '6d', '--config', file);
    expect(recent.code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('tap logs: search', () => {
  it('interleaves both functions and the access log by time; JSON lines as level, time, function, message, correlation id', async () => {
    const r = await logs();
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe(`INFO  2026-11-25T11:49:59.995Z api       POST /events 202`);
    expect(out[1]).toBe(`      2026-11-25T11:50:00.000Z handler   START RequestId: ${rid(1)} Version: $LATEST`);
    expect(out[2]).toBe(`INFO  2026-11-25T11:50:00.001Z handler   published  correlationId=order-12345678`);
    expect(r.stdout).toContain(`      2026-11-25T11:50:00.003Z handler   REPORT RequestId: ${rid(1)}\tDuration: 12.34 ms`);
    expect(r.stdout).toMatch(/\n {6}2026-11-25T11:50:00.003Z handler {3}REPORT .*\n {41}XRAY TraceId: 1-6745a1b0-000000000000000000000001/);
    expect(r.stdout).toContain('ERROR 2026-11-25T11:55:00.001Z handler   PutEvents failed  correlationId=order-87654321');
    expect(r.stdout).toContain('ERROR 2026-11-25T11:54:59.995Z api       POST /events 503');
    const times = out.filter((l) => /^\S*\s+2026/.test(l)).map((l) => /(2026-\S+)/.exec(l)?.[1] ?? '');
    expect(times).toEqual([...times].sort());
    expect(new Set(inputs.map((i) => i.logGroupName))).toEqual(new Set([HANDLER, PROCESSOR, API]));
    expect(inputs.every((i) => i.filterPattern === undefined && i.startTime === NOW - 15 * min && i.endTime === NOW)).toBe(true);
  });

  it('--json: one event per line (code logs.line, the parsed line as data), then one result line', async () => {
    const r = await logs('--json');
    const { events, result } = ndjson(r.stdout);
    expect(r.stdout.trim().split('\n').every((l) => JSON.parse(l) !== undefined)).toBe(true);
    expect(events.every((e) => e.code === 'logs.line')).toBe(true);
    expect(events).toHaveLength(19);
    expect(events[2]).toMatchObject({ type: 'event', level: 'info', code: 'logs.line', data: { source: 'handler', level: 'info', text: 'published', correlationId: 'order-12345678', requestId: rid(1) } });
    expect(result).toMatchObject({ kind: 'logs', env: 'dev', count: 19, truncated: false, sources: ['handler', 'processor', 'api'], skipped: [] });
    expect(r.stderr).toBe('');
  });

  it.each([[['--function', 'handler,api']], [['--function', 'api', '--function', 'handler']]])('%j: only those groups are read', async (args) => {
    const r = await logs(...args, '--json');
    const { events } = ndjson(r.stdout);
    expect(new Set(events.map((e) => (e.data as { source: string }).source))).toEqual(new Set(['handler', 'api']));
    expect(new Set(inputs.map((i) => i.logGroupName))).toEqual(new Set([HANDLER, API]));
  });

  it('--correlation-id: the JSON lines with it from both functions (a quoted phrase to CloudWatch); the access log has none', async () => {
    const r = await logs('--correlation-id', 'order-12345678', '--json');
    const { events, result } = ndjson(r.stdout);
    expect(events.map((e) => (e.data as { text?: string; source: string }).source)).toEqual(['handler', 'processor', 'processor']);
    expect(events.every((e) => (e.data as { correlationId: string }).correlationId === 'order-12345678')).toBe(true);
    expect(result.skipped).toEqual([{ source: 'api', reason: "the API's access log carries no correlation id" }]);
    expect(patternsSent(HANDLER)).toEqual(['"order-12345678"']);
    expect(patternsSent(API)).toEqual([]);
  });

  it('--correlation-id with no hits names the sources searched, not the access log it left out', async () => {
    const r = await logs('--correlation-id', 'order-00000000');
    expect(r.stdout).toBe(`no log lines from ${new Date(NOW - 15 * min).toISOString()} to ${new Date(NOW).toISOString()} in handler, processor\n`);
    expect(r.stderr).toContain("api: the API's access log carries no correlation id");
    expect(r.stderr).toContain('Searching handler, processor logs from');
  });

  it('--json: each line event carries the line\'s own level (an ERROR line is an error event, a 4xx a warning)', async () => {
    fake.cloudWatchLogs.access(API, { requestId: 'api-req-3', at: NOW - 3 * min, status: 404 });
    const { events } = ndjson((await logs('--json')).stdout);
    const lines = events.filter((e) => e.code === 'logs.line').map((e) => [e.level, (e.data as { level?: string; failed?: boolean }).level ?? null] as const);
    expect(lines.filter(([level]) => level === 'error').length).toBeGreaterThanOrEqual(3); // the handler's error, the 503, the timeout
    for (const [level, own] of lines) if (own === 'error') expect(level).toBe('error');
    expect(lines).toContainEqual(['warn', 'warn']); // the 404
    expect(lines.every(([level, own]) => level !== 'info' || own === null || own === 'info')).toBe(true);
  });

  it('--trace-id: every line of the invocations whose REPORT line names the trace, in both functions', async () => {
    const r = await logs('--trace-id', T1, '--json');
    const { events, result } = ndjson(r.stdout);
    const lines = events.map((e) => e.data as { source: string; requestId: string });
    expect(lines.map((l) => l.requestId)).toEqual([rid(1), rid(1), rid(1), rid(1), rid(2), rid(2), rid(2), rid(2), rid(2)]);
    expect(patternsSent(HANDLER)).toEqual([`"${T1}"`, `"${rid(1)}"`]);
    expect(patternsSent(PROCESSOR)).toEqual([`"${T1}"`, `"${rid(2)}"`]);
    expect((result.skipped as { source: string }[]).map((s) => s.source)).toEqual(['api']);
  });

  it('--trace-id of a trace with two invocations of one function (a retry): both, in one pattern', async () => {
    fake.cloudWatchLogs.invocation(PROCESSOR, { requestId: rid(6), at: NOW - 8 * min, traceId: T1, lines: [{ json: { level: 'info', msg: 'processing', correlationId: 'order-12345678' } }] });
    const r = await logs('--trace-id', T1, '--function', 'processor', '--json');
    expect(ndjson(r.stdout).result.count).toBe(9);
    expect(patternsSent(PROCESSOR)).toEqual([`"${T1}"`, `?"${rid(2)}" ?"${rid(6)}"`]);
  });

  it('--trace-id --function handler: no access log to skip', async () => {
    const r = await logs('--trace-id', T1, '--function', 'handler', '--json');
    expect(ndjson(r.stdout).result).toMatchObject({ count: 4, skipped: [] });
  });

  it('access denied on FilterLogEvents: exit 3, naming the call', async () => {
    fake.before = (call) => {
      if (call === 'FilterLogEvents') throw Object.assign(new Error('User is not authorized to perform: logs:FilterLogEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    };
    const r = await logs();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/FilterLogEvents/);
  });

  it('--trace-id with --errors: the failed lines of that trace only', async () => {
    const r = await logs('--trace-id', T2, '--errors', '--json');
    expect(ndjson(r.stdout).events.map((e) => (e.data as { text: string }).text)).toEqual(['PutEvents failed']);
  });

  it('--errors: JSON level error, a timed-out invocation (its line and REPORT Status), API 5xx', async () => {
    const r = await logs('--errors');
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(4);
    expect(out[0]).toContain('api       POST /events 503');
    expect(out[1]).toContain('PutEvents failed  correlationId=order-87654321');
    expect(out[2]).toContain(`${rid(4)} Task timed out after 3.00 seconds`);
    expect(out[3]).toMatch(/REPORT RequestId: .*Status: timeout/);
    expect(patternsSent(HANDLER)).toEqual(['?ERROR ?"Task timed out" ?"Status: timeout" ?"Status: error"']);
    expect(patternsSent(API)).toEqual(['{ $.status = "5*" }']);
  });

  it('an uncaught error (Invoke Error) counts as an error, with its type and message', async () => {
    fake.cloudWatchLogs.invocation(HANDLER, { requestId: rid(5), at: NOW - 2 * min, failed: 'error' });
    const r = await logs('--errors', '--function', 'handler');
    expect(r.stdout).toContain('ERROR 2026-11-25T11:58:00.001Z handler   Error: boom');
  });

  it('--limit: the newest lines of the window, oldest first', async () => {
    const r = await logs('--limit', '2');
    expect(r.stdout.trim().split('\n').map((l) => /(2026-\S+)/.exec(l)?.[1])).toEqual(['2026-11-25T11:56:00.002Z', '2026-11-25T11:56:00.003Z']);
  });

  it('reads every page (two-page test: 3 events a page, and an empty page with a token first, as AWS may answer)', async () => {
    fake.cloudWatchLogs.pageLimit = 3;
    fake.cloudWatchLogs.emptyPages = 1;
    const r = await logs('--function', 'processor', '--json');
    expect(ndjson(r.stdout).events).toHaveLength(9);
    expect(inputs.filter((i) => i.logGroupName === PROCESSOR).length).toBe(4); // empty, 3, 3, 3
  });

  it('a long window: the newest chunk first (15 min), each older chunk twice as long, until --limit lines are found', async () => {
    fake.cloudWatchLogs.access(API, { requestId: 'old', at: NOW - 40 * min, status: 200 });
    const r = await logs('--since', '2h', '--function', 'api', '--json');
    expect(ndjson(r.stdout).events.map((e) => (e.data as { requestId: string }).requestId)).toEqual(['old', 'api-req-1', 'api-req-2']);
    expect(inputs.map((i) => [i.startTime, i.endTime])).toEqual([
      [NOW - 15 * min, NOW],
      [NOW - 45 * min - 1, NOW - 15 * min - 1],
      [NOW - 105 * min - 2, NOW - 45 * min - 2],
      [NOW - 120 * min, NOW - 105 * min - 3],
    ]);
    const few = await logs('--since', '2h', '--function', 'api', '--limit', '2', '--json');
    expect(ndjson(few.stdout).result.count).toBe(2);
  });

  it('a window with nothing says so (exit 0)', async () => {
    const r = await logs('--from', '3h ago', '--to', '2h ago');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no log lines from 2026-11-25T09:00:00.000Z to 2026-11-25T10:00:00.000Z in handler, processor, api\n');
  });

  it('a log group that does not exist (a function that never ran) is a warning; the others are shown', async () => {
    fake.cloudWatchLogs.groups.delete(PROCESSOR);
    const r = await logs('--json');
    const { events, result } = ndjson(r.stdout);
    expect(events.find((e) => e.code === 'logs.missing-group')).toMatchObject({ level: 'warn', data: { group: PROCESSOR } });
    expect(result.skipped).toEqual([{ source: 'processor', reason: `log group ${PROCESSOR} does not exist`, missing: true }]);
    expect(result.count).toBe(10);
    expect(r.code).toBe(0);
  });

  it('none of the log groups exists (no env deployed here): says so, exit 1', async () => {
    fake.cloudWatchLogs.groups.clear();
    const r = await logs();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("none of env dev's log groups exist: is it deployed in this account and region?\n");
  });

  it('a search that reads more than MAX_SCAN events stops, shows the newest found and says so', async () => {
    const { MAX_SCAN } = await import('../src/logs/search.js');
    for (let i = 0; i < MAX_SCAN; i++) fake.cloudWatchLogs.put(API, '{"status":"200"}', NOW - 60_000 + (i % 50_000));
    const r = await logs('--function', 'api', '--json', '--limit', '5');
    const { events, result } = ndjson(r.stdout);
    expect(result).toMatchObject({ truncated: true, count: 5 });
    expect(events.find((e) => e.code === 'logs.truncated')?.text).toMatch(/stopped after reading 50000 log events/);
  });
});
