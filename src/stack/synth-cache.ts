import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs } from '../io/files.js';
import { DEFAULT_SETTINGS, type StackSettings } from './settings.js';

/**
 * The synth cache: what an unchanged stack synthesizes to, and the CloudFormation validation findings
 * of a template, kept in the user's cache directory so that an unchanged `tap synth`, `tap diff` or
 * no-op `tap deploy` neither builds the CDK app nor starts the validation engine.
 *
 * Two kinds of entry, each one JSON file named by a SHA-256:
 * - `build-<hash>`: the template, cdk-nag findings and acknowledgement count, keyed by everything the
 *   build reads: the env name, tap's version, the env's stack settings (settings.ts), every file of the stack's code (src/ or dist/ stack
 *   modules and the Lambda sources), the versions of aws-cdk-lib, cdk-nag and constructs, and the two
 *   environment variables through which aws-cdk-lib's App takes context. The stack is
 *   environment-agnostic (no account or region lookups), so nothing else goes into the template.
 * - `validation-<hash>`: the validation findings, keyed by the template's bytes and the validator's
 *   version (aws-cdk-lib's).
 * An entry that cannot be read or parsed, or holds another key, is a miss and is written anew. Writes
 * go to a temporary file that is then renamed, so concurrent runs never see half an entry. A hit
 * touches its entry; each write removes entries unused for `CACHE_LIMITS.maxAgeDays` and the least
 * recently used beyond `CACHE_LIMITS.maxEntries` (an entry is ~40 KB), so the directory stays small.
 */

/** How much the synth cache keeps (see above). */
export const CACHE_LIMITS = { maxAgeDays: 30, maxEntries: 200 } as const;

/** `TAP_CACHE_DIR`, else `$XDG_CACHE_HOME/tap`, else `~/.cache/tap`. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.TAP_CACHE_DIR) return env.TAP_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'tap');
  return join(env.HOME || homedir(), '.cache', 'tap');
}

const FORMAT = 1;
const require = createRequire(import.meta.url);

/** The installed version of a dependency (aws-cdk-lib, cdk-nag, constructs). */
export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** aws-cdk-lib's version: the version of its CloudFormation validation engine. */
export function validatorVersion(): string {
  return packageVersion('aws-cdk-lib');
}

/** Every file below `dir`, as paths relative to `base`, sorted. */
function filesBelow(dir: string, base: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.map'))
    .map((d) => relative(base, join(d.parentPath, d.name)))
    .sort();
}

/** The build key: a hash of everything that decides the synthesized template (see above). */
export function buildKey(env: string, tapVersion: string, settings: StackSettings = DEFAULT_SETTINGS): string {
  const hash = createHash('sha256');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const code = fileURLToPath(new URL('.', import.meta.url)); // src/stack or dist/stack
  const functions = fileURLToPath(new URL('../../src/stack/functions/', import.meta.url));
  const files = [...new Set([...filesBelow(code, root), ...filesBelow(functions, root)])].sort();
  hash.update(JSON.stringify({ format: FORMAT, env, tapVersion, settings, packages: ['aws-cdk-lib', 'cdk-nag', 'constructs'].map(packageVersion) }));
  hash.update(JSON.stringify([process.env.CDK_CONTEXT_JSON ?? null, process.env.CDK_CONTEXT_OVERFLOW_LOCATION ?? null]));
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

/** The validation key: the template's bytes and the validator's version. */
export function validationKey(templateBody: string): string {
  return createHash('sha256').update(`${FORMAT}\0${validatorVersion()}\0`).update(templateBody).digest('hex');
}

export class SynthCache {
  constructor(private readonly dir: string) {}

  /** The entry's value, or undefined when it is missing, unreadable, or not this key's. */
  get<T>(kind: 'build' | 'validation', key: string, valid: (value: unknown) => value is T): T | undefined {
    try {
      const file = this.file(kind, key);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; key?: unknown; value?: unknown };
      if (entry.format !== FORMAT || entry.key !== key || !valid(entry.value)) return undefined;
      const now = new Date();
      utimesSync(file, now, now); // last used, for pruning
      return entry.value;
    } catch {
      return undefined;
    }
  }

  /** Writes the entry atomically; a cache that cannot be written is only a slower next run. */
  put(kind: 'build' | 'validation', key: string, value: unknown): void {
    const file = this.file(kind, key);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      makeDirs(this.dir);
      writeFileSync(temp, JSON.stringify({ format: FORMAT, key, value }));
      renameSync(temp, file);
      this.prune(Date.now());
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // the directory itself is not there to hold it
      }
    }
  }

  /** Removes entries unused for too long, then the least recently used beyond the count. */
  prune(now: number): void {
    const entries = readdirSync(this.dir)
      .filter((name) => /^(build|validation)-[0-9a-f]{64}\.json$/.test(name))
      // An entry another run removed meanwhile counts as unused (its removal is then a no-op).
      .map((name) => ({ path: join(this.dir, name), used: statSync(join(this.dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => b.used - a.used);
    const oldest = now - CACHE_LIMITS.maxAgeDays * 86_400_000;
    for (const [i, entry] of entries.entries()) if (i >= CACHE_LIMITS.maxEntries || entry.used < oldest) rmSync(entry.path, { force: true });
  }

  private file(kind: string, key: string): string {
    return join(this.dir, `${kind}-${key}.json`);
  }
}
