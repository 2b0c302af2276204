import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

// A deployed env whose functions really ran: the fake writes each invocation and each request as
// Lambda and API Gateway write them, into the log groups the stack created.
let fake: FakeAws;
let now: () => Date;

beforeAll(async () => {
  fake = new FakeAws().install();
  const r = await runTap(['deploy', '--env', 'lg', '--json']);
  const api = (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
  const post = (body: string) => fake.post(`${api}events`, body);
  expect((await post('{"type":"order.created","correlationId":"order-abcdef12"}')).status).toBe(202);
  expect((await post('{"type":"bad"')).status).toBe(400);
  for (let i = 0; i < 5; i++) await fake.serverless.pump();
  const last = Math.max(...[...fake.cloudWatchLogs.groups.values()].flat().map((e) => e.timestamp));
  now = () => new Date(last + 60_000);
});
afterAll(() => fake.restore());

describe('tap logs against an env whose functions ran', () => {
  it('the stack made the three log groups; a request leaves its lines in all three', async () => {
    expect([...fake.cloudWatchLogs.groups.keys()]).toEqual(expect.arrayContaining(['/aws/lambda/srv-handler-lg', '/aws/lambda/srv-processor-lg', '/aws/apigateway/srv-api-lg/access']));
    const r = await runTap(['logs', '--env', 'lg', '--correlation-id', 'order-abcdef12', '--json'], { clock: now });
    const lines = ndjson(r.stdout).events.map((e) => e.data as { source: string; text: string });
    // The processor's metrics line (EMF) carries the correlation id too, and is drawn as it is.
    expect(lines.map((l) => [l.source, l.text])).toEqual([['handler', 'published'], ['processor', 'processing'], ['processor', undefined]]);
  });

  it('tap trace --id X --logs: the handler and processor invocations of the trace and the access log line of its request', async () => {
    const [traceId] = [...fake.serverless.xray.traces.keys()];
    const r = await runTap(['trace', '--env', 'lg', '--id', traceId ?? '', '--logs', '--json'], { clock: now });
    const lines = (ndjson(r.stdout).result.logs as Record<string, { source: string; message: string; text?: string }[]>)[traceId ?? ''] ?? [];
    expect(lines.filter((l) => l.message.startsWith('REPORT')).map((l) => l.source)).toEqual(['handler', 'processor']);
    expect(lines.filter((l) => l.source === 'api').map((l) => l.text)).toEqual(['POST /events 202']);
  });

  it('--errors: the 400 is no error; nothing else failed', async () => {
    const r = await runTap(['logs', '--env', 'lg', '--errors'], { clock: now });
    expect(r.stdout).toMatch(/^no log lines from .* in handler, processor, api\n$/);
    const all = await runTap(['logs', '--env', 'lg', '--function', 'api'], { clock: now });
    expect(all.stdout).toContain('WARN  ');
    expect(all.stdout).toContain('POST /events 400');
  });

  it('after destroy the groups are gone: exit 1', async () => {
    await runTap(['destroy', '--env', 'lg', '--yes']);
    const r = await runTap(['logs', '--env', 'lg'], { clock: now });
    expect(r.code).toBe(1);
  });
});
