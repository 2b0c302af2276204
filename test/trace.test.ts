import { BatchGetTracesCommand, GetServiceGraphCommand, GetTraceSummariesCommand, XRayClient, type TraceSummary } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { waterfall } from '../src/trace/waterfall.js';
import { faultTrace, TRACE_ID } from './fixtures/traces.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const xray = mockClient(XRayClient);
afterEach(() => xray.reset());

const NOW = new Date('2026-11-25T12:00:00Z');
const clock = () => NOW;
const id = (n: number) => `1-6745a1b0-${String(n).padStart(24, '0')}`;
const summary = (n: number, at = NOW.getTime() - n * 1000): TraceSummary => ({
  Id: id(n),
  StartTime: new Date(at),
  Duration: 0.12,
  HasFault: n % 2 === 0,
  Http: { HttpMethod: 'POST', HttpURL: 'https://k3x9a1b2c4.execute-api.us-east-1.amazonaws.com/dev/events', HttpStatus: n % 2 === 0 ? 502 : 202 },
  ServiceIds: [{ Name: 'srv-api-dev/dev' }, { Name: 'srv-handler-dev' }],
});
const trace = (...args: string[]) => runTap(['trace', '--env', 'dev', ...args], { clock });

describe('tap trace: input checked before any AWS call', () => {
  it.each([
    [['--since', '15x'], /invalid --since '15x'/],
    [['--chunk', '0s'], /invalid --chunk '0s': it must be longer than 0/],
    [['--from', '1h ago', '--to', '2h ago'], /--from \(2026-11-25T11:00:00.000Z\) must be before --to/],
    [['--from', '2026-11-25T13:00:00Z', '--to', '2026-11-25T14:00:00Z'], /--to \(2026-11-25T14:00:00.000Z\) is in the future; nothing is recorded after now/],
    [['--from', '2099-01-01T00:00:00Z'], /^✖ --from \(2099-01-01T00:00:00.000Z\) is in the future; nothing is recorded after now/],
    [['--since', '1h', '--from', '2h ago'], /--since and --from cannot be given together/],
    [['--id', 'abc'], /invalid --id 'abc'/],
    [['--limit', '0'], /invalid --limit '0'/],
    [['--path', 'events'], /invalid --path 'events'/],
    [['--follow', '--map'], /--follow and --map cannot be given together/],
    [['--id', '1-5759e988-bd862e3fe1be46a994272793', '--follow'], /--id and --follow cannot be given together/],
    [['--since', '31d'], /more than 30 days ago: X-Ray keeps traces for 30 days/],
    [['--filter', 'service("x")) OR (responsetime > 0'], /invalid --filter .*: a '\)' closes what the expression did not open/],
    [['--filter', '(fault'], /invalid --filter '\(fault': a '\(' is not closed/],
    [['--filter', 'http.url CONTAINS "/a'], /a "string" is not closed/],
  ])('%j', async (args, message) => {
    const r = await trace(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(xray.calls()).toHaveLength(0);
  });
});

describe('tap trace: a --filter X-Ray cannot parse', () => {
  const refused = Object.assign(new Error("Invalid filter expression: unexpected '>' in 'responsetime >> 2'"), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });

  it("is bad input: exit 2 with X-Ray's message and a hint, on one JSON line under --json", async () => {
    xray.on(GetTraceSummariesCommand).rejects(refused);
    const human = await trace('--filter', 'responsetime >> 2');
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/X-Ray refused the filter expression: Invalid filter expression: unexpected '>'/);
    expect(human.stderr).toMatch(/check --filter 'responsetime >> 2' against X-Ray's filter-expression syntax/);
    const json = await trace('--filter', 'responsetime >> 2', '--json');
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; exitCode?: number }).filter((l) => l.kind === 'error')).toEqual([
      expect.objectContaining({ kind: 'error', exitCode: 2, hint: expect.stringMatching(/--filter 'responsetime >> 2'/) }),
    ]);
  });

  it('a refusal of another call (BatchGetTraces for --detail) is not blamed on --filter', async () => {
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [summary(1)] });
    xray.on(BatchGetTracesCommand).callsFake((input: { TraceIds: string[] }) => ({ Traces: input.TraceIds.map((Id) => ({ ...faultTrace, Id })) }));
    xray.on(BatchGetTracesCommand).rejects(Object.assign(new Error('1 validation error detected'), { name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } }));
    const r = await trace('--filter', 'fault', '--detail');
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/refused the filter expression/);
  });

  it('--follow too; the same answer to an expression of tap alone stays a failure of the call (exit 1)', async () => {
    xray.on(GetTraceSummariesCommand).rejects(refused);
    expect((await trace('--follow', '--filter', 'responsetime >> 2')).code).toBe(2);
    const own = await trace('--errors');
    expect(own.code).toBe(1);
    expect(own.stderr).not.toMatch(/--filter/);
  });
});

