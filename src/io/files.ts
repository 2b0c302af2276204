import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
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

/**
 * The absolute path of a directory a command will write into at its end (`synth --out`), made now
 * (`mkdir -p`) so that a path that cannot be one, or is not writable, is refused before any work.
 */
export function outputDir(option: string, dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  if (dir === '') throw new UsageError(`${option} needs a directory; it was given an empty value`);
  const path = resolve(dir);
  try {
    makeDirs(path);
  } catch (error) {
    throw new UsageError(`${option} ${dir}: cannot create directory ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!statSync(path).isDirectory()) throw new UsageError(`${option} ${dir} is not a directory`);
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${dir}: directory ${path} is not writable`);
  }
  return path;
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync never returns for a path below a
 * directory that refuses new entries with ENOENT (seen under /proc), and its loop on the main thread
 * would not even let Ctrl-C end tap.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}
