import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { replayReceiptPrefix } from '../src/stack/spec.js';

const require = createRequire(import.meta.url);
const handler = require('../src/stack/functions/handler.cjs') as {
  handle: (event: object, context: object, deps: object) => Promise<{ statusCode: number; body: string }>;
};
const processor = require('../src/stack/functions/processor.cjs') as {
  handle: (event: object, deps: object) => Promise<{ key: string }>;
};

const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
const env = { TAP_ENV: 'dev', EVENT_BUS_NAME: 'srv-events-dev', DATA_BUCKET: 'srv-data-dev-1-us-east-1', _X_AMZN_TRACE_ID: TRACE };

function handlerDeps(result: object = { FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] }) {
  const putEvents = vi.fn(async () => result);
  return { putEvents, deps: { env, putEvents, randomUUID: () => '11111111-2222-3333-4444-555555555555' } };
}

const post = (body: unknown, extra: object = {}) => ({
  httpMethod: 'POST',
  resource: '/events',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...extra,
});

describe('handler function', () => {
  it('answers GET / with env, request id and feature flags', async () => {
    const { deps } = handlerDeps();
    const res = await handler.handle({ httpMethod: 'GET', resource: '/' }, { awsRequestId: 'req-1' }, deps);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok', env: 'dev', requestId: 'req-1', features: { xray: true, eventbridge: true } });
  });

  it('publishes POST /events with the trace header and a correlation id, answering 202', async () => {
    const { deps, putEvents } = handlerDeps();
    const res = await handler.handle(post({ type: 'order.created', detail: { id: 7 } }), { awsRequestId: 'req-2' }, deps);
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ correlationId: '11111111-2222-3333-4444-555555555555', eventId: 'ev-1' });
    const [entries] = putEvents.mock.calls[0] as unknown as [Record<string, string>[]];
    expect(entries[0]).toMatchObject({ EventBusName: 'srv-events-dev', Source: 'tap.app', DetailType: 'order.created', TraceHeader: TRACE });
    expect(JSON.parse(entries[0]!.Detail!)).toMatchObject({ correlationId: '11111111-2222-3333-4444-555555555555', payload: { id: 7 }, canary: false });
  });

  it('keeps a caller-chosen correlation id and marks canaries by source', async () => {
    const { deps, putEvents } = handlerDeps();
    const body = Buffer.from(JSON.stringify({ type: 'canary', correlationId: 'canary-abc12345', canary: true })).toString('base64');
    const res = await handler.handle(post(body, { isBase64Encoded: true }), { awsRequestId: 'r' }, deps);
    expect(JSON.parse(res.body).correlationId).toBe('canary-abc12345');
    const [entries] = putEvents.mock.calls[0] as unknown as [Record<string, string>[]];
    expect(entries[0]!.Source).toBe('tap.canary');
  });

  it.each([
    [undefined, /body is required/],
    ['{not json', /not valid JSON/],
    ['[1]', /must be a JSON object/],
    [{ detail: {} }, /"type" must be/],
    [{ type: 'has space' }, /"type" must be/],
    [{ type: 't', detail: [1] }, /"detail" must be a JSON object/],
    [{ type: 't', correlationId: 'short' }, /"correlationId" must be/],
    [{ type: 't', canary: 'yes' }, /"canary" must be/],
    ['x'.repeat(70 * 1024), /larger than/],
  ])('answers 400 to body %#', async (body, message) => {
    const { deps, putEvents } = handlerDeps();
    const raw = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const res = await handler.handle({ httpMethod: 'POST', resource: '/events', body: raw }, { awsRequestId: 'r' }, deps);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(message);
    expect(putEvents).not.toHaveBeenCalled();
  });

  it('answers 502 when the bus rejects the entry, and 404 for unknown routes', async () => {
    const { deps } = handlerDeps({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }] });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle(post({ type: 't' }), { awsRequestId: 'r' }, deps);
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body).message).toBe('boom');
    spy.mockRestore();
    const missing = await handler.handle({ httpMethod: 'DELETE', resource: '/x' }, { awsRequestId: 'r' }, deps);
    expect(missing.statusCode).toBe(404);
  });

  it('an answer from the bus without an event id is a 502 with a reason of its own; routes match by path when there is no resource', async () => {
    const { deps } = handlerDeps({ FailedEntryCount: 0 });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle({ ...post({ type: 't' }), resource: undefined, path: '/events' }, { awsRequestId: 'r' }, deps);
    spy.mockRestore();
    expect(res.statusCode).toBe(502);
    expect(JSON.parse(res.body).message).toBe('the event bus did not accept the event');
  });
});

