// `npm run test:e2e`: the whole life of an env against a real AWS endpoint (an account, or an
// emulator through AWS_ENDPOINT_URL), driving the built CLI as a user would. Not part of `npm test`.
//   configured by: AWS_REGION, credentials or AWS_PROFILE, AWS_ENDPOINT_URL (optional)
//   TAP_E2E_SKIP=verify,trace,...   skips named steps, and says so in the summary
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDeploy, checkDestroy, checkStatus, expect } from './assert.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = process.env;
const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
const credentials =
  env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
  existsSync(env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'));
if (!region || !credentials) {
  console.log('e2e: no AWS configured (set AWS_REGION and credentials or AWS_PROFILE; AWS_ENDPOINT_URL for an emulator): nothing run');
  process.exit(0);
}

const STEPS = ['synth', 'deploy', 'deploy-again', 'verify', 'trace', 'status', 'replay', 'destroy', 'gone'];
const skip = new Set((env.TAP_E2E_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
for (const s of skip) if (!STEPS.includes(s)) throw new Error(`TAP_E2E_SKIP: unknown step '${s}' (steps: ${STEPS.join(', ')})`);
const name = `e2e-${Date.now().toString(36).slice(-6)}`;
const results = [];
const facts = {};

/** Runs bin/tap.js; returns the parsed last JSON line of stdout (the result) and the exit code. */
function tap(...args) {
  const r = spawnSync(process.execPath, ['bin/tap.js', ...args], { cwd: root, env: { ...env, CI: 'true' }, encoding: 'utf8', timeout: 1_800_000 });
  let result;
  try {
    result = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    try {
      result = JSON.parse(r.stdout);
    } catch {
      result = undefined;
    }
  }
  return { code: r.status, result, stderr: r.stderr };
}

function step(id, run) {
  if (skip.has(id)) return results.push({ id, status: 'skipped', ms: 0, detail: 'TAP_E2E_SKIP' });
  const started = performance.now();
  try {
    const detail = run();
    results.push({ id, status: 'pass', ms: performance.now() - started, detail });
  } catch (error) {
    results.push({ id, status: 'fail', ms: performance.now() - started, detail: error.message.split('\n')[0] });
  }
}

const sleep = (ms) => spawnSync(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`]);

try {
  step('synth', () => {
    const r = tap('synth', '--env', name, '--json');
    expect(r.code === 0 && r.result?.kind === 'synthesized', 'synth failed', r);
    return `${r.result.resourceCount} resources, every check passed`;
  });
  step('deploy', () => checkDeploy(tap('deploy', '--env', name, '--yes', '--json')));
  step('deploy-again', () => {
    const r = tap('deploy', '--env', name, '--yes', '--json');
    expect(r.code === 0 && r.result?.kind === 'no-changes', `second deploy was ${r.result?.kind}, not no-changes`, r);
    return 'no changes: the deployed stack matches the code';
  });
  facts.verifyStart = new Date(Date.now() - 60_000);
  step('verify', () => {
    const r = tap('verify', '--env', name, '--json', '--timeout', '120');
    const trace = r.result?.checks?.find((c) => c.id === 'canary-trace');
    facts.traceId = trace?.data?.traceId;
    const bad = (r.result?.checks ?? []).filter((c) => c.status !== 'pass');
    expect(r.code === 0, `verify: ${bad.map((c) => `${c.id} ${c.status}: ${c.detail}`).join('; ') || 'no result'}`, r);
    facts.verified = true;
    return `all ${r.result.checks.length} checks passed, the canary's trace ${facts.traceId}`;
  });
  step('trace', () => {
    expect(facts.traceId, 'no canary trace id from verify');
    // X-Ray indexes summaries a little after the trace: look for a while.
    for (let i = 0; i < 12; i++) {
      const r = tap('trace', '--env', name, '--since', '30m', '--limit', '100', '--json');
      if (r.result?.summaries?.some((s) => s.Id === facts.traceId)) return `the search found the canary's trace ${facts.traceId}`;
      sleep(10_000);
    }
    throw new Error(`trace search did not find ${facts.traceId}`);
  });
  step('status', () => checkStatus(tap('status', '--env', name, '--json'), facts.verified === true));
  step('replay', () => {
    sleep(30_000); // the archive receives events a little after the bus
    const r = tap('replay-archive', '--env', name, '--from', facts.verifyStart.toISOString(), '--json');
    expect(r.code === 0 && r.result?.kind === 'completed', `replay ended ${r.result?.replay?.state ?? 'without a result'}`, r);
    expect(r.result.reprocessed >= 1, 'the replay re-processed no event (the canary was not replayed)');
    return `COMPLETED: ${r.result.reprocessed} event(s) of the canary's window re-processed`;
  });
} finally {
  // Destroy in every case, then make sure nothing of the env remains.
  step('destroy', () => checkDestroy(tap('destroy', '--env', name, '--yes', '--json')));
  step('gone', () => {
    const r = tap('list', '--json');
    expect(r.code === 0, 'could not list the stacks', r);
    expect(!r.result?.envs?.some((e) => e.env === name), `TapStack-${name} still exists`);
    return `tap list shows no TapStack-${name}`;
  });
}

console.log(`\ne2e env: ${name} (region ${region}${env.AWS_ENDPOINT_URL ? `, endpoint ${env.AWS_ENDPOINT_URL}` : ''})`);
for (const r of results) console.log(`${r.status.padEnd(8)} ${r.id.padEnd(13)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(8)}  ${r.detail ?? ''}`);
const failed = results.filter((r) => r.status === 'fail').length;
console.log(`${results.filter((r) => r.status === 'pass').length} passed, ${failed} failed, ${results.filter((r) => r.status === 'skipped').length} skipped`);
process.exit(failed ? 1 : 0);
