#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in package-lock.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Synthesis runs two busy threads (the stack and CloudFormation validation) on what is often a
// 2-core machine; V8's concurrent and parallel garbage collection then competes with both and
// nearly doubles the wall time. These are the flags `--single-threaded-gc` implies, set before any
// worker thread exists (each thread's heap reads them as it starts), less `--no-parallel-marking`:
// set while running, that one crashes V8 (a CHECK in its marker). One process, every command.
setFlagsFromString(
  '--no-concurrent-marking --no-concurrent-sweeping --no-concurrent-array-buffer-sweeping ' +
    '--no-parallel-scavenge --no-parallel-compaction --no-parallel-pointer-update',
);

const { main } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2));
// Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
process.exit(code);
