// `npm run bench`: wall times of the built CLI on this machine, each the median of several runs.
//   tap --help        target < 150 ms
//   tap synth         target <= 0.5 x `cdk synth` of the same stack (aws-cdk CLI, bench/cdk-app)
//   no-op deploy      API calls after synth against a deployed, unchanged stack: target <= 3, no change set
//   verify            wall time against the fake with 100 ms per call vs the sum of the checks: target <= 0.4
//   trace             fetch and render 1,000 traces at 50 ms per call; calls: target <= ceil(1000/5) + summary pages
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoopbackCloudFormation } from './loopback-cfn.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cdkApp = fileURLToPath(new URL('./cdk-app/', import.meta.url));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1' };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(label, runs, command, args, cwd) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
    samples.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}:\n${r.stderr}`);
  }
  const ms = median(samples);
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  (median of ${runs}: ${samples.map((s) => s.toFixed(0)).join(', ')})`);
  return ms;
}

const node = process.execPath;
const help = time('tap --help', 15, node, ['bin/tap.js', '--help'], root);
const tap = time('tap synth --env bench', 5, node, ['bin/tap.js', 'synth', '--env', 'bench'], root);
const cdkOut = mkdtempSync(join(tmpdir(), 'tap-bench-cdk-'));
const cdkArgs = [join(root, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', cdkOut];
const cdk = time('cdk synth (same stack)', 5, node, cdkArgs, cdkApp);
rmSync(cdkOut, { recursive: true, force: true });

// No-op deploy: the built CLI against a loopback CloudFormation that holds exactly this template.
const synthOut = mkdtempSync(join(tmpdir(), 'tap-bench-synth-'));
spawnSync(node, ['bin/tap.js', 'synth', '--env', 'bench', '--out', synthOut], { cwd: root, env });
const template = readFileSync(join(synthOut, 'TapStack-bench.template.json'), 'utf8');
rmSync(synthOut, { recursive: true, force: true });
const endpoint = await startLoopbackCloudFormation({ stackName: 'TapStack-bench', template, tags: { 'tap:env': 'bench' } });
const deployEnv = { ...env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_PROFILE: '' };
// Asynchronous spawn: the loopback server answers from this process while tap runs.
const deployResult = await new Promise((resolve) => {
  const child = spawn(node, ['bin/tap.js', 'deploy', '--env', 'bench', '--endpoint-url', endpoint.url, '--json'], { cwd: root, env: deployEnv });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.on('close', (code) => resolve({ code, out }));
});
await endpoint.close();
const calls = endpoint.requests;
const kind = deployResult.code === 0 ? JSON.parse(deployResult.out).kind : `exit ${deployResult.code}`;
console.log(`${'no-op deploy'.padEnd(34)} ${String(calls.length).padStart(6)} calls (${calls.join(', ')}; result: ${kind})`);

// verify needs the in-memory AWS fake (TypeScript), so it runs under vitest with bench/vitest.config.ts.
const timing = spawnSync(node, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'bench/vitest.config.ts'], { cwd: root, env, encoding: 'utf8' });
const traceLine = /BENCH trace wall=(\d+) pages=(\d+) batches=(\d+) drawn=(\d+) code=(\d+)/.exec(timing.stdout);
if (!traceLine) throw new Error(`trace timing did not report:\n${timing.stdout}\n${timing.stderr}`);
const [, traceWall, tracePages, traceBatches, traceDrawn] = traceLine.map(Number);
const verifyLine = /BENCH verify wall=(\d+) sum=(\d+) ratio=([\d.]+) failed=(\d+)/.exec(timing.stdout);
if (!verifyLine) throw new Error(`verify timing did not report:\n${timing.stdout}\n${timing.stderr}`);
const [, verifyWall, verifySum, verifyRatio, verifyFailed] = verifyLine;
console.log(`${'trace --detail, 1,000 traces'.padEnd(34)} ${String(traceWall).padStart(6)} ms  (${tracePages} summary pages + ${traceBatches} BatchGetTraces calls, ${traceDrawn} drawn)`);
console.log(`${'verify (100 ms per AWS call)'.padEnd(34)} ${verifyWall.padStart(6)} ms  (checks one after another: ${verifySum} ms; failed checks: ${verifyFailed})`);

const ratio = tap / cdk;
console.log('');
console.log(`tap --help: ${help.toFixed(0)} ms (target < 150 ms): ${help < 150 ? 'met' : 'MISSED'}`);
console.log(`tap synth / cdk synth: ${ratio.toFixed(2)} (target <= 0.50): ${ratio <= 0.5 ? 'met' : 'MISSED'}`);
const noop = kind === 'no-changes' && calls.length <= 3 && !calls.includes('CreateChangeSet');
console.log(`no-op deploy: ${calls.length} API calls after synth, no change set (target <= 3): ${noop ? 'met' : 'MISSED'}`);
const traceOk = traceDrawn === 1000 && traceBatches <= Math.ceil(1000 / 5);
console.log(`trace calls: ${tracePages + traceBatches} (target <= ${Math.ceil(1000 / 5)} + ${tracePages} pages): ${traceOk ? 'met' : 'MISSED'}`);
console.log(`verify / sequential checks: ${verifyRatio} (target <= 0.40): ${Number(verifyRatio) <= 0.4 && verifyFailed === '0' ? 'met' : 'MISSED'}`);
