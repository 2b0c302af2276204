import { afterEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap, type TapRun } from './helpers/run-tap.js';


// A fresh account per lifecycle: the fake's clock moves a second per call, and each replay window is an hour.
let fake: FakeAws;
afterEach(() => fake.restore());

type Kinds = FakeAws['faultKinds'];
interface Step {
  runs: number;
  calls: number;
  faults: number;
}

/**
 * Runs a command again after each failure, as an operator would, until it succeeds. `effect` counts
 * a side effect (change sets, canary events, replays); no run may cause it more than once.
 */
async function untilDone(argv: string[], options: Parameters<typeof runTap>[1], effect: () => number, maxRuns = 8): Promise<{ runs: number; last: TapRun; effects: number }> {
  let effects = 0;
  for (let runs = 1; ; runs++) {
    const before = effect();
    const last = await runTap(argv, options); // at the fake's time, which moves on with every call
    const caused = effect() - before;
    expect(caused, `${argv[0]} run ${runs} caused ${caused} side effects`).toBeLessThanOrEqual(1);
    effects += caused;
    if (last.code === 0 || runs >= maxRuns) return { runs, last, effects };
    // A failure says what it was (an AWS error that survived the retries, a failed check), never a crash.
    if (process.env.TAP_FAULT_DEBUG) console.log(`${argv[0]} run ${runs}: ${last.stderr}${last.stdout}`);
    expect(`${last.stderr}${last.stdout}`).toMatch(/✖ |"kind":"error"|"status": ?"fail"/);
  }
}

/** deploy, verify, three app events, replay of their window, destroy: with `rate` of the calls faulted. */
async function lifecycle(env: string, rate: number, kinds: Kinds): Promise<Record<string, Step>> {
  fake = new FakeAws().install();
  fake.faultKinds = kinds;
  const steps: Record<string, Step> = {};
  const archived = () => fake.serverless.archived.get(`srv-archive-${env}`) ?? [];
  const step = async (name: string, argv: string[], effect: () => number, options: Parameters<typeof runTap>[1] = {}) => {
    const calls = fake.calls.length;
    const faults = fake.faultsInjected;
    fake.faultRate = rate;
    const result = await untilDone(argv, options, effect);
    fake.faultRate = 0;
    steps[name] = { runs: result.runs, calls: fake.calls.length - calls, faults: fake.faultsInjected - faults };
    expect(result.last.code, `${name} did not finish:\n${result.last.stderr}`).toBe(0);
    return result;
  };

  // The first deploy in an account also deploys TapShared: each stack gets at most one change set per run.
  const changeSets = (stack: string) => fake.cloudFormation.changeSetsByStack.get(stack) ?? 0;
  const deployed = await step('deploy', ['deploy', '--env', env], () => changeSets(`TapStack-${env}`));
  expect(changeSets('TapShared'), 'one TapShared change set per deploy run that created one').toBeLessThanOrEqual(deployed.runs);
  expect(fake.cloudFormation.stack(`TapStack-${env}`)?.status).toBe('CREATE_COMPLETE');
  expect(deployed.effects, 'one change set per deploy run that created one').toBeLessThanOrEqual(deployed.runs);

  const canaries = () => archived().filter((e) => e.source === 'tap.canary').length;
  const verified = await step('verify', ['verify', '--env', env, '--json'], canaries, { fetch: fake.fetch });
  expect(JSON.parse(verified.last.stdout)).toMatchObject({ failed: 0 });
  expect(verified.effects, 'one canary event per verify run').toBeLessThanOrEqual(verified.runs);

  // Three app events through the API, with no faults, then their window replayed.
  const api = (await runTap(['deploy', '--env', env, '--json'])).stdout;
  const url = (ndjson(api).result as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
  for (let i = 0; i < 3; i++) await fake.post(`${url}events`, `{"type":"order","correlationId":"order-000${i}"}`);
  for (let i = 0; i < 5; i++) await fake.serverless.pump();

  const replays = () => [...fake.serverless.replays.values()].filter((r) => r.source.endsWith(`/srv-archive-${env}`)).length;
  const replayed = await step('replay', ['replay', '--env', env, '--from', '2026-11-25T11:00:00Z', '--to', new Date(fake.clock.ms).toISOString(), '--json'], replays);
  const result = ndjson(replayed.last.stdout).result as { kind: string; reprocessed: number; replay: { name: string } };
  // Every archived event in the window, each re-processed once: the three app events and the canaries of verify's runs.
  expect(archived().filter((e) => e.source === 'tap.app')).toHaveLength(3);
  expect(result).toMatchObject({ kind: 'completed', reprocessed: archived().length });
  expect(replayed.effects, 'one replay').toBe(1);

  await step('destroy', ['destroy', '--env', env, '--yes'], () => 0);
  expect(fake.cloudFormation.stack(`TapStack-${env}`)).toBeUndefined();
  expect(fake.s3.buckets.has(`srv-data-${env}-123456789012-us-east-1`)).toBe(false);
  return steps;
}

const signed = (n: number) => (n < 0 ? `${n}` : `+${n}`);

describe('with 20% of AWS calls faulted: the lifecycle ends correctly with no duplicate side effect', () => {
  let clean: Record<string, Step> = {};
  const report = (name: string, steps: Record<string, Step>) =>
    console.log(
      `fault tolerance at 20%, ${name} (extra calls over a run without faults): ${Object.entries(steps)
        .map(([id, s]) => `${id}: ${s.runs} run(s), ${s.calls} calls (${signed(s.calls - (clean[id]?.calls ?? 0))}), ${s.faults} faulted`)
        .join('; ')}`,
    );

  it('without faults (the baseline)', async () => {
    clean = await lifecycle('flt-none', 0, ['error', 'lost']);
    report('none', clean);
  });

  it('errors: calls that fail before they take effect', async () => {
    report('errors', await lifecycle('flt-error', 0.2, ['error']));
    expect([fake.faultsByKind.error, fake.faultsByKind.lost]).toEqual([expect.any(Number), 0]);
    expect(fake.faultsByKind.error).toBeGreaterThan(10);
  });

  it('lost answers: calls that take effect and whose answer is lost (the canary\'s POSTs too)', async () => {
    report('lost answers', await lifecycle('flt-lost', 0.2, ['lost']));
    expect([fake.faultsByKind.error, fake.faultsByKind.lost]).toEqual([0, expect.any(Number)]);
    expect(fake.faultsByKind.lost).toBeGreaterThan(10);
  });

  it('both kinds by turns', async () => {
    report('both', await lifecycle('flt-both', 0.2, ['error', 'lost']));
    expect(Math.min(fake.faultsByKind.error, fake.faultsByKind.lost)).toBeGreaterThan(5);
  });
});
