import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


let fake: FakeAws;
let api = '';
const at = (iso: string) => () => new Date(iso);
const status = async (clock = at('2026-11-25T12:10:00Z'), fetch: typeof globalThis.fetch = fake.fetch) => {
  const r = await runTap(['status', '--env', 'sta', '--json'], { fetch, clock });
  const result = JSON.parse(r.stdout) as { healthy: boolean; lines: { id: string; health: string; summary: string; rule: string }[] };
  return { code: r.code, healthy: result.healthy, ...Object.fromEntries(result.lines.map((l) => [l.id, l])) } as Record<string, { health: string; summary: string; rule: string }> & { code: number; healthy: boolean };
};
const post = (body: string) => fake.post(`${api}events`, body);

beforeEach(async () => {
  fake = new FakeAws().install();
  const r = await runTap(['deploy', '--env', 'sta', '--json']);
  api = (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
  expect((await post('{"type":"order.created"}')).status).toBe(202);
  for (let i = 0; i < 5; i++) await fake.serverless.pump();
});
afterEach(() => fake.restore());

describe('tap status', () => {
  it('all green on a working env: exit 0', async () => {
    const s = await status();
    expect(s.code).toBe(0);
    expect(s.healthy).toBe(true);
    for (const id of ['stack', 'api', 'xray', 'dlq', 'archive', 'replays', 'alarms', 'receipts']) expect([id, s[id]?.health]).toEqual([id, 'green']);
    // status's own API probe may be among the traces: it runs beside the X-Ray read.
    expect(s.xray?.summary).toMatch(/^[12] traces in 15 min: 0 fault\(s\), 0 error\(s\)$/);
    expect(s.archive?.summary).toMatch(/^ENABLED, 1 events, [\d,]+ bytes$/);
    expect(s.receipts?.rule).toBe('green: within 1 h');
  });

  it('errors are amber with the top failing paths; a full DLQ is red and exits 1', async () => {
    await post('not json');
    await post('{"type":""}');
    fake.serverless.queueDepth.set('srv-dlq-sta', 150);
    const s = await status();
    expect(s.code).toBe(1);
    expect(s.xray).toMatchObject({ health: 'amber', summary: expect.stringMatching(/^[34] traces in 15 min: 0 fault\(s\), 2 error\(s\); top failing: POST \/sta\/events \(2\)$/), rule: 'amber: any error (4xx) in 15 min' });
    expect(s.dlq).toMatchObject({ health: 'red', summary: '150 message(s) waiting', rule: 'red: 100 or more' });
  });

  it('a few DLQ messages are amber; an old last receipt is amber, then red', async () => {
    fake.serverless.queueDepth.set('srv-dlq-sta', 3);
    const hours = await status(at('2026-11-25T14:00:00Z'));
    expect(hours.dlq?.health).toBe('amber');
    expect(hours.receipts).toMatchObject({ health: 'amber', rule: 'amber: 1 h or more' });
    const days = await status(at('2026-11-27T12:00:00Z'));
    expect(days.receipts).toMatchObject({ health: 'red', rule: 'red: 24 h or more' });
  });

  it('a FAILED latest replay is amber', async () => {
    fake.serverless.replayFailure = 'target unreachable';
    await runTap(['replay', '--env', 'sta', '--from', '1h ago', '--name', 'sta-r1'], { clock: at('2026-11-25T12:10:00Z') });
    expect((await status()).replays).toMatchObject({ health: 'amber', summary: '0 in progress; latest sta-r1 FAILED' });
  });

  it('an API that answers 403 is red; a missing stack makes everything red', async () => {
    const forbidden = () => Promise.resolve(new Response('{"message":"Forbidden"}', { status: 403 }));
    expect((await status(undefined, forbidden)).api).toMatchObject({ health: 'red', summary: expect.stringMatching(/^GET \/ answered 403/), rule: 'red: not 200' });
    await runTap(['destroy', '--env', 'sta', '--yes']);
    fake.resetCalls();
    const gone = await status();
    expect(gone.code).toBe(1);
    // One clear line per check, and no read of a resource the missing stack would hold.
    for (const id of ['stack', 'api', 'xray', 'dlq', 'archive', 'replays', 'alarms', 'receipts']) expect([id, gone[id]]).toEqual([id, { id, health: 'red', summary: 'TapStack-sta does not exist', rule: 'red: no stack' }]);
    expect(fake.calls).toEqual(['DescribeStacks']);
  });

  it('a stack without an output: the line that needs it names the output; nothing is called without it', async () => {
    const stack = fake.cloudFormation.stack('TapStack-sta')!;
    const template = JSON.parse(stack.templateBody) as { Outputs: Record<string, unknown> };
    delete template.Outputs.DlqUrl;
    stack.templateBody = JSON.stringify(template);
    fake.resetCalls();
    const s = await status();
    expect(s.dlq).toMatchObject({ health: 'red', summary: 'TapStack-sta (CREATE_COMPLETE) has no output DlqUrl', rule: 'red: an output is missing' });
    expect(fake.calls).not.toContain('GetQueueAttributes');
  });

  it('the receipts line makes one call however many receipts the bucket holds (the processor\'s metric, not a listing)', async () => {
    fake.resetCalls();
    const few = await status();
    const calls = [...fake.calls];
    const bucket = 'srv-data-sta-123456789012-us-east-1';
    for (let i = 0; i < 5000; i++) fake.s3.putObject(bucket, `receipts/many-${String(i).padStart(5, '0')}.json`, '{}');
    expect(fake.s3.listObjects(bucket, 'receipts/').length).toBeGreaterThan(5 * 1000);
    fake.resetCalls();
    const many = await status();
    expect(many.receipts).toEqual(few.receipts);
    expect(fake.calls.sort()).toEqual(calls.sort());
    expect(fake.calls.filter((c) => c === 'GetMetricData')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.startsWith('ListObject'))).toHaveLength(0);
  });

  it('a rolled-back stack and a slow API are amber; a fault in 15 min and a disabled archive are red', async () => {
    fake.cloudFormation.stack('TapStack-sta')!.status = 'UPDATE_ROLLBACK_COMPLETE';
    const t = Date.parse('2026-11-25T12:05:00Z') / 1000;
    fake.serverless.xray.traces.set('1-6745a1b0-000000000000000000000fff', [
      { id: 'a1', name: 'srv-api-sta/sta', origin: 'AWS::ApiGateway::Stage', trace_id: '1-6745a1b0-000000000000000000000fff', start_time: t, end_time: t + 0.2, fault: true, http: { request: { method: 'POST', url: 'https://x.execute-api.us-east-1.amazonaws.com/sta/events' }, response: { status: 502 } } },
    ]);
    fake.serverless.archiveState.set('srv-archive-sta', 'DISABLED');
    // The API answers 1.1 s later by the injected clock.
    let now = Date.parse('2026-11-25T12:10:00Z');
    const slow: typeof globalThis.fetch = async (input, init) => ((now += 1100), fake.fetch(input, init));
    const s = await status(() => new Date(now), slow);
    expect(s.stack).toMatchObject({ health: 'amber', summary: expect.stringMatching(/^UPDATE_ROLLBACK_COMPLETE/), rule: 'amber: the last operation rolled back' });
    expect(s.api).toMatchObject({ health: 'amber', rule: 'amber: slower than 1000 ms' });
    expect(s.xray).toMatchObject({ health: 'red', summary: expect.stringMatching(/1 fault\(s\).*top failing: POST \/sta\/events \(1\)/), rule: 'red: any fault (5xx) in 15 min' });
    expect(s.archive).toMatchObject({ health: 'red', rule: 'red: not ENABLED' });
    expect(s.code).toBe(1);
  });

  it("a stack that lacks an output is red here as verify's stack check fails it: one reading, one verdict", async () => {
    const stack = fake.cloudFormation.stack('TapStack-sta')!;
    const template = JSON.parse(stack.templateBody) as { Outputs: Record<string, unknown> };
    delete template.Outputs.DashboardUrl; // no other status line reads it
    stack.templateBody = JSON.stringify(template);
    const s = await status();
    expect(s.stack).toMatchObject({ health: 'red', summary: expect.stringMatching(/^CREATE_COMPLETE, updated \S+; outputs: DashboardUrl missing$/), rule: 'red: an output missing or malformed' });
    expect(s.code).toBe(1);
    const verify = await runTap(['verify', '--env', 'sta', '--only', 'stack', '--json'], { fetch: fake.fetch, clock: at('2026-11-25T12:10:00Z') });
    const check = (JSON.parse(verify.stdout.trim().split('\n').at(-1)!) as { checks: { id: string; status: string; detail: string }[] }).checks[0];
    expect([verify.code, check]).toEqual([1, expect.objectContaining({ id: 'stack', status: 'fail', detail: s.stack!.summary })]);
  });

  it('an operation running is amber in status and a warning in verify', async () => {
    fake.cloudFormation.stack('TapStack-sta')!.status = 'UPDATE_IN_PROGRESS';
    expect((await status()).stack).toMatchObject({ health: 'amber', rule: 'amber: an operation runs' });
    const verify = await runTap(['verify', '--env', 'sta', '--only', 'stack', '--json'], { fetch: fake.fetch, clock: at('2026-11-25T12:10:00Z') });
    expect((JSON.parse(verify.stdout.trim().split('\n').at(-1)!) as { checks: { status: string }[] }).checks[0]).toMatchObject({ status: 'warn', remedy: 'wait for it to settle, then look again' });
  });

  it('no receipt at all is amber', async () => {
    fake.serverless.logs.length = 0;
    expect((await status()).receipts).toMatchObject({ health: 'amber', summary: 'no events processed in the last 3 days', rule: 'amber: none processed' });
    // Older than the 3 days receipts are kept: none either.
    await post('{"type":"order.created"}');
    for (let i = 0; i < 5; i++) await fake.serverless.pump();
    expect((await status(at('2026-11-29T12:00:00Z'))).receipts).toMatchObject({ health: 'amber', summary: 'no events processed in the last 3 days' });
  });

  it('draws one line per check with the rule, and a verdict', async () => {
    const r = await runTap(['status', '--env', 'sta'], { fetch: fake.fetch, clock: at('2026-11-25T12:10:00Z') });
    expect(r.stdout).toMatch(/^● green {2}stack {5}CREATE_COMPLETE, updated 2026-11-25T\S+, 11 outputs {2}\(green: settled \*_COMPLETE, every output well-formed\)\n/);
    expect(r.stdout).toMatch(/\nTapStack-sta: healthy\n$/);
  });

  it('while X-Ray throttles, each wait shows as progress on stderr, and the line still comes through', async () => {
    let throttled = 0;
    fake.before = (call) => {
      if (call === 'GetTraceSummaries' && throttled++ < 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    };
    const waits: number[] = [];
    const r = await runTap(['status', '--env', 'sta'], { fetch: fake.fetch, clock: at('2026-11-25T12:10:00Z'), sleep: async (ms) => void waits.push(ms) });
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => /Rate exceeded/.test(l))).toEqual(['… ThrottlingException: Rate exceeded; trying again in 1 s (1/4)', '… ThrottlingException: Rate exceeded; trying again in 1 s (2/4)']);
    // Each line as it is read, and what is still out: the slow one is named until it comes.
    expect(lines[0]).toBe('… Reading TapStack-sta: stack, api, xray, dlq, archive, replays, alarms, receipts');
    const read = lines.filter((l) => /^… \d\/8 /.test(l));
    const xray = read.findIndex((l) => /^… \d\/8 xray green/.test(l));
    expect(read).toHaveLength(8);
    expect(read.at(-1)).toMatch(/^… 8\/8 \w+ green$/);
    for (const l of read.slice(0, xray)) expect(l).toMatch(/; waiting for .*xray/);
    expect(waits).toEqual([1000, 1000]);
    expect(r.stdout).toMatch(/● green {2}xray +\d traces in 15 min/);
  });
});
