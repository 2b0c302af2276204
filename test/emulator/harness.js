// The suite's plumbing: the SDK clients against the emulator, the built CLI as a child process, and
// the table of steps with its final `N passed, N failed, N skipped` line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const REGION = 'us-east-1';
const KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };

export async function clients(endpoint) {
  const [cfn, events, sqs, s3, lambda, apiGateway, xray, kms, cloudWatch] = await Promise.all(
    ['cloudformation', 'eventbridge', 'sqs', 's3', 'lambda', 'api-gateway', 'xray', 'kms', 'cloudwatch'].map((s) => import(`@aws-sdk/client-${s}`)),
  );
  const config = { endpoint, region: REGION, credentials: KEYS, maxAttempts: 2 };
  return {
    sdk: { cfn, events, sqs, s3, lambda, apiGateway, xray, kms, cloudWatch },
    cfn: new cfn.CloudFormationClient(config),
    events: new events.EventBridgeClient(config),
    sqs: new sqs.SQSClient(config),
    s3: new s3.S3Client({ ...config, forcePathStyle: true }),
    lambda: new lambda.LambdaClient(config),
    apiGateway: new apiGateway.APIGatewayClient(config),
    xray: new xray.XRayClient(config),
    kms: new kms.KMSClient(config),
    cloudWatch: new cloudWatch.CloudWatchClient(config),
  };
}

/** The environment a user's shell would give tap: dummy keys and a region, nothing else of AWS's. */
export function cliEnv() {
  const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return { ...own, CI: 'true', AWS_REGION: REGION, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

const running = new Set();

/** `node bin/tap.js ARGS --endpoint-url E`; resolves { code, result (the last JSON line), lines, stderr }. */
export function tap(endpoint, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tap.js', ...args, '--endpoint-url', endpoint], { cwd: root, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      // The result is pretty JSON, or one line after streamed NDJSON events (src/io/json.ts).
      const lines = stdout.trim().split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
      let result = lines.at(-1);
      try {
        result = JSON.parse(stdout);
      } catch {
        // NDJSON: the last line is the result
      }
      resolve({ code: code ?? signal, result, lines, stdout, stderr, args: args.join(' ') });
    });
  });
}

/** Every CLI still running (on Ctrl-C): stopped by the pids this module started. */
export function stopChildren() {
  for (const child of running) child.kill('SIGTERM');
}

/** What tap said went wrong, in one line: with --json the final `{"kind":"error",...}` line's message, else stderr's last line. */
export function said(r) {
  return r.result?.kind === 'error' ? r.result.message : (r.stderr.trim().split('\n').at(-1) ?? '');
}

/** A failed expectation; `r` adds the command, its exit code and what it printed last. */
export function expect(condition, message, r) {
  if (condition) return;
  const context = r ? ` [tap ${r.args}: exit ${r.code}; ${(r.result ? JSON.stringify(r.result) : said(r)).slice(0, 400)}]` : '';
  throw new Error(`${message}${context}`);
}

/** A step the emulator cannot do: reported as skipped with why, never silently. */
export class Skip extends Error {}

export class Table {
  rows = [];

  async step(id, run) {
    const started = performance.now();
    const at = this.rows.length; // rows a step adds while it runs (what it skipped) go after its own
    try {
      const detail = await run();
      this.rows.splice(at, 0, { id, status: 'pass', ms: performance.now() - started, detail });
      return true;
    } catch (error) {
      const status = error instanceof Skip ? 'skip' : 'fail';
      this.rows.splice(at, 0, { id, status, ms: performance.now() - started, detail: error.message.replace(/\s+/g, ' ') });
      if (process.env.TAP_EMULATOR_VERBOSE) console.error(error);
      return false;
    }
  }

  skip(id, why) {
    this.rows.push({ id, status: 'skip', ms: 0, detail: why });
  }

  counts() {
    const n = (s) => this.rows.filter((r) => r.status === s).length;
    return { passed: n('pass'), failed: n('fail'), skipped: n('skip') };
  }

  print(out = process.stdout) {
    const width = Math.max(4, ...this.rows.map((r) => r.id.length));
    out.write(`${'STEP'.padEnd(width)}  RESULT  ${'TIME'.padStart(7)}  DETAIL\n`);
    for (const r of this.rows) out.write(`${r.id.padEnd(width)}  ${r.status.padEnd(6)}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(7)}  ${r.detail ?? ''}\n`);
    const { passed, failed, skipped } = this.counts();
    out.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
