#!/usr/bin/env node
// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in npm-shrinkwrap.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// One process for every command, with V8's default garbage collection: its parallel helpers no
// longer compete with synthesis now that the validation engine's heap is grown once
// (src/stack/cfn-validate.ts).
const cli = new URL('../dist/cli.js', import.meta.url);
const { main } = await import(cli.href).catch(async (error) => {
  // A clone before `npm run build` (the published package ships dist/): say what to run, not a module trace.
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && !(await import('node:fs')).existsSync(cli)) {
    process.stderr.write('tap: dist/ is not built; in a clone of tap, run `npm run build` first\n');
    process.exit(1);
  }
  throw error;
});
const code = await main(process.argv.slice(2));
// Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
process.exit(code);
