// `npm run bench`: wall times of the built CLI on this machine, each the median of several runs.
//   tap --help        target < 150 ms
//   tap synth, cold   (--no-cache) target <= 0.3 x `cdk synth` of the same stack (aws-cdk CLI, bench/cdk-app)
//   tap synth, again  (unchanged stack, synth cache) target <= 0.5 x the cold run, peak memory <= 200 MiB
// Pairs are interleaved (A B A B ...) so that the machine's drift falls on both; min/median/max printed.
//   no-op deploy      API calls after synth against a deployed, unchanged stack, no change set: target <= 3
//                     with the account's own API Gateway role, <= 4 with TapShared's (its stack is read)
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
const cacheDir = mkdtempSync(join(tmpdir(), 'tap-bench-cache-'));
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1', TAP_CACHE_DIR: cacheDir };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function run(label, command, args, cwd) {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label} exited ${r.status}:\n${r.stderr}`);
  return { ms: performance.now() - start, stderr: r.stderr };
}

function report(label, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = median(samples);
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  (min/median/max of ${samples.length}: ${sorted[0].toFixed(0)} / ${ms.toFixed(0)} / ${sorted.at(-1).toFixed(0)})`);
  return ms;
}

function time(label, runs, command, args, cwd) {
  return report(label, Array.from({ length: runs }, () => run(label, command, args, cwd).ms));
}

/** Runs a and b alternately, `runs` times each; returns both medians. */
function interleaved(runs, a, b) {
  const samples = [[], []];
  for (let i = 0; i < runs; i++) [a, b].forEach((x, j) => samples[j].push(run(x.label, x.command, x.args, x.cwd).ms));
  return [report(a.label, samples[0]), report(b.label, samples[1])];
}

const node = process.execPath;
const help = time('tap --help', 15, node, ['bin/tap.js', '--help'], root);
const cdkOut = mkdtempSync(join(tmpdir(), 'tap-bench-cdk-'));
const cdkArgs = [join(root, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', cdkOut];
const cold = { label: 'tap synth --no-cache (cold)', command: node, args: ['bin/tap.js', 'synth', '--env', 'bench', '--no-cache'], cwd: root };
const [tap, cdk] = interleaved(5, cold, { label: 'cdk synth (same stack)', command: node, args: cdkArgs, cwd: cdkApp });
rmSync(cdkOut, { recursive: true, force: true });
run('prime the synth cache', node, ['bin/tap.js', 'synth', '--env', 'bench'], root);
const warmArgs = ['bench/max-rss.js', 'synth', '--env', 'bench'];
const [coldAgain, warm] = interleaved(5, cold, { label: 'tap synth, unchanged (cached)', command: node, args: ['bin/tap.js', 'synth', '--env', 'bench'], cwd: root });
const warmRssMiB = Number(/BENCH maxrss_kb=(\d+)/.exec(run('peak memory', node, warmArgs, root).stderr)[1]) / 1024;
const coldRssMiB = Number(/BENCH maxrss_kb=(\d+)/.exec(run('peak memory', node, [...warmArgs, '--no-cache'], root).stderr)[1]) / 1024;
console.log(`${'peak memory: cached / cold'.padEnd(34)} ${warmRssMiB.toFixed(0).padStart(6)} MiB / ${coldRssMiB.toFixed(0)} MiB`);

// No-op deploy: the built CLI against a loopback CloudFormation that holds exactly this template.
const synthOut = mkdtempSync(join(tmpdir(), 'tap-bench-synth-'));
spawnSync(node, ['bin/tap.js', 'synth', '--env', 'bench', '--out', synthOut], { cwd: root, env });
const template = readFileSync(join(synthOut, 'TapStack-bench.template.json'), 'utf8');
rmSync(synthOut, { recursive: true, force: true });
const deployEnv = { ...env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_PROFILE: '' };
/** The calls of a no-op deploy against a loopback CloudFormation that holds exactly this template. */
async function noopDeploy(sharedRole) {
  const endpoint = await startLoopbackCloudFormation({ stackName: 'TapStack-bench', template, tags: { 'tap:env': 'bench' }, sharedRole });
  // Asynchronous spawn: the loopback server answers from this process while tap runs.
  const result = await new Promise((resolve) => {
    const child = spawn(node, ['bin/tap.js', 'deploy', '--env', 'bench', '--endpoint-url', endpoint.url, '--json'], { cwd: root, env: deployEnv });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
  await endpoint.close();
  const kind = result.code === 0 ? JSON.parse(result.out).kind : `exit ${result.code}`;
  return { calls: endpoint.requests, kind };
}
const noops = { account: await noopDeploy(false), shared: await noopDeploy(true) };
for (const [role, { calls, kind }] of Object.entries(noops)) {
  console.log(`${`no-op deploy (${role} role)`.padEnd(34)} ${String(calls.length).padStart(6)} calls (${calls.join(', ')}; result: ${kind})`);
}

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

rmSync(cacheDir, { recursive: true, force: true });
const ratio = tap / cdk;
const warmRatio = warm / coldAgain;
console.log('');
console.log(`tap --help: ${help.toFixed(0)} ms (target < 150 ms): ${help < 150 ? 'met' : 'MISSED'}`);
console.log(`cold tap synth / cdk synth: ${ratio.toFixed(2)} (target <= 0.30): ${ratio <= 0.3 ? 'met' : 'MISSED'}`);
console.log(`unchanged tap synth / cold: ${warmRatio.toFixed(2)} (target <= 0.50): ${warmRatio <= 0.5 ? 'met' : 'MISSED'}`);
console.log(`unchanged tap synth peak memory: ${warmRssMiB.toFixed(0)} MiB (target <= 200 MiB): ${warmRssMiB <= 200 ? 'met' : 'MISSED'}`);
// The account's own role: the stack, its template, the account. TapShared's role adds the shared
// stack's DescribeStacks, so that a deleted TapShared is made again.
const noopOk = ({ calls, kind }, most) => kind === 'no-changes' && calls.length <= most && !calls.includes('CreateChangeSet');
console.log(`no-op deploy, account's own role: ${noops.account.calls.length} API calls after synth, no change set (target <= 3): ${noopOk(noops.account, 3) ? 'met' : 'MISSED'}`);
console.log(`no-op deploy, TapShared's role: ${noops.shared.calls.length} API calls after synth, no change set (target <= 4): ${noopOk(noops.shared, 4) ? 'met' : 'MISSED'}`);
const traceOk = traceDrawn === 1000 && traceBatches <= Math.ceil(1000 / 5);
console.log(`trace calls: ${tracePages + traceBatches} (target <= ${Math.ceil(1000 / 5)} + ${tracePages} pages): ${traceOk ? 'met' : 'MISSED'}`);
console.log(`verify / sequential checks: ${verifyRatio} (target <= 0.40): ${Number(verifyRatio) <= 0.4 && verifyFailed === '0' ? 'met' : 'MISSED'}`);