describe('tap trace: search', () => {
  it('splits a 2-day window into 6-hour chunks, newest first, combined with the env group', async () => {
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [] });
    const r = await trace('--since', '2d', '--json');
    expect(r.code).toBe(0);
    const calls = xray.commandCalls(GetTraceSummariesCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(8);
    expect(calls[0]).toMatchObject({ StartTime: new Date('2026-11-25T06:00:00Z'), EndTime: NOW, FilterExpression: 'group.name = "srv-trace-dev"' });
    expect(calls[7]).toMatchObject({ StartTime: new Date('2026-11-23T12:00:00Z'), EndTime: new Date('2026-11-23T18:00:00Z') });
  });

  it('a balanced --filter is sent as it is, parentheses inside strings included', async () => {
    xray.on(GetTraceSummariesCommand).resolves({});
    expect((await trace('--filter', 'http.url CONTAINS ")(" OR (fault)')).code).toBe(0);
    expect(xray.commandCalls(GetTraceSummariesCommand)[0]?.args[0].input.FilterExpression).toBe('group.name = "srv-trace-dev" AND (http.url CONTAINS ")(" OR (fault))');
  });

  it('composes the shortcuts and the user filter into one expression', async () => {
    xray.on(GetTraceSummariesCommand).resolves({});
    await trace('--errors', '--slow', '1500', '--status', '502', '--path', '/events', '--filter', 'service("srv-processor-dev")');
    expect(xray.commandCalls(GetTraceSummariesCommand)[0]?.args[0].input.FilterExpression).toBe(
      'group.name = "srv-trace-dev" AND error AND responsetime > 1.5 AND http.status = 502 AND http.url CONTAINS "/events" AND (service("srv-processor-dev"))',
    );
  });

  it('follows every page, drops duplicates, and stops at --limit', async () => {
    const answers = [
      { TraceSummaries: [1, 2, 3].map((n) => summary(n)), NextToken: 'p2' },
      { TraceSummaries: [3, 4, 5].map((n) => summary(n)), NextToken: 'p3' },
      { TraceSummaries: [6, 7].map((n) => summary(n)), NextToken: 'p4' },
      { TraceSummaries: [8].map((n) => summary(n)) },
    ];
    // The token of each call as it was sent (the paginator reuses one input object).
    const tokens: (string | undefined)[] = [];
    xray.on(GetTraceSummariesCommand).callsFake((input: { NextToken?: string }) => answers[tokens.push(input.NextToken) - 1]);
    const r = await trace('--limit', '6', '--json');
    const result = JSON.parse(r.stdout) as { summaries: TraceSummary[] };
    expect(result.summaries.map((s) => s.Id)).toEqual([1, 2, 3, 4, 5, 6].map(id));
    expect(tokens).toEqual([undefined, 'p2', 'p3']); // page 4 never read
  });

  it('lists summaries for a person: time, id, duration, method, path, status, marker, services', async () => {
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [summary(2)] });
    const r = await trace();
    expect(r.stdout).toBe(`2026-11-25T11:59:58.000Z  ${id(2)}    120 ms  POST /dev/events 502  ✖ fault  srv-api-dev/dev, srv-handler-dev\n`);
  });

  it('--detail fetches traces 5 ids per call with at most 4 calls in flight', async () => {
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: Array.from({ length: 23 }, (_, i) => summary(i + 1)) });
    let inFlight = 0;
    let most = 0;
    xray.on(BatchGetTracesCommand).callsFake(async (input: { TraceIds: string[] }) => {
      most = Math.max(most, ++inFlight);
      await new Promise(setImmediate); // after every call started in this turn
      inFlight--;
      return { Traces: input.TraceIds.map((Id) => ({ ...faultTrace, Id })) };
    });
    const r = await trace('--detail', '--limit', '23', '--json');
    expect(r.code).toBe(0);
    const batches = xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds?.length);
    expect(batches).toEqual([5, 5, 5, 5, 3]);
    expect(most).toBe(4);
    expect((JSON.parse(r.stdout) as { traces: { Id: string }[] }).traces.map((t) => t.Id)).toEqual(Array.from({ length: 23 }, (_, i) => id(i + 1)));
  });
});

