import { afterEach, describe, expect, it } from 'vitest';
import { countReplayReceipts } from '../src/replay/replays.js';
import { replayReceiptPrefix } from '../src/stack/spec.js';
import { FakeAws } from './fake-aws/index.js';
import { testDeps } from './helpers/deps.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

// One test per paged call: each puts more items than one page of the fake holds and asserts that
// tap saw an item that only a later page carries. (DescribeStacks: list.test.ts; ListObjectVersions:
// destroy.test.ts, which empties more than 1,000 versions.)

let fake: FakeAws;
afterEach(() => fake.restore());

const deploy = async (env: string) => {
  const r = await runTap(['deploy', '--env', env, '--json']);
  expect(r.code).toBe(0);
  return ndjson(r.stdout);
};

describe('every page of each paged call', () => {
  it('DescribeStackEvents: more events between two polls than a page holds, each shown once', async () => {
    fake = new FakeAws({ eventPageSize: 3 }).install();
    const { events } = await deploy('pg');
    const shown = events.filter((l) => l.code === 'stack.event').map((l) => (l.data as { eventId: string }).eventId);
    const stack = fake.cloudFormation.stack('TapStack-pg');
    const operation = (stack?.events ?? []).filter((e) => String(e.ResourceStatus) !== 'REVIEW_IN_PROGRESS').map((e) => e.EventId);
    expect(operation.length).toBeGreaterThan(20);
    expect(shown.filter((id) => operation.includes(id))).toEqual(operation);
  });

  it('DescribeChangeSet: the changes of every page are listed before executing', async () => {
    fake = new FakeAws({ changeSetPageSize: 4 }).install();
    const { result } = await deploy('pg');
    const changes = (result as { changes: { logicalId: string }[] }).changes.map((c) => c.logicalId);
    const template = JSON.parse(fake.cloudFormation.stack('TapStack-pg')?.templateBody ?? '{}') as { Resources: Record<string, unknown> };
    expect(changes.length).toBeGreaterThan(8);
    expect(changes.sort()).toEqual(Object.keys(template.Resources).sort());
  });

  it('GetTraceSummaries and BatchGetTraces: the oldest trace is on the last page of each', async () => {
    fake = new FakeAws().install();
    fake.serverless.xray.traceSummaryPageSize = 3;
    fake.serverless.xray.tracesPerPage = 2;
    const { result } = await deploy('pg');
    const api = (result as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
    for (let i = 0; i < 7; i++) expect((await fake.fetch(api)).status).toBe(200);
    const r = await runTap(['trace', '--env', 'pg', '--since', '30m', '--detail', '--json'], { clock: () => new Date('2026-11-25T12:20:00Z') });
    expect(r.code).toBe(0);
    const found = ndjson(r.stdout).result as { summaries: { Id: string }[]; traces: { Id: string }[] };
    const all = [...fake.serverless.xray.traces.keys()];
    expect(all).toHaveLength(7);
    expect(found.summaries.map((s) => s.Id).sort()).toEqual([...all].sort());
    expect(found.traces.map((t) => t.Id)).toEqual(found.summaries.map((s) => s.Id));
    expect(fake.calls.filter((c) => c === 'GetTraceSummaries').length).toBe(3);
  });

  it('GetServiceGraph: a service on a later page than the edge that leads to it is still named', async () => {
    fake = new FakeAws().install();
    fake.serverless.xray.serviceGraphPageSize = 2;
    const { result } = await deploy('pg');
    const api = (result as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
    for (let i = 0; i < 3; i++) expect((await fake.post(`${api}events`, '{"type":"order.created"}')).status).toBe(202);
    for (let i = 0; i < 5; i++) await fake.serverless.pump();
    const r = await runTap(['trace', '--env', 'pg', '--map', '--since', '30m', '--json']);
    expect(r.code).toBe(0);
    const services = (ndjson(r.stdout).result as { services: { name: string; type: string; requests: number; edges: { to: string; requests: number }[] }[] }).services;
    expect(fake.calls.filter((c) => c === 'GetServiceGraph').length).toBeGreaterThanOrEqual(3);
    expect(services.map((s) => `${s.name} ${s.type}`)).toEqual(expect.arrayContaining(['srv-handler-pg AWS::Lambda', 'srv-handler-pg AWS::Lambda::Function', 'srv-processor-pg AWS::Lambda::Function']));
    expect(services.find((s) => s.type === 'AWS::ApiGateway::Stage')?.requests).toBe(3);
    const handler = services.find((s) => s.name === 'srv-handler-pg' && s.type === 'AWS::Lambda');
    expect(handler?.edges).toEqual([expect.objectContaining({ to: 'srv-handler-pg', requests: 3 })]);
    expect(services.flatMap((s) => s.edges.map((e) => e.to))).not.toContain('?');
  });

  it('ListReplays: list shows the replays of every page; status finds the latest on the last one', async () => {
    fake = new FakeAws().install();
    await deploy('pg');
    const archive = fake.cloudFormation.resources('AWS::Events::Archive')[0]!;
    fake.serverless.replayLimit = 100;
    for (let i = 0; i < 12; i++) {
      fake.serverless.startReplay({ ReplayName: `pg-r${i}`, EventSourceArn: archive.arn, EventStartTime: new Date(0), EventEndTime: new Date(1), Destination: { Arn: String(archive.properties.SourceArn) } });
      fake.serverless.replays.get(`pg-r${i}`)!.state = i === 11 ? 'FAILED' : 'COMPLETED';
    }
    const list = ndjson((await runTap(['replay-archive', 'list', '--env', 'pg', '--json'])).stdout).result as { replays: { name: string }[] };
    expect(list.replays).toHaveLength(12);
    expect(list.replays[0]?.name).toBe('pg-r11');
    const status = await runTap(['status', '--env', 'pg', '--json'], { fetch: fake.fetch });
    const lines = (JSON.parse(status.stdout) as { lines: { id: string; summary: string }[] }).lines;
    expect(lines.find((l) => l.id === 'replays')?.summary).toBe('0 in progress; latest pg-r11 FAILED');
  });

  it("ListObjectsV2: a replay's receipts counted over every page (S3 pages at 1,000 keys)", async () => {
    fake = new FakeAws().install();
    fake.s3.createBucket('data');
    for (let i = 0; i < 1001; i++) fake.s3.putObject('data', `${replayReceiptPrefix('r')}${String(i).padStart(4, '0')}.json`, '{}');
    fake.s3.putObject('data', 'receipts/other.json', '{}');
    expect(await countReplayReceipts('data', 'r', testDeps())).toBe(1001);
    expect(fake.calls.filter((c) => c === 'ListObjectsV2')).toHaveLength(2);
  });
});
