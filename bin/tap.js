#!/usr/bin/env node
// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in package-lock.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// One process for every command. (Synthesis once ran in a child Node.js with --single-threaded-gc:
// V8's parallel GC helpers competed with its two threads. What they were busy with was ~50 full
// collections in the validation engine's thread, gone since its heap is grown once; see
// src/stack/cfn-validate.ts. Measured in 20 interleaved pairs, the flags no longer change the time.)
const { main } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2));
// Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
process.exit(code);
