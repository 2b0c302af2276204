import { parentPort, workerData } from 'node:worker_threads';
import { buildTemplate } from './build.js';

// The worker thread that `synthesize` starts from the built CLI: builds the stack, posts the result.
const { env, tapVersion, outdir } = workerData as { env: string; tapVersion: string; outdir: string };
buildTemplate(env, tapVersion, outdir).then(
  (built) => parentPort!.postMessage({ built }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) } }),
);