/** An event as EventBridge delivers it to a Lambda target; `replay-name` is set on replayed events. */
const delivered = {
  version: '0',
  id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
  'detail-type': 'order.created',
  source: 'tap.app',
  account: '123456789012',
  time: '2026-11-25T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { correlationId: 'corr-12345678', canary: false, env: 'dev', payload: { id: 7 } },
};

describe('processor function', () => {
  const run = async (event: object) => {
    const putObject = vi.fn(async () => ({}));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const out = await processor.handle(event, { env, putObject, now: () => Date.parse('2026-11-25T10:00:01.500Z') });
    log.mockRestore();
    return { out, putObject, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  it('writes the receipt with event id and trace id, and EMF metrics', async () => {
    const { out, putObject, logs } = await run(delivered);
    expect(out.key).toBe('receipts/corr-12345678.json');
    const input = (putObject.mock.calls[0] as unknown as [{ Bucket: string; Key: string; Body: string }])[0];
    expect(input.Bucket).toBe(env.DATA_BUCKET);
    expect(JSON.parse(input.Body)).toEqual({
      correlationId: 'corr-12345678',
      eventId: delivered.id,
      traceId: TRACE,
      source: 'tap.app',
      detailType: 'order.created',
      canary: false,
      eventTime: '2026-11-25T10:00:00Z',
      receivedAt: '2026-11-25T10:00:01.500Z',
    });
    const emf = logs.find((l) => '_aws' in l)!;
    expect(emf).toMatchObject({ Env: 'dev', EventsProcessed: 1, ReplayedEvents: 0, DeliveryLatency: 1500 });
    expect(JSON.stringify(emf._aws)).toContain('"Namespace":"Tap"');
  });

  it('records the replay name of a replayed event, under its replay, leaving the original receipt alone', async () => {
    // A replayed event as EventBridge delivers it: the original event, its original time, and the
    // top-level `replay-name` that EventBridge adds to every event it re-sends from an archive.
    const replayed = { ...delivered, 'replay-name': 'dev-replay-20261125102030' };
    const { out, putObject, logs } = await run(replayed);
    expect(out.key).toBe(`${replayReceiptPrefix('dev-replay-20261125102030')}corr-12345678.json`);
    const body = JSON.parse((putObject.mock.calls[0] as unknown as [{ Body: string }])[0].Body);
    expect(body).toMatchObject({ 'replay-name': 'dev-replay-20261125102030', eventId: replayed.id, eventTime: replayed.time });
    expect(logs.find((l) => '_aws' in l)).toMatchObject({ ReplayedEvents: 1 });
  });

  it('falls back to the event id when the detail has no correlation id, or is not an object', async () => {
    const { out } = await run({ ...delivered, detail: {} });
    expect(out.key).toBe(`receipts/${delivered.id}.json`);
    expect((await run({ ...delivered, detail: 'text' })).out.key).toBe(`receipts/${delivered.id}.json`);
  });

  it('an event without a usable time still gets a receipt, with a latency of 0', async () => {
    const { out, logs } = await run({ ...delivered, time: 'not a time' });
    expect(out.key).toBe('receipts/corr-12345678.json');
    expect(logs.find((l) => '_aws' in l)).toMatchObject({ DeliveryLatency: 0 });
  });
});
