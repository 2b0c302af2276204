import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsError } from './fake-aws/errors.js';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const HANDLER = '/aws/lambda/srv-handler-dev';
const PROCESSOR = '/aws/lambda/srv-processor-dev';
const API = '/aws/apigateway/srv-api-dev/access';
const ARN = (group: string) => `arn:aws:logs:us-east-1:123456789012:log-group:${group}`;
const rid = (n: number) => `bbbbbbbb-0000-4000-8000-00000000000${n}`;

let fake: FakeAws;
let t: number;
let ctl: AbortController;
let liveTailInputs: { logGroupIdentifiers?: string[]; logEventFilterPattern?: string }[];
const follow = (args: string[], sleep?: (ms: number) => Promise<void>) =>
  runTap(['logs', '--env', 'dev', '--follow', ...args], { clock: () => new Date((t += 1000)), signal: ctl.signal, sleep });

/** A request that failed in the handler, and one that went through, as they are written "now". */
function writeTraffic(at: number): void {
  const l = fake.cloudWatchLogs;
  l.invocation(HANDLER, { requestId: rid(1), at, lines: [{ json: { level: 'info', msg: 'published', correlationId: 'order-12345678', eventId: 'e1' } }] });
  l.access(API, { requestId: 'api-1', at: at + 10, status: 202 });
  l.invocation(HANDLER, { requestId: rid(2), at: at + 20, lines: [{ json: { level: 'error', msg: 'PutEvents failed', correlationId: 'order-87654321' }, error: true }] });
  l.access(API, { requestId: 'api-2', at: at + 30, status: 503 });
}

beforeEach(() => {
  fake = new FakeAws().install();
  t = NOW;
  ctl = new AbortController();
  for (const g of [HANDLER, PROCESSOR, API]) fake.cloudWatchLogs.createGroup(g);
  liveTailInputs = [];
  const start = fake.cloudWatchLogs.startLiveTail.bind(fake.cloudWatchLogs);
  fake.cloudWatchLogs.startLiveTail = (i) => (liveTailInputs.push(i), start(i));
});
afterEach(() => fake.restore());

