#!/usr/bin/env node
// The SDK warns on every run under Node.js 20 that future SDK releases will need Node.js 22; tap
// pins its SDK version in package-lock.json, so the warning tells the user nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Synthesis runs two busy threads (the stack and CloudFormation validation) on what is often a
// 2-core machine; V8's parallel garbage collector then competes with both and doubles the wall
// time. The flag only works from the command line, so commands that synthesize run in a child
// Node.js that has it (a few tens of milliseconds). The command word decides, not any argument
// (`trace --path deploy` is not a deploy), and help or version output never needs it.
const GC_FLAG = '--single-threaded-gc';
const SYNTHESIZING = new Set(['synth', 'diff', 'deploy']);
/** Global options that take a value as the next argument (src/program.ts createProgram; a test keeps them in step), skipped to find the command word. */
const VALUED = new Set(['--region', '--profile', '--endpoint-url', '--config']);

/** The first argument that is neither an option nor an option's value. */
function commandWord(args) {
  for (let i = 0; i < args.length; i++) {
    if (VALUED.has(args[i])) i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

const args = process.argv.slice(2);
const wantsHelp = args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V');
if (!process.execArgv.includes(GC_FLAG) && SYNTHESIZING.has(commandWord(args)) && !wantsHelp) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, GC_FLAG, process.argv[1], ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; SIGTERM is often sent to this
  // process alone (by `timeout`, a CI runner), so it is passed on. The child decides the exit code.
  const ignore = () => {};
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    process.removeListener('SIGINT', ignore);
    process.removeListener('SIGTERM', forward);
    // A child killed by a signal: die of the same signal, now that no handler of ours catches it.
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { main } = await import('../dist/cli.js');
  const code = await main(args);
  // Exit now: nothing is left to do, and a background worker (CloudFormation validation) need not be awaited.
  process.exit(code);
}
