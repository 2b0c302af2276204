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

/** Where the schema is, for a person to open: beside this file in the repository, in the package once installed. */
export const SCHEMA_WHERE = 'tap.config.schema.json (in the installed package: node_modules/@tap-ops/cli/tap.config.schema.json)';

/**
 * Where text stops being JSON (RFC 8259), as an offset: V8's message gives a position for some
 * mistakes and only an excerpt for others, so tap finds the place itself. -1 when it is JSON.
 */
export function jsonErrorOffset(text: string): number {
  class Stop extends Error {}
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Stop();
  };
  const literal = (word: string): void => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') return void i++;
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
          i++;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
        else i++;
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-' || m[0] === '') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === '}') return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ']') return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (error) {
    if (error instanceof Stop) return i;
    throw error;
  }
}

/** `line 3, column 5` (both from 1) of an offset. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** What is wrong at a JSON syntax error, in a person's words: where, and what was found there. */
function syntaxError(text: string, error: Error): string {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return error.message; // (JSON.parse and this scanner agree on RFC 8259; kept for safety)
  const found = offset >= text.length ? 'the file ends too early' : `unexpected ${JSON.stringify(text[offset])}`;
  // V8's own words (without its position or its excerpt of the file) say what it expected.
  const expected = /^(Expected [^]*?) in JSON at position/.exec(error.message)?.[1];
  return `${lineAndColumn(text, offset)}: ${found}${expected ? ` (${expected.replace(/^Expected/, 'expected')})` : ''}`;
}

/** Reads and validates the file; any problem is a UsageError naming the file, the JSON path and the rule. */
export function loadConfig(file: string): Config {
  let data: unknown;
  let text: string;
  try {
    // Editors may write a UTF-8 byte-order mark; JSON.parse would refuse it as an unexpected token.
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`${file}: ${why}`, { hint: `the config file is JSON, as ${SCHEMA_WHERE} describes` });
  }
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${syntaxError(text, error as Error)}`, { code: 'ConfigInvalid', hint: `the config file is JSON, as ${SCHEMA_WHERE} describes` });
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
    throw new UsageError(`${file}: ${problems.join('; ')}`, { code: 'ConfigInvalid', hint: `every setting is described in ${SCHEMA_WHERE}` });
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
