import { BatchGetTracesCommand, GetServiceGraphCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { LookPace } from '../src/aws/retry.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { render, type TraceResult } from '../src/commands/trace.js';
import { fetchTraces, filterExpression, traceSummaries } from '../src/trace/search.js';
import { percentile, serviceMap } from '../src/trace/service-map.js';
import { waterfall } from '../src/trace/waterfall.js';
import { testDeps } from './helpers/deps.js';
import { runTap } from './helpers/run-tap.js';

// X-Ray leaves out what it does not know: these are the answers with the optional fields missing.
const xray = mockClient(XRayClient);
afterEach(() => xray.reset());

const ID = '1-6745a1b0-000000000000000000000001';
const doc = (d: Record<string, unknown>) => ({ Id: String(d.id), Document: JSON.stringify(d) });

describe('trace summaries with fields missing', () => {
  it('prints ? and - for what X-Ray did not record, and marks errors and throttles', () => {
    const r: TraceResult = {
      kind: 'summaries',
      env: 'dev',
      from: 'A',
      to: 'B',
      filter: 'f',
      summaries: [
        { Id: ID, HasError: true },
        { Id: ID, HasThrottle: true, Http: { HttpStatus: 429 }, Duration: 0.004, StartTime: new Date('2026-11-25T11:00:00Z'), ServiceIds: [{}, { Name: 'srv-handler-dev' }] },
      ],
    };
    expect(render(r)).toBe(
      `?  ${ID}      0 ms  -  ! error  \n` + `2026-11-25T11:00:00.000Z  ${ID}      4 ms  429  ! throttle  srv-handler-dev`,
    );
  });

  it('says so when --detail found nothing, and when an --id is not known', () => {
    expect(render({ kind: 'summaries', env: 'dev', from: 'A', to: 'B', filter: 'f', summaries: [], traces: [] })).toBe('no traces from A to B');
    expect(render({ kind: 'traces', env: 'dev', traces: [] })).toBe('no such trace (X-Ray keeps traces 30 days)');
    expect(render({ kind: 'followed', env: 'dev', filter: 'f', seen: 3, interrupted: true })).toBe('3 trace(s) seen');
    expect(render({ kind: 'map', env: 'dev', from: 'A', to: 'B', services: [] })).toBe('no services seen from A to B');
  });

  it('colours faults red on a terminal and leaves a file plain', () => {
    const trace = { Id: ID, Segments: [doc({ id: 'a', name: 'srv-handler-dev', start_time: 1, end_time: 2, fault: true })] };
    const coloured = render({ kind: 'traces', env: 'dev', traces: [trace] }, { color: true });
    expect(coloured).toContain('\u001b[31m');
    expect(render({ kind: 'traces', env: 'dev', traces: [trace] }, { color: false })).not.toContain('\u001b[');
  });

  it('--follow: an error that is not throttling ends the command with its exit code', async () => {
    xray.on(GetTraceSummariesCommand).rejects(Object.assign(new Error('User: x is not authorized to perform: xray:GetTraceSummaries'), { name: 'AccessDeniedException', $metadata: {} }));
    const r = await runTap(['trace', '--env', 'dev', '--follow']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not authorized to perform: xray:GetTraceSummaries/);
  });
});

describe('waterfall with fields missing', () => {
  it('draws a segment still in progress, an error and a throttle, and a fault with no exception recorded', () => {
    const trace = {
      Id: ID,
      Segments: [
        doc({ id: 'a', name: 'srv-api-dev/dev', start_time: 10, end_time: 10.5, http: { request: {}, response: {} } }),
        doc({ id: 'b', parent_id: 'a', name: 'srv-handler-dev', start_time: 10.1, in_progress: true, fault: true }),
        doc({ id: 'c', parent_id: 'a', name: 'Events', start_time: 10.2, end_time: 10.3, error: true, cause: { exceptions: [{ message: 'AccessDenied' }] } }),
        doc({ id: 'd', parent_id: 'a', name: 'S3', start_time: 10.3, end_time: 10.4, throttle: true }),
        doc({ id: 'e', parent_id: 'a', name: 'SQS', start_time: 10.35, end_time: 10.4, error: true }),
      ],
    };
    expect(waterfall(trace).split('\n')).toEqual([
      `trace ${ID}  500 ms  fault in srv-handler-dev: no exception recorded`,
      '    +0 ms    500 ms  srv-api-dev/dev',
      '  +100 ms in progress    srv-handler-dev ✖ fault',
      '  +200 ms    100 ms    Events ! error: AccessDenied',
      '  +300 ms    100 ms    S3 ! throttled',
      '  +350 ms     50 ms    SQS ! error',
    ]);
  });

  it('a trace whose segments are all missing their documents still has a header', () => {
    expect(waterfall({ Id: ID, Segments: [{ Id: 'x' }] })).toMatch(new RegExp(`^trace ${ID}`));
  });
});

describe('service map with fields missing', () => {
  it('names a service by its first alias, counts nothing it was not told, and marks unknown edges', async () => {
    xray.on(GetServiceGraphCommand).resolves({
      Services: [
        { ReferenceId: 0, Names: ['alias-one'], Edges: [{ ReferenceId: 7 }, {}], ResponseTimeHistogram: [{ Value: 0.2 }, { Count: 3 }] },
        {},
      ],
    });
    const services = await serviceMap(new XRayClient({ region: 'us-east-1' }), { from: new Date(0), to: new Date(1), group: 'g' }, testDeps());
    expect(services).toEqual([
      {
        name: 'alias-one',
        type: '',
        requests: 0,
        errorRate: 0,
        faultRate: 0,
        p50Ms: undefined,
        p90Ms: undefined,
        edges: [
          { to: '?', requests: 0, errorRate: 0, faultRate: 0, p50Ms: undefined, p90Ms: undefined },
          { to: '?', requests: 0, errorRate: 0, faultRate: 0, p50Ms: undefined, p90Ms: undefined },
        ],
      },
      { name: '?', type: '', requests: 0, errorRate: 0, faultRate: 0, p50Ms: undefined, p90Ms: undefined, edges: [] },
    ]);
  });

  it('percentiles: the smallest value that covers the share of requests', () => {
    const histogram = [{ Value: 0.3, Count: 1 }, { Value: 0.1, Count: 8 }, { Value: 0.2, Count: 1 }];
    expect(percentile(histogram, 0.5)).toBe(100);
    expect(percentile(histogram, 0.9)).toBe(200);
    expect(percentile(histogram, 1)).toBe(300);
    expect(percentile(undefined, 0.5)).toBeUndefined();
  });
});

describe('trace search with fields missing', () => {
  const client = () => new XRayClient({ region: 'us-east-1' });

  it('--faults is a filter term of its own', () => {
    expect(filterExpression({ group: 'g', faults: true })).toBe('group.name = "g" AND fault');
  });

  it('summaries without an id are dropped; without a start time they sort last', async () => {
    xray.on(GetTraceSummariesCommand).resolves({ TraceSummaries: [{ Id: 'a' }, {}, { Id: 'b', StartTime: new Date(5) }, { Id: 'c' }] });
    const found = await traceSummaries(client(), { from: new Date(0), to: new Date(1000), chunkMs: 1000, limit: 10, filter: 'f' }, testDeps());
    expect(found.map((x) => x.Id)).toEqual(['b', 'a', 'c']);
  });

  it('full traces in the order asked; ids X-Ray no longer has are left out, every page of a batch is read', async () => {
    const answers = [{ Traces: [{ Id: 'b' }, {}], NextToken: 'more' }, { Traces: [{ Id: 'a' }] }];
    // The token of each call as it was sent (the paginator reuses one input object).
    const tokens: (string | undefined)[] = [];
    xray.on(BatchGetTracesCommand).callsFake((input: { NextToken?: string }) => answers[tokens.push(input.NextToken) - 1] ?? {});
    const traces = await fetchTraces(client(), ['a', 'gone', 'b'], testDeps());
    expect(traces.map((t) => t.Id)).toEqual(['a', 'b']);
    expect(tokens).toEqual([undefined, 'more']);
  });
});

describe('LookPace (the pace of trace --follow and logs --follow)', () => {
  const serverError = () => Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
  const throttled = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

  it('doubles up to the maximum; five server errors in a row end it, a throttled look or a good one breaks the row', () => {
    const pace = new LookPace(2000, 30_000, 5);
    for (let i = 0; i < 4; i++) pace.failed(serverError());
    expect(pace.intervalMs).toBe(30_000);
    pace.failed(throttled()); // breaks the row
    for (let i = 0; i < 4; i++) expect(pace.failed(serverError())).toMatchObject({ throttled: false });
    expect(() => pace.failed(serverError())).toThrow('boom');
    pace.ok();
    expect(pace.intervalMs).toBe(2000);
    for (let i = 0; i < 100; i++) expect(pace.failed(throttled())).toMatchObject({ throttled: true, nextMs: Math.min(2000 * 2 ** (i + 1), 30_000) });
    expect(() => pace.failed(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }))).toThrow('no');
  });

  it("counts the SDK's attempts against the one budget: a look the SDK tried 3 times, then one it tried twice, spend 5", () => {
    const pace = new LookPace(2000, 30_000, 5);
    const tried = (attempts: number) => Object.assign(serverError(), { $metadata: { httpStatusCode: 500, attempts } });
    expect(pace.failed(tried(3))).toMatchObject({ throttled: false });
    expect(() => pace.failed(tried(2))).toThrow('boom');
  });
});
