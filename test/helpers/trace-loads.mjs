// Registers a module hook that prints every module the process resolves (used by startup.test.ts).
// The hook runs on the loader's own thread: it writes to fd 1 synchronously, since on Node.js 24
// what that thread writes to process.stdout is lost when tap ends with process.exit().
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(1, 'loaded ' + result.url + '\\n');
  return result;
}`)}`,
  import.meta.url,
);