describe('tap trace: waterfall', () => {
  it('draws a recorded multi-segment trace with a fault, where it started, and the correlation id', () => {
    expect(waterfall(faultTrace)).toMatchInlineSnapshot(`
      "trace 1-6745a1b0-4f2e8c1d9a3b7e6f5d4c3b2a  320 ms  fault in srv-handler-dev: AccessDeniedException: User is not authorized to perform: events:PutEvents on resource: srv-events-dev
          +0 ms    320 ms  srv-api-dev/dev (AWS::ApiGateway::Stage) POST https://k3x9a1b2c4.execute-api.us-east-1.amazonaws.com/dev/events 502 ✖ fault
                             annotations: aws:api_id=k3x9a1b2c4, aws:api_stage=dev
          +5 ms    310 ms    Lambda (aws) Invoke ✖ fault
         +10 ms    300 ms      srv-handler-dev (AWS::Lambda) ✖ fault
         +20 ms    285 ms        srv-handler-dev (AWS::Lambda::Function) ✖ fault: AccessDeniedException: User is not authorized to perform: events:PutEvents on resource: srv-events-dev
                                   annotations: correlationId=corr-12345678
        +100 ms    190 ms          EventBridge (aws) PutEvents ! error: AccessDeniedException: User is not authorized to perform: events:PutEvents"
    `);
  });

  it('--id goes straight to BatchGetTraces', async () => {
    xray.on(BatchGetTracesCommand).resolves({ Traces: [faultTrace] });
    const r = await trace('--id', TRACE_ID, '--no-color');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trace 1-6745a1b0-4f2e8c1d9a3b7e6f5d4c3b2a {2}320 ms {2}fault in srv-handler-dev/);
    expect(xray.commandCalls(GetTraceSummariesCommand)).toHaveLength(0);
  });

  it("--id --json carries each segment's Document parsed (X-Ray sends it as a JSON string), as --detail's", async () => {
    xray.on(BatchGetTracesCommand).resolves({ Traces: [faultTrace] });
    const r = await trace('--id', TRACE_ID, '--json');
    const { traces } = JSON.parse(r.stdout) as { traces: { Segments: { Id: string; Document: unknown }[] }[] };
    expect(traces[0]!.Segments.map((s) => s.Document)).toEqual(faultTrace.Segments!.map((s) => JSON.parse(s.Document!) as unknown));
    expect(traces[0]!.Segments.map((s) => s.Document)).toContainEqual(expect.objectContaining({ name: 'srv-api-dev/dev', http: expect.objectContaining({ response: { status: 502 } }) }));
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [summary(1)] });
    xray.on(BatchGetTracesCommand).callsFake((input: { TraceIds: string[] }) => ({ Traces: input.TraceIds.map((Id) => ({ ...faultTrace, Id })) }));
    const detail = JSON.parse((await trace('--detail', '--json')).stdout) as { traces: { Segments: { Document: unknown }[] }[] };
    expect(detail.traces.flatMap((t) => t.Segments.map((seg) => typeof seg.Document))).toEqual(['object', 'object', 'object']);
  });

  it('--id that X-Ray does not know: says so and exits 1', async () => {
    xray.on(BatchGetTracesCommand).resolves({ Traces: [], UnprocessedTraceIds: [TRACE_ID] });
    const r = await trace('--id', TRACE_ID);
    expect([r.code, r.stdout]).toEqual([1, 'no such trace (X-Ray keeps traces 30 days)\n']);
  });
});

