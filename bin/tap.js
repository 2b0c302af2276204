#!/usr/bin/env node
// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in package-lock.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Synthesis runs two busy threads (the stack and CloudFormation validation) on what is often a
// 2-core machine; V8's parallel garbage collector then competes with both and doubles the wall
// time. The flag only works from the command line, so commands that synthesize run in a child
// Node.js that has it (a few tens of milliseconds); --help and --version do not.
const GC_FLAG = '--single-threaded-gc';
const SYNTHESIZING = new Set(['synth', 'diff', 'deploy']);
const args = process.argv.slice(2);
if (!process.execArgv.includes(GC_FLAG) && args.some((a) => SYNTHESIZING.has(a))) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, GC_FLAG, process.argv[1], ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; this process only waits for it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.removeListener('SIGINT', ignore);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { main } = await import('../dist/cli.js');
  const code = await main(args);
  // Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
  process.exit(code);
}
