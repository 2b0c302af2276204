import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


const NOW = new Date('2026-11-25T13:00:00Z');
const clock = () => NOW;
const BUCKET = 'srv-data-rep-123456789012-us-east-1';
let fake: FakeAws;

/** Sends `n` app events through the fake API and lets them be processed (each gets a receipt). */
async function sendEvents(n: number): Promise<void> {
  const { stdout } = await runTap(['deploy', '--env', 'rep', '--json']);
  const api = (ndjson(stdout).result as { outputs: Record<string, string> }).outputs.ApiUrl;
  for (let i = 0; i < n; i++) {
    const res = await fake.post(`${api}events`, JSON.stringify({ type: 'order.created', correlationId: `order-${1000 + i}` }));
    expect(res.status).toBe(202);
  }
  for (let i = 0; i < 5; i++) await fake.serverless.pump();
  expect(fake.s3.listObjects(BUCKET, 'receipts/')).toHaveLength(n);
}

const replay = (...args: string[]) => runTap(['replay-archive', '--env', 'rep', ...args], { clock });

beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('tap replay-archive: input checked before any AWS call', () => {
  it.each([
    [['--from', '1h ago', '--to', '2h ago'], /--from \(2026-11-25T12:00:00.000Z\) must be before --to \(2026-11-25T11:00:00.000Z\)/],
    [['--from', '1h ago', '--to', '2026-11-25T14:00:00Z'], /--to \(2026-11-25T14:00:00.000Z\) is in the future/],
    [['--from', '8d ago'], /more than 7 days ago: the archive keeps 7 days\n.*hint: the earliest start is 2026-11-18T13:00:00.000Z/],
    [['--from', 'yesterday'], /invalid --from 'yesterday': expected ISO 8601/],
    [['--from', '2026-02-30T10:00:00Z'], /invalid --from '2026-02-30T10:00:00Z': not a real date/],
    [['--from', '1h ago', '--name', 'x'.repeat(65)], /invalid replay name 'x{65}': 1-64 letters/],
    [['--from', '1h ago', '--expect', 'some'], /invalid --expect 'some'/],
    [[], /replay-archive needs --from \(or a subcommand/],
  ])('%j', async (args, message) => {
    const r = await replay(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake.calls).toEqual([]);
  });

  it('refuses a window that starts before the archive was created (exit 2)', async () => {
    await sendEvents(1);
    const r = await replay('--from', '2026-11-19T12:00:00Z');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is before archive srv-archive-rep was created \(2026-11-20T00:00:00.000Z\)/);
    expect(fake.calls).not.toContain('StartReplay');
  });
});

