import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { it } from 'vitest';
import { faultTrace } from '../test/fixtures/traces.js';
import { runTap } from '../test/helpers/run-tap.js';

const delay = () => new Promise((r) => setTimeout(r, 50));
const NOW = new Date('2026-11-25T12:00:00Z');
const id = (n: number) => `1-6745a1b0-${String(n).padStart(24, '0')}`;

// `tap trace --detail` for 1,000 traces against an X-Ray that answers every call after 50 ms:
// wall time to fetch and render them all, and the calls made (target: ceil(1000/5) batch calls
// plus the summary pages).
it('trace: 1,000 traces at 50 ms per call', async () => {
  const xray = mockClient(XRayClient);
  const PAGE = 100;
  xray.on(GetTraceSummariesCommand).callsFake(async (input: { NextToken?: string }) => {
    await delay();
    const start = Number(input.NextToken ?? 0);
    const TraceSummaries = Array.from({ length: PAGE }, (_, i) => ({ Id: id(start + i), StartTime: new Date(NOW.getTime() - (start + i) * 1000), Duration: 0.3 }));
    return { TraceSummaries, NextToken: start + PAGE < 1000 ? String(start + PAGE) : undefined };
  });
  xray.on(BatchGetTracesCommand).callsFake(async (input: { TraceIds: string[] }) => {
    await delay();
    return { Traces: input.TraceIds.map((Id) => ({ ...faultTrace, Id })) };
  });
  const started = performance.now();
  const r = await runTap(['trace', '--env', 'bench', '--since', '1h', '--limit', '1000', '--detail'], { clock: () => NOW });
  const wall = performance.now() - started;
  const pages = xray.commandCalls(GetTraceSummariesCommand).length;
  const batches = xray.commandCalls(BatchGetTracesCommand).length;
  const drawn = r.stdout.split('\n').filter((l) => l.startsWith('trace ')).length;
  console.log(`BENCH trace wall=${wall.toFixed(0)} pages=${pages} batches=${batches} drawn=${drawn} code=${r.code}`);
  xray.restore();
});
