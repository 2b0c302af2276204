import { it } from 'vitest';
import { FakeAws } from '../test/fake-aws/index.js';
import { runTap } from '../test/helpers/run-tap.js';


const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// `tap verify` against the fake with every AWS call (and the API) answering after 100 ms: the wall
// time of the concurrent run against the sum of the checks' own durations (what one after another costs).
it('verify: concurrent wall time vs the sequential sum', async () => {
  const fake = new FakeAws().install();
  await runTap(['deploy', '--env', 'bench']);
  // A first run loads the SDK modules, so that the timed run measures the checks, not module loading.
  await runTap(['verify', '--env', 'bench'], { fetch: fake.fetch });
  fake.latencyMs = 100;
  fake.serverless.deliveryDelayMs = 300;
  const fetch: typeof globalThis.fetch = async (input, init) => (await realSleep(100), fake.fetch(input, init));
  const started = performance.now();
  const r = await runTap(['verify', '--env', 'bench', '--json'], { fetch, sleep: realSleep });
  const wall = performance.now() - started;
  fake.restore();
  const result = JSON.parse(r.stdout) as { failed: number; checks: { id: string; durationMs: number }[] };
  const sum = result.checks.reduce((n, c) => n + c.durationMs, 0);
  const ratio = wall / sum;
  const detail = result.checks.map((c) => `${c.id} ${c.durationMs}`).join(', ');
  console.log(`BENCH verify wall=${wall.toFixed(0)} sum=${sum} ratio=${ratio.toFixed(2)} failed=${result.failed} (${detail})`);
});