describe('tap replay-archive: a replay end to end on the fake', () => {
  beforeEach(() => sendEvents(5));

  it('replays the window to the processor, shows progress, and counts the re-processed receipts', async () => {
    const r = await replay('--from', '2026-11-25T11:00:00Z', '--name', 'rep-replay-1', '--expect', '5', '--json');
    expect(r.code).toBe(0);
    const { events, result } = ndjson(r.stdout);
    const progress = events.map((e) => (e.data as { state: string; progress: number }));
    // The replay moves with the fake's clock while tap waits: each state in turn.
    expect(progress.map((p) => p.state).filter((state, i, all) => state !== all[i - 1])).toEqual(['STARTING', 'RUNNING', 'COMPLETED']);
    expect(progress.at(-1)).toMatchObject({ state: 'COMPLETED', progress: 1 });
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect(result).toMatchObject({ kind: 'completed', reprocessed: 5, expected: 5, replay: { name: 'rep-replay-1', state: 'COMPLETED' } });
    // Originals stay; each replayed event has its own receipt that names the replay.
    expect(fake.s3.listObjects(BUCKET, 'receipts/replays/rep-replay-1/')).toHaveLength(5);
    const [first] = fake.s3.listObjects(BUCKET, 'receipts/replays/rep-replay-1/order-1000/');
    const receipt = JSON.parse(fake.s3.getObject(BUCKET, String(first?.Key)));
    expect(receipt).toMatchObject({ 'replay-name': 'rep-replay-1', correlationId: 'order-1000', source: 'tap.app' });
  });

  it('--expect with a different count exits 1; the human output says what was expected', async () => {
    const r = await replay('--from', '2026-11-25T11:00:00Z', '--expect', '7');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Replay rep-replay-20261125130000 COMPLETED in [\d.]+ s \(2026-11-25T11:00:00.000Z \.\. 2026-11-25T13:00:00.000Z\): 5 event\(s\) re-processed, expected 7\n$/);
  });

  it('a FAILED replay exits 1 with its reason', async () => {
    fake.serverless.replayFailure = 'Target srv-deliver-rep is not reachable';
    const r = await replay('--from', '2026-11-25T11:00:00Z', '--json');
    expect(r.code).toBe(1);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'failed', replay: { state: 'FAILED', reason: 'Target srv-deliver-rep is not reachable' } });
  });

  it('Ctrl-C cancels the replay, waits for CANCELLED, and exits 130', async () => {
    const interrupt = new AbortController();
    const r = await runTap(['replay', '--env', 'rep', '--from', '2h ago', '--name', 'rep-cancel'], { clock, signal: interrupt.signal, sleep: async () => interrupt.abort() });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Ctrl-C: cancelling replay rep-cancel/);
    expect(r.stderr).toMatch(/Replay rep-cancel is CANCELLED; events replayed before the cancel were delivered/);
    expect(fake.calls).toContain('CancelReplay');
    expect(fake.serverless.replays.get('rep-cancel')?.state).toBe('CANCELLED');
  });

  it('--detach: Ctrl-C leaves the replay running and says how to follow it', async () => {
    const interrupt = new AbortController();
    const r = await runTap(['replay', '--env', 'rep', '--from', '2h ago', '--name', 'rep-detach', '--detach'], { clock, signal: interrupt.signal, sleep: async () => interrupt.abort() });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Detached: replay rep-detach goes on\.\n.*hint: follow it with `tap replay-archive status rep-detach`/);
    expect(fake.calls).not.toContain('CancelReplay');
    expect(fake.serverless.replays.get('rep-detach')?.state).toBe('STARTING');
    // It goes on while time passes, with no one reading it.
    fake.resetCalls();
    await fake.advance(60_000);
    expect(fake.calls).toEqual([]);
    expect(fake.serverless.replays.get('rep-detach')?.state).toBe('COMPLETED');
  });

  it('--no-wait returns once started', async () => {
    const r = await replay('--from', '2h ago', '--no-wait', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'started', replay: { name: 'rep-replay-20261125130000' } });
  });

  it('the concurrency limit and a name in use are specific errors', async () => {
    fake.serverless.replayLimit = 0;
    const limit = await replay('--from', '2h ago');
    expect(limit.code).toBe(1);
    expect(limit.stderr).toMatch(/at most 10 replays run at once per account and region\)\n.*hint: wait for one to finish, or cancel one/);
    fake.serverless.replayLimit = 10;
    expect((await replay('--from', '2h ago', '--name', 'dup', '--no-wait')).code).toBe(0);
    const dup = await replay('--from', '3h ago', '--name', 'dup');
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/a replay named 'dup' already exists/);
  });

  it('StartReplay whose answer was lost: the retry meets "already exists" for its own replay, and follows it', async () => {
    // The request is applied, then the SDK's retry of it is what the caller hears back.
    fake.before = (call) => {
      if (call !== 'StartReplay') return;
      fake.before = undefined;
      fake.serverless.startReplay({ ReplayName: 'lost', EventSourceArn: fake.serverless.archive('srv-archive-rep').ArchiveArn, EventStartTime: new Date(Date.parse('2026-11-25T13:00:00Z') - 2 * 3_600_000), EventEndTime: new Date('2026-11-25T13:00:00Z'), Destination: { Arn: fake.serverless.eventBus('srv-events-rep').Arn } });
    };
    const r = await replay('--from', '2h ago', '--name', 'lost', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'completed', replay: { name: 'lost', state: 'COMPLETED' }, reprocessed: 5 });
    expect([...fake.serverless.replays.keys()].filter((n) => n === 'lost')).toHaveLength(1);
    // The same name with another destination (one rule) is somebody else's: a name in use.
    const other = await replay('--from', '2h ago', '--name', 'lost', '--rule', 'srv-deliver-rep');
    expect([other.code, other.stderr]).toEqual([2, expect.stringMatching(/a replay named 'lost' already exists/)]);
  });

  it('--rule narrows the replay to that rule; an unknown rule is exit 2', async () => {
    const ok = await replay('--from', '2h ago', '--rule', 'srv-deliver-rep', '--name', 'one-rule', '--json');
    expect(ndjson(ok.stdout).result).toMatchObject({ kind: 'completed', reprocessed: 5 });
    const bad = await replay('--from', '2h ago', '--rule', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no rule 'nope' on bus srv-events-rep/);
  });

  it('list, status and cancel', async () => {
    const list = async () => (JSON.parse((await runTap(['replay-archive', 'list', '--env', 'rep', '--json'])).stdout) as { replays: { name: string; state: string }[] }).replays.map((r) => [r.name, r.state]);
    await replay('--from', '2h ago', '--name', 'rep-a', '--no-wait');
    expect(await list()).toEqual([['rep-a', 'STARTING']]);
    // rep-a moves on while rep-b runs (time passes), though no one reads rep-a.
    await replay('--from', '2h ago', '--name', 'rep-b');
    expect(await list()).toEqual([
      ['rep-b', 'COMPLETED'],
      ['rep-a', 'COMPLETED'],
    ]);
    await replay('--from', '2h ago', '--name', 'rep-c', '--no-wait');
    const status = await runTap(['replay', 'status', 'rep-b']);
    expect(status.stdout).toMatch(/^rep-b {2}COMPLETED {2}\[█{10}\] 100% {2}2026-11-25T11:00:00.000Z \.\. 2026-11-25T13:00:00.000Z/);
    const cancel = await runTap(['replay-archive', 'cancel', 'rep-c']);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/Replay rep-c is CANCELLING/);
    await fake.advance(1000);
    expect(fake.serverless.replays.get('rep-c')?.state).toBe('CANCELLED');
    const again = await runTap(['replay-archive', 'cancel', 'rep-b']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/replay rep-b is COMPLETED \(ended [^)]+\): only a STARTING or RUNNING replay can be cancelled/);
    const missing = await runTap(['replay-archive', 'status', 'nope']);
    expect(missing.code).toBe(2);
  });
});