describe('tap trace --follow', () => {
  it('shows each new trace once, backs off when throttled, and ends on Ctrl-C with its result and 130', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({ TraceSummaries: [summary(1)] })
      .rejectsOnce(throttled)
      .resolvesOnce({ TraceSummaries: [summary(1), summary(2)] })
      .resolves({ TraceSummaries: [summary(2)] });
    const interrupt = new AbortController();
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      if (waits.length === 4) interrupt.abort();
    };
    const r = await runTap(['trace', '--env', 'dev', '--follow', '--json'], { clock, sleep, signal: interrupt.signal });
    expect(r.code).toBe(130); // as `tap logs --follow`: Ctrl-C is how a follow ends, and a script sees it
    const { events, result } = ndjson(r.stdout);
    expect(events.filter((e) => e.code === 'trace.summary').map((e) => (e.data as TraceSummary).Id)).toEqual([id(1), id(2)]);
    expect(result).toMatchObject({ kind: 'followed', seen: 2, interrupted: true });
    expect(waits).toEqual([2000, 4000, 2000, 2000]);
    expect(events.find((e) => e.code === 'trace.look-failed')).toMatchObject({ level: 'warn', text: 'X-Ray is throttling (ThrottlingException); next look in 4 s' });
  });

  it('a server error is not called throttling, and five failed looks in a row end the follow (exit 1)', async () => {
    const failing = Object.assign(new Error('Not implemented yet'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500, attempts: 1 } });
    xray.on(GetTraceSummariesCommand).rejects(failing);
    const waits: number[] = [];
    const r = await runTap(['trace', '--env', 'dev', '--follow'], { clock, sleep: async (ms) => void waits.push(ms) });
    expect(r.code).toBe(1);
    expect(waits).toEqual([4000, 8000, 16000, 30000]);
    expect(r.stderr).toContain('X-Ray failed (InternalFailure); next look in 4 s');
    expect(r.stderr).not.toMatch(/throttling/);
    expect(r.stderr).toMatch(/X-Ray GetTraceSummaries failed after 5 attempts: InternalFailure: Not implemented yet/);
  });
});

describe('tap trace --map', () => {
  it('each service and edge with requests, error and fault rates, p50/p90 from the histogram', async () => {
    xray.on(GetServiceGraphCommand).resolves({
      Services: [
        {
          ReferenceId: 0,
          Name: 'srv-api-dev/dev',
          Type: 'AWS::ApiGateway::Stage',
          SummaryStatistics: { TotalCount: 200, ErrorStatistics: { TotalCount: 4 }, FaultStatistics: { TotalCount: 2 } },
          ResponseTimeHistogram: [{ Value: 0.05, Count: 100 }, { Value: 0.12, Count: 80 }, { Value: 0.9, Count: 20 }],
          Edges: [{ ReferenceId: 1, SummaryStatistics: { TotalCount: 200, FaultStatistics: { TotalCount: 2 } }, ResponseTimeHistogram: [{ Value: 0.04, Count: 200 }] }],
        },
        { ReferenceId: 1, Name: 'srv-handler-dev', Type: 'AWS::Lambda', SummaryStatistics: { TotalCount: 200 } },
      ],
    });
    const r = await trace('--map', '--since', '1h');
    expect(r.stdout).toBe(
      'srv-api-dev/dev (AWS::ApiGateway::Stage): 200 requests, errors 2.0%, faults 1.0%  p50 50 ms, p90 120 ms\n' +
        '  -> srv-handler-dev: 200 requests, errors 0.0%, faults 1.0%  p50 40 ms, p90 40 ms\n' +
        'srv-handler-dev (AWS::Lambda): 200 requests, errors 0.0%, faults 0.0%\n',
    );
    expect(xray.commandCalls(GetServiceGraphCommand)[0]?.args[0].input).toMatchObject({ GroupName: 'srv-trace-dev', StartTime: new Date('2026-11-25T11:00:00Z') });
  });
});
