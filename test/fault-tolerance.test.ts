import { afterAll, describe, expect, it, vi } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap, type TapRun } from './helpers/run-tap.js';

vi.mock('../src/stack/synth.js', async (importOriginal) => (await import('./helpers/memo-synth.js')).memoSynth(importOriginal));

const fake = new FakeAws().install();
afterAll(() => fake.restore());
const BUCKET = 'srv-data-flt-123456789012-us-east-1';

/** Runs a command again after each failure, as an operator would, until it succeeds. */
async function untilDone(argv: string[], options: Parameters<typeof runTap>[1] = {}, maxRuns = 8): Promise<{ runs: number; last: TapRun }> {
  for (let runs = 1; ; runs++) {
    const last = await runTap(argv, typeof options === 'function' ? options : { ...options, clock: () => new Date(Date.parse('2026-11-25T13:00:00Z') + runs * 1000) });
    if (last.code === 0 || runs >= maxRuns) return { runs, last };
    // A failure says what it was: an AWS error that survived the retries, never a crash.
    expect(last.stderr + last.stdout).toMatch(/✖ |"kind":"error"/);
  }
}

describe('with 20% of AWS calls failing (throttling, 5xx, timeouts, resets)', () => {
  it('deploy, verify, replay and destroy still end correctly; a command run again finishes the job', async () => {
    fake.faultRate = 0.2;
    const report: string[] = [];
    const step = async (name: string, argv: string[], options: Parameters<typeof runTap>[1] = {}) => {
      const callsBefore = fake.calls.length;
      const faultsBefore = fake.faultsInjected;
      const result = await untilDone(argv, options);
      report.push(`${name}: ${result.runs} run(s), ${fake.calls.length - callsBefore} calls, ${fake.faultsInjected - faultsBefore} failed on purpose`);
      expect(result.last.code, `${name} did not finish:\n${result.last.stderr}`).toBe(0);
      return result.last;
    };

    await step('deploy', ['deploy', '--env', 'flt']);
    expect(fake.cloudFormation.stack('TapStack-flt')?.status).toBe('CREATE_COMPLETE');

    const verified = await step('verify', ['verify', '--env', 'flt', '--json'], { fetch: fake.fetch });
    expect(JSON.parse(verified.stdout)).toMatchObject({ failed: 0 });

    // Three app events through the API (its HTTP is not faulted), then their window replayed.
    fake.faultRate = 0;
    const api = (await runTap(['deploy', '--env', 'flt', '--json'])).stdout;
    const url = (ndjson(api).result as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
    for (let i = 0; i < 3; i++) await fake.fetch(`${url}events`, { method: 'POST', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=t' }, body: `{"type":"order","correlationId":"order-000${i}"}` });
    for (let i = 0; i < 5; i++) await fake.serverless.pump();
    fake.faultRate = 0.2;

    const replayed = await step('replay', ['replay', '--env', 'flt', '--from', '2026-11-25T11:00:00Z', '--to', '2026-11-25T12:59:00Z', '--json']);
    const result = ndjson(replayed.stdout).result as { kind: string; reprocessed: number; replay: { name: string } };
    // Every archived event in the window: the three app events and the canaries of verify's runs.
    const archived = fake.serverless.archived.get('srv-archive-flt') ?? [];
    expect(archived.filter((e) => e.source === 'tap.app')).toHaveLength(3);
    expect(result).toMatchObject({ kind: 'completed', reprocessed: archived.length });

    await step('destroy', ['destroy', '--env', 'flt', '--yes']);
    fake.faultRate = 0;
    expect(fake.cloudFormation.stack('TapStack-flt')).toBeUndefined();
    expect(fake.s3.buckets.has(BUCKET)).toBe(false);
    expect(fake.faultsInjected).toBeGreaterThan(10);
    console.log(`fault tolerance at 20%: ${report.join('; ')}`);
  });
});