describe('tap logs --follow: Live Tail', () => {
  it('shows the lines written after the session starts, interleaved, until Ctrl-C (exit 130)', async () => {
    fake.cloudWatchLogs.onLiveTailStart = () => writeTraffic(t);
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const r = await follow([]);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Following new log lines with Live Tail (Ctrl-C to stop)');
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(11); // 4 + 4 function lines, 2 access lines, the result
    expect(out[1]).toContain('handler   published  correlationId=order-12345678');
    expect(out[4]).toContain('api       POST /events 202');
    expect(out.at(-1)).toBe('10 line(s) seen (Live Tail)');
    // Groups by ARN; their patterns differ (terms for the functions, JSON for the access log), so none is sent.
    expect(liveTailInputs).toEqual([{ logGroupIdentifiers: [ARN(HANDLER), ARN(PROCESSOR), ARN(API)] }]);
  });

  it('--errors over every source: tap filters each line itself; one source: its pattern goes to Live Tail', async () => {
    fake.cloudWatchLogs.onLiveTailStart = () => writeTraffic(t);
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const r = await follow(['--errors', '--json']);
    const { events, result } = ndjson(r.stdout);
    expect(events.filter((e) => e.code === 'logs.line').map((e) => (e.data as { text: string }).text)).toEqual(['PutEvents failed', 'POST /events 503']);
    expect(result).toMatchObject({ kind: 'followed', via: 'live-tail', count: 2, sampled: false, interrupted: true });
    ctl = new AbortController();
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    await follow(['--errors', '--function', 'api']);
    expect(liveTailInputs[1]).toEqual({ logGroupIdentifiers: [ARN(API)], logEventFilterPattern: '{ $.status = "5*" }' });
    // The access log carries no correlation id: it is not tailed for one.
    ctl = new AbortController();
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    await follow(['--correlation-id', 'order-12345678']);
    expect(liveTailInputs[2]).toEqual({ logGroupIdentifiers: [ARN(HANDLER), ARN(PROCESSOR)], logEventFilterPattern: '"order-12345678"' });
  });

  it('a session Live Tail ends (after 3 hours) is started again; sampling is said once', async () => {
    fake.cloudWatchLogs.liveTailEnd = 'timeout';
    fake.cloudWatchLogs.liveTailSampled = true;
    fake.cloudWatchLogs.onLiveTailStart = () => {
      writeTraffic(t);
      if (fake.cloudWatchLogs.liveTailSessions === 2) fake.cloudWatchLogs.liveTailEnd = 'wait';
    };
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const r = await follow(['--function', 'api']);
    expect(r.code).toBe(130);
    expect(fake.cloudWatchLogs.liveTailSessions).toBe(2);
    expect(r.stderr).toContain('Live Tail ended its session (3 hours); starting a new one');
    expect(r.stderr.match(/Live Tail is sampling/g)).toHaveLength(1);
    expect(r.stdout).toContain('4 line(s) seen (Live Tail)');
  });

  it('Ctrl-C while the session starts: exit 130, nothing polled', async () => {
    fake.before = (call) => {
      if (call === 'StartLiveTail') ctl.abort('SIGINT');
    };
    expect((await follow([])).code).toBe(130);
    ctl = new AbortController();
    fake.before = (call) => {
      if (call !== 'StartLiveTail') return;
      ctl.abort('SIGINT');
      throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    };
    const r = await follow([]);
    expect(r.code).toBe(130);
    // The recent lines are read before the session; nothing is polled after it.
    expect(fake.calls.slice(fake.calls.lastIndexOf('StartLiveTail'))).not.toContain('FilterLogEvents');
  });

  it('shows the recent lines first (the newest --limit of --since), as `aws logs tail --follow` does, then the new ones', async () => {
    writeTraffic(NOW - 5 * 60_000); // five minutes before: within the default 15 min
    fake.cloudWatchLogs.onLiveTailStart = () => fake.cloudWatchLogs.access(API, { requestId: 'api-new', at: t, status: 201 });
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const r = await follow(['--function', 'api']);
    expect(r.stdout.trim().split('\n').map((l) => l.replace(/^.*api {7}/, ''))).toEqual(['POST /events 202', 'POST /events 503', 'POST /events 201', '3 line(s) seen (2 recent, then Live Tail)']);
    ctl = new AbortController();
    fake.cloudWatchLogs.onLiveTailStart = undefined;
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const recent = await follow(['--function', 'api', '--limit', '1', '--json']);
    // The newest line of the window: the one the first follow saw arrive.
    expect(ndjson(recent.stdout).events.filter((e) => e.code === 'logs.line').map((e) => (e.data as { text: string }).text)).toEqual(['POST /events 201']);
    expect(ndjson(recent.stdout).result).toMatchObject({ kind: 'followed', count: 1, recent: 1 });
    ctl = new AbortController();
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    // --since bounds the recent lines: the two of five minutes ago are out of a 1-minute window.
    const since = await follow(['--function', 'api', '--since', '1m']);
    expect(since.stdout).toMatch(/^INFO {2}\S+ api {7}POST \/events 201\n1 line\(s\) seen \(1 recent, then Live Tail\)\n$/);
  });

  it('on a terminal, the summary after Ctrl-C starts on a line of its own (not after the ^C the terminal echoed)', async () => {
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    const tty = await runTap(['logs', '--env', 'dev', '--follow', '--no-color'], { clock: () => new Date((t += 1000)), signal: ctl.signal, tty: true });
    expect(tty.code).toBe(130);
    expect(tty.stderr).toMatch(/Following new log lines with Live Tail \(Ctrl-C to stop\)\n\n$/);
    ctl = new AbortController();
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGINT');
    expect((await follow([])).stderr).toMatch(/\(Ctrl-C to stop\)\n$/); // no terminal, no ^C echoed: no new line
  });

  it('SIGTERM ends it with 143', async () => {
    fake.cloudWatchLogs.onLiveTailIdle = () => ctl.abort('SIGTERM');
    expect((await follow([])).code).toBe(143);
  });
});

