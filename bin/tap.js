#!/usr/bin/env node
// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in npm-shrinkwrap.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// One process for every command, with V8's default garbage collection: its parallel helpers no
// longer compete with synthesis now that the validation engine's heap is grown once
// (src/stack/cfn-validate.ts).
const { main } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2));
// Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
process.exit(code);
