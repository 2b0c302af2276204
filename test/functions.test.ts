import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { receiptKey, receiptPrefix, replayReceiptPrefix } from '../src/stack/spec.js';

const require = createRequire(import.meta.url);
const handler = require('../src/stack/functions/handler.cjs') as {
  handle: (event: object, context: object, deps: object) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
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
    [JSON.stringify({ type: 't', detail: { note: '€'.repeat(22_000) } }), /larger than 65536 bytes/], // 22,000 characters, 66,000 bytes
  ])('answers 400 to body %#', async (body, message) => {
    const { deps, putEvents } = handlerDeps();
    const raw = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const res = await handler.handle({ httpMethod: 'POST', resource: '/events', body: raw }, { awsRequestId: 'r' }, deps);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(message);
    expect(putEvents).not.toHaveBeenCalled();
  });

  const CORS = { 'content-type': 'application/json', 'access-control-allow-origin': '*' };

  it('answers 503 with a JSON body, the CORS headers and a log line when the bus rejects the entry; 404 for unknown routes', async () => {
    const { deps } = handlerDeps({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }] });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle(post({ type: 't', correlationId: 'corr-12345678' }), { awsRequestId: 'r' }, deps);
    expect(res).toEqual({ statusCode: 503, headers: CORS, body: JSON.stringify({ error: 'PublishFailed', message: 'boom', correlationId: 'corr-12345678' }) });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(spy.mock.calls[0]?.[0]))).toEqual({ level: 'error', msg: 'PutEvents rejected the entry', correlationId: 'corr-12345678', code: 'InternalFailure', reason: 'boom' });
    spy.mockRestore();
    const missing = await handler.handle({ httpMethod: 'DELETE', resource: '/x' }, { awsRequestId: 'r' }, deps);
    expect(missing.statusCode).toBe(404);
  });

  it.each([
    ['ThrottlingException', 'Rate exceeded'],
    ['AccessDeniedException', 'User is not authorized to perform: events:PutEvents'],
    ['TimeoutError', 'Connection timed out after 3000 ms'],
  ])('answers 503, never throws (a bare 502 from API Gateway), when PutEvents throws %s', async (name, message) => {
    const putEvents = vi.fn(async () => {
      throw Object.assign(new Error(message), { name });
    });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle(post({ type: 't' }), { awsRequestId: 'r' }, { env, putEvents, randomUUID: () => 'generated-id-1' });
    expect(res.statusCode).toBe(503);
    expect(res.headers).toEqual(CORS);
    expect(JSON.parse(res.body)).toEqual({ error: 'PublishFailed', message, correlationId: 'generated-id-1' });
    expect(JSON.parse(String(spy.mock.calls[0]?.[0]))).toEqual({ level: 'error', msg: 'PutEvents failed', correlationId: 'generated-id-1', code: name, reason: message });
    spy.mockRestore();
  });

  it('a throw without a name or message is still a 503 with a reason', async () => {
    // Not every failure is an Error: the handler must not assume a name or a message.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const putEvents = vi.fn(() => Promise.reject('socket closed'));
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle(post({ type: 't' }), { awsRequestId: 'r' }, { env, putEvents, randomUUID: () => 'generated-id-2' });
    spy.mockRestore();
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ message: 'socket closed', correlationId: 'generated-id-2' });
  });

  it('an answer from the bus without an event id is a 503 with a reason of its own; routes match by path when there is no resource', async () => {
    const { deps } = handlerDeps({ FailedEntryCount: 0 });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handler.handle({ ...post({ type: 't' }), resource: undefined, path: '/events' }, { awsRequestId: 'r' }, deps);
    spy.mockRestore();
    expect(res.statusCode).toBe(503);
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
    expect(out.key).toBe(receiptKey('corr-12345678', delivered.id));
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
    expect(out.key).toBe(`${replayReceiptPrefix('dev-replay-20261125102030')}corr-12345678/${delivered.id}.json`);
    const body = JSON.parse((putObject.mock.calls[0] as unknown as [{ Body: string }])[0].Body);
    expect(body).toMatchObject({ 'replay-name': 'dev-replay-20261125102030', eventId: replayed.id, eventTime: replayed.time });
    expect(logs.find((l) => '_aws' in l)).toMatchObject({ ReplayedEvents: 1 });
  });

  it('keeps both receipts of two events that share a correlation id, and rewrites the same key on a redelivery', async () => {
    const first = await run(delivered);
    const second = await run({ ...delivered, id: '0c2f3a5e-1111-4f04-a780-7acf4b0a9b38' });
    expect(second.out.key).not.toBe(first.out.key);
    expect([first.out.key, second.out.key].every((k) => k.startsWith(receiptPrefix('corr-12345678')))).toBe(true);
    // EventBridge delivers at least once: a redelivery carries the same event id, so the same key.
    expect((await run(delivered)).out.key).toBe(first.out.key);
  });

  it('falls back to the event id when the detail has no correlation id, or is not an object', async () => {
    const { out } = await run({ ...delivered, detail: {} });
    expect(out.key).toBe(receiptKey(delivered.id, delivered.id));
    expect((await run({ ...delivered, detail: 'text' })).out.key).toBe(receiptKey(delivered.id, delivered.id));
  });

  it('an event without a usable time still gets a receipt, with a latency of 0', async () => {
    const { out, logs } = await run({ ...delivered, time: 'not a time' });
    expect(out.key).toBe(receiptKey('corr-12345678', delivered.id));
    expect(logs.find((l) => '_aws' in l)).toMatchObject({ DeliveryLatency: 0 });
  });
});
