import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import type { Thresholds } from './stack/settings.js';

/**
 * `tap.config.json`: settings per env (and defaults for all), validated against
 * `tap.config.schema.json` (shipped with the package, for editors too). Found in the current
 * directory or a parent, or given with `--config FILE`. Command-line options override it.
 */
export const CONFIG_FILE = 'tap.config.json';

export interface EnvSettings {
  readonly account?: string;
  readonly region?: string;
  readonly tags?: Record<string, string>;
  readonly terminationProtection?: boolean;
  readonly alertEmails?: readonly string[];
  readonly alarms?: Partial<Thresholds>;
  readonly logRetentionDays?: number;
  readonly processor?: { readonly memoryMb?: number; readonly timeoutSeconds?: number };
}
type Key = keyof EnvSettings;
const KEYS: readonly Key[] = ['account', 'region', 'tags', 'terminationProtection', 'alertEmails', 'alarms', 'logRetentionDays', 'processor'];
/** Settings that are objects add up key by key, later layers winning; every other setting is the last layer's. */
const MERGED: readonly Key[] = ['tags', 'alarms', 'processor'];

interface ConfigFile {
  defaults?: EnvSettings;
  envs?: Record<string, EnvSettings>;
}

/** One effective setting and where it came from, e.g. `tap.config.json: envs["pr-*"].region`. */
export interface Sourced<T> {
  readonly value: T;
  readonly from: string;
}
export type Effective = { readonly [K in Key]?: Sourced<NonNullable<EnvSettings[K]>> };

/** The effective settings as plain values (what the stack is given: it knows no sources). */
export function valuesOf(settings: Effective): EnvSettings {
  return Object.fromEntries(KEYS.filter((k) => settings[k] !== undefined).map((k) => [k, settings[k]!.value]));
}

export interface Config {
  readonly file: string;
  /** The env's settings: the defaults, then every matching pattern in file order, then the exact name. */
  settingsFor(env: string): Effective;
}

/** The nearest `tap.config.json` from `dir` upwards. */
export function findConfig(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, CONFIG_FILE))) return join(d, CONFIG_FILE);
    if (dirname(d) === d) return undefined;
  }
}

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown>; propertyName?: string }[] | null };

function validator(): Validate {
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv') as new (options: object) => { compile(schema: object): Validate };
  const schema = JSON.parse(readFileSync(new URL('../tap.config.schema.json', import.meta.url), 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** A JSON pointer (`/envs/pr-*\/region`) as the path a person reads (`envs["pr-*"].region`). */
function jsonPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const step = (p: string): string => (/^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : /^\d+$/.test(p) ? `[${p}]` : `[${JSON.stringify(p)}]`);
  return parts.reduce((path, p) => `${path}${step(p)}`, '$');
}

/** Reads and validates the file; any problem is a UsageError naming the file, the JSON path and the rule. */
export function loadConfig(file: string): Config {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`${file}: ${why}`, { code: 'ConfigInvalid', hint: 'the config file is JSON; see tap.config.schema.json in the @tap-ops/cli package' });
  }
  const validate = validator();
  if (!validate(data)) {
    // A name that breaks a rule for names (propertyNames) is reported by its own path, once.
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames').map((e) => {
      if (e.propertyName !== undefined) {
        const why = e.keyword === 'not' ? 'is a reserved name (aws:... and tap:env are AWS\'s and tap\'s)' : `is not an allowed name: ${e.message ?? e.keyword}`;
        return `${jsonPath(e.instancePath)}[${JSON.stringify(e.propertyName)}]: ${why} (${e.keyword})`;
      }
      const at = e.keyword === 'additionalProperties' ? `${jsonPath(e.instancePath)}.${String(e.params.additionalProperty)}` : jsonPath(e.instancePath);
      const what = e.keyword === 'additionalProperties' ? 'is not a known setting' : e.keyword === 'enum' ? `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` : (e.message ?? e.keyword);
      return `${at}: ${what} (${e.keyword})`;
    });
    throw new UsageError(`${file}: ${problems.join('; ')}`, { code: 'ConfigInvalid', hint: 'see tap.config.schema.json in the @tap-ops/cli package for every setting' });
  }
  const config = data as ConfigFile;
  return { file, settingsFor: (env) => effective(config, env, file) };
}

function matches(pattern: string, env: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(env);
}

function effective(config: ConfigFile, env: string, file: string): Effective {
  const layers: [string, EnvSettings][] = [['defaults', config.defaults ?? {}]];
  const where = (name: string): string => jsonPath(`/envs/${name}`).slice(2); // envs.prod, envs["pr-*"]
  for (const [name, settings] of Object.entries(config.envs ?? {})) if (name.includes('*') && matches(name, env)) layers.push([where(name), settings]);
  if (config.envs?.[env]) layers.push([where(env), config.envs[env]]);
  const result: Record<string, Sourced<unknown>> = {};
  for (const key of KEYS) {
    const given = layers.filter(([, settings]) => settings[key] !== undefined);
    if (given.length === 0) continue;
    const merged = MERGED.includes(key);
    const used = merged ? given : given.slice(-1);
    const value: unknown = merged ? Object.fromEntries(used.flatMap(([, settings]) => Object.entries(settings[key] as object))) : used[0]![1][key];
    result[key] = { value, from: `${file}: ${used.map(([where]) => `${where}.${key}`).join(' + ')}` };
  }
  return result;
}
