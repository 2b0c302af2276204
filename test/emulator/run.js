// `npm run test:emulator`: the built CLI against moto server, an implementation of the AWS APIs
// that is not ours. Starts moto_server on a free loopback port (or uses AWS_ENDPOINT_URL), makes an
// env's resources through the SDK, drives `node bin/tap.js` as a user would, and prints a table of
// steps with a final `N passed, N failed, N skipped`; exit 1 on any failure. Not part of `npm test`.
// Where moto departs from AWS's documentation, see test/emulator/README.md: tap follows AWS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { namesFor } from '../../dist/stack/naming.js';
import { createEnv, deleteEnv } from './env.js';
import { clients, REGION, root, stopChildren, Table } from './harness.js';
import { startEmulator } from './moto.js';
import { startApi, startProcessor } from './stand-ins.js';
import { steps } from './steps.js';

/** moto's fixed account (its default MOTO_ACCOUNT_ID). */
const ACCOUNT = '123456789012';
/** The stand-in API's URL is http://127.0.0.1:PORT/<env>/: tap reads the REST API id from its first host label. */
const API_ID = '127';

// The SDK's warning that later releases need Node.js 22 (bin/tap.js silences it the same way).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('test:emulator: dist/ is missing; run `npm run build` first');
  process.exit(2);
}

const table = new Table();
const started = performance.now();
const stops = [];
let finished = false;

async function cleanup() {
  stopChildren();
  for (const stop of stops.reverse()) await stop().catch(() => {});
  stops.length = 0;
}

function end(extraFailure) {
  if (finished) return;
  finished = true;
  if (extraFailure) table.rows.push({ id: 'suite', status: 'fail', ms: 0, detail: extraFailure });
  process.stdout.write(`\nemulator suite: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  table.print();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void cleanup().then(() => {
      end(`interrupted by ${signal}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  });
}

try {
  const emulator = await startEmulator();
  stops.push(emulator.stop);
  process.stdout.write(`emulator: ${emulator.endpoint}${emulator.own ? ` (moto_server pid ${emulator.pid}, started by the suite)` : ' (AWS_ENDPOINT_URL)'}\n`);
  const c = await clients(emulator.endpoint);
  const names = namesFor(`emu-${Date.now().toString(36).slice(-6)}`);
  const ctx = { c, names, endpoint: emulator.endpoint };

  let functionEnv = {};
  const api = await startApi(names.env, () => functionEnv);
  stops.push(api.stop);
  const ok = await table.step('setup', async () => {
    ctx.env = await createEnv(c, names, { account: ACCOUNT, region: REGION, apiUrl: api.url, apiId: API_ID });
    if (!emulator.own) stops.push(() => deleteEnv(c, names, ctx.env));
    functionEnv = { TAP_ENV: names.env, EVENT_BUS_NAME: names.bus, DATA_BUCKET: ctx.env.bucket };
    const processor = startProcessor(c, { queueUrl: ctx.env.deliveryUrl, bucket: ctx.env.bucket, env: names.env });
    stops.push(processor.stop);
    ctx.processor = processor.state;
    return `env ${names.env}: stack, bus, archive, rule, queues, API ${ctx.env.apiId} stage ${names.env}, both functions${ctx.env.missing.length ? `; missing: ${ctx.env.missing.map((m) => m.what).join(', ')}` : ''}`;
  });
  // A group of steps runs at once (reads that wait on moto's retried 500s need not wait in line); their
  // rows keep the listed order.
  if (ok) {
    for (const group of steps) {
      const tables = group.map(() => new Table());
      await Promise.all(group.map(([id, run], i) => tables[i].step(id, () => run(ctx, tables[i]))));
      table.rows.push(...tables.flatMap((t) => t.rows));
    }
  }
  else table.skip('all steps', 'setup failed: nothing to run against');
  if (ctx.processor?.errors.length) table.rows.push({ id: 'stand-in processor', status: 'fail', ms: 0, detail: ctx.processor.errors[0] });
} catch (error) {
  await cleanup();
  end(error.message);
  process.exit(1);
}
await cleanup();
end();
process.exit(table.counts().failed ? 1 : 0);
