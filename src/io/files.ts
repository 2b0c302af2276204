import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The absolute path of a file a command will write at its end (`--outputs-file`, `--junit`),
 * checked before any AWS call: its directory must exist and the path must not be a directory.
 */
export function outputPath(option: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const path = resolve(file);
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) throw new UsageError(`${option} ${file}: directory ${dirname(path)} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${option} ${file} is a directory`);
  return path;
}
