import { setFlagsFromString } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { serveValidation } from './cfn-validate.js';

// The worker thread that `startValidator` starts from the built CLI.
// Baseline WASM code only: optimizing tier-up jobs make the engine slow to start and slow to exit.
setFlagsFromString('--liftoff-only');
serveValidation(parentPort!, workerData as string);