describe('tap logs --follow: polling when Live Tail is refused or breaks', () => {
  /** Writes traffic at the first sleep, then lets `looks` more looks happen before Ctrl-C. */
  const sleeper = (looks: number, slept: number[]) => async (ms: number) => {
    slept.push(ms);
    if (slept.length === 1) writeTraffic(t - 500);
    if (slept.length === looks + 1) ctl.abort('SIGINT');
  };

  it('refused (AccessDeniedException): says so, polls FilterLogEvents every 2 s, shows each line once', async () => {
    fake.cloudWatchLogs.liveTailRefusal = awsError('AccessDeniedException', 'User is not authorized to perform: logs:StartLiveTail', 400);
    const slept: number[] = [];
    const looks = sleeper(3, slept);
    // The third look is 2 minutes later: lines older than the lookback are forgotten, not shown again.
    const r = await follow(['--json'], async (ms) => (slept.length === 2 && (t += 120_000), looks(ms)));
    expect(r.code).toBe(130);
    const { events, result } = ndjson(r.stdout);
    expect(events.find((e) => e.code === 'logs.live-tail-unavailable')?.text).toMatch(/^Live Tail is not available \(AccessDeniedException: User is not authorized.*\); polling FilterLogEvents every 2 s instead$/);
    // The lookback reads the same lines again on the later looks; each is shown once.
    expect(events.filter((e) => e.code === 'logs.line')).toHaveLength(10);
    expect(result).toMatchObject({ kind: 'followed', via: 'polling', count: 10 });
    expect(slept).toEqual([2000, 2000, 2000, 2000]);
  });

  it('a stream that ends without a word falls back to polling', async () => {
    fake.cloudWatchLogs.liveTailEnd = 'close';
    const r = await follow([], sleeper(1, []));
    expect(r.stderr).toMatch(/Live Tail is not available \(SessionEnded: the session ended\)/);
  });

  it('a session that breaks after showing lines: polling goes on after the last line, none is shown twice', async () => {
    fake.cloudWatchLogs.liveTailEnd = 'broken';
    fake.cloudWatchLogs.onLiveTailStart = () => writeTraffic(t);
    const r = await follow(['--json'], async () => ctl.abort('SIGINT'));
    const { events, result } = ndjson(r.stdout);
    expect(events.filter((e) => e.code === 'logs.line')).toHaveLength(10);
    expect(result).toMatchObject({ via: 'polling', count: 10 });
    expect(fake.calls).toContain('FilterLogEvents');
  });

  it('a broken stream (SessionStreamingException) falls back to polling', async () => {
    fake.cloudWatchLogs.liveTailEnd = 'broken';
    const r = await follow([], sleeper(1, []));
    expect(r.stderr).toMatch(/Live Tail is not available \(SessionStreamingException: Internal streaming failure\)/);
    expect(r.stdout).toContain('10 line(s) seen (polling)');
  });

  it('throttled: backs off (doubling), then goes on; a missing group is dropped with a warning', async () => {
    fake.cloudWatchLogs.liveTailRefusal = awsError('UnknownOperationException', 'StartLiveTail is not implemented', 400);
    fake.cloudWatchLogs.groups.delete(PROCESSOR);
    let throttled = 0;
    let tailed = false;
    fake.before = (call) => {
      if (call === 'StartLiveTail') tailed = true;
      if (tailed && call === 'FilterLogEvents' && throttled++ === 0) throw Object.assign(awsError('ThrottlingException', 'Rate exceeded', 400), { $metadata: { httpStatusCode: 400, attempts: 5 } });
    };
    const slept: number[] = [];
    const r = await follow(['--function', 'handler,processor'], sleeper(2, slept));
    expect(r.code).toBe(130);
    expect(slept).toEqual([4000, 2000, 2000]);
    expect(r.stderr).toContain('CloudWatch Logs is throttling (ThrottlingException); next look in 4 s');
    // Met by the search for the recent lines, and then not followed.
    expect(r.stderr).toContain(`log group ${PROCESSOR} does not exist (is the env deployed`);
    expect(r.stdout).toContain('8 line(s) seen (polling)');
  });

  it('a look that fails half way shows nothing, and the next look shows its lines, each once', async () => {
    fake.cloudWatchLogs.liveTailRefusal = awsError('AccessDeniedException', 'no', 400);
    let written = false;
    let calls = 0;
    fake.before = (call) => {
      // The look after the traffic: its first group is read, its second fails (one attempt: the fake runs no SDK retries).
      if (written && call === 'FilterLogEvents' && ++calls === 2) throw Object.assign(awsError('InternalFailure', 'boom', 500), { $metadata: { httpStatusCode: 500, attempts: 1 } });
    };
    const slept: number[] = [];
    const r = await follow(['--json'], async (ms) => {
      slept.push(ms);
      if (slept.length === 1) {
        writeTraffic(t - 500);
        written = true;
      }
      if (slept.length === 3) ctl.abort('SIGINT');
    });
    expect(r.code).toBe(130);
    expect(slept).toEqual([2000, 4000, 2000]);
    const shown = ndjson(r.stdout).events.filter((e) => e.code === 'logs.line').map((e) => String(e.text));
    expect(shown.filter((l) => l.includes('published'))).toHaveLength(1);
    expect(shown.filter((l) => l.includes('PutEvents failed'))).toHaveLength(1);
    expect(new Set(shown).size).toBe(shown.length);
  });

  it('when none of the log groups exists, it ends (exit 1) instead of following nothing', async () => {
    fake.cloudWatchLogs.liveTailRefusal = awsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
    for (const g of [HANDLER, PROCESSOR, API]) fake.cloudWatchLogs.groups.delete(g);
    const slept: number[] = [];
    const r = await follow(['--json'], async (ms) => void slept.push(ms));
    expect(r.code).toBe(1);
    expect(slept).toEqual([]);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'error', exitCode: 1, message: 'none of the log groups to follow exists (env dev): nothing to follow' });
  });

  it('an error that is not throttling ends the follow with its exit code', async () => {
    fake.cloudWatchLogs.liveTailRefusal = awsError('AccessDeniedException', 'no', 400);
    fake.before = (call) => {
      if (call === 'FilterLogEvents') throw awsError('AccessDeniedException', 'User is not authorized to perform: logs:FilterLogEvents', 400);
    };
    const r = await follow([]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/FilterLogEvents/);
  });
});
