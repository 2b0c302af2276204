import { parentPort, workerData } from 'node:worker_threads';
import { buildTemplate } from './build.js';
import type { StackSettings } from './settings.js';

// The worker thread that `synthesize` starts from the built CLI: builds the stack, posts the template's
// path as soon as it is written, then the result.
const { env, tapVersion, outdir, settings } = workerData as { env: string; tapVersion: string; outdir: string; settings?: StackSettings };
buildTemplate(env, tapVersion, outdir, settings, (templatePath) => parentPort!.postMessage({ templatePath })).then(
  (built) => parentPort!.postMessage({ built }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) } }),
);
