// Registers a module hook that prints every module the process resolves (used by startup.test.ts).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stdout.write('loaded ' + result.url + '\\n');
  return result;
}`)}`,
  import.meta.url,
);
