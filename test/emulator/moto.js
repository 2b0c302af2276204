// moto server for the emulator suite: on a free loopback port, answered before the suite goes on,
// and stopped (by the pid this module started, nothing else) at the end, on failure and on Ctrl-C.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const READY_MS = 30_000;

/** A port nothing listens on now: the kernel picks it for a throwaway listener. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the endpoint answers HTTP at all (moto's own dashboard API answers 200). */
async function waitUntilUp(endpoint, child) {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before answering`);
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${endpoint} did not answer within ${READY_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The emulator to run against: AWS_ENDPOINT_URL when set (left running: it is not ours), otherwise
 * a moto_server of our own. `stop()` is safe to call more than once.
 */
export async function startEmulator(env = process.env) {
  if (env.AWS_ENDPOINT_URL) {
    await waitUntilUp(env.AWS_ENDPOINT_URL);
    return { endpoint: env.AWS_ENDPOINT_URL.replace(/\/$/, ''), own: false, stop: async () => {} };
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const spawned = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new Error(`cannot start moto_server: ${e.message}`)));
  });
  const killNow = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', killNow); // the last resort: the suite never leaves a moto_server behind
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(killNow, 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await spawned;
    await waitUntilUp(endpoint, child);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n${log.join('').slice(-2000)}`, { cause: error });
  }
  return { endpoint, own: true, pid: child.pid, stop, log: () => log.join('') };
}
