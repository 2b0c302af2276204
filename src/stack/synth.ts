import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { untilInterrupted } from '../errors.js';
import type { Built } from './build.js';
import { startValidator } from './cfn-validate.js';
import { DEFAULT_SETTINGS, type StackSettings } from './settings.js';
import { buildKey, SynthCache, validationKey } from './synth-cache.js';

/** CloudFormation's quotas on one template (AWS CloudFormation User Guide, "quotas"). */
export const CFN_LIMITS = {
  /** Largest template sent inline as TemplateBody; larger ones must be staged in S3 (TemplateURL). */
  templateBodyBytes: 51_200,
  /** Largest template accepted at all, from S3. */
  templateUrlBytes: 1_000_000,
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
} as const;

export interface Finding {
  readonly level: 'error' | 'warning';
  /** Construct path or logical id, e.g. `TapStack-dev/Handler/Resource`. */
  readonly path: string;
  readonly message: string;
}

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; [k: string]: unknown }>;
  Outputs?: Record<string, { Description?: string; Value: unknown }>;
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface Synthesized {
  readonly env: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Exactly what deploy sends: compact JSON. */
  readonly templateBody: string;
  /** Errors and warnings from cdk-nag, CloudFormation validation and CloudFormation's quotas. */
  readonly findings: readonly Finding[];
  /** cdk-nag and validation rules acknowledged next to their constructs, with a reason. */
  readonly acknowledged: number;
  /** What the synth cache answered: the build (cdk-nag's findings with it), and the template's validation. */
  readonly cache: { readonly build: CacheUse; readonly validation: CacheUse };
}

/** `off`: no cache (`--no-cache`, or none given). */
export type CacheUse = 'hit' | 'miss' | 'off';

export interface SynthesizeOptions {
  /** Where the synth cache lives (see `synth-cache.ts`). @default no cache: build and validate */
  readonly cacheDir?: string;
  /** Aborting it stops the build and the validation (their worker threads) at once. */
  readonly signal?: AbortSignal;
  /** What the env's settings put into the template (thresholds, e-mails, retention, the processor's size). @default DEFAULT_SETTINGS */
  readonly settings?: StackSettings;
}

/** The build's worker entry, beside this file once built; from TypeScript sources (tests) there is none. */
const BUILD_WORKER = import.meta.url.endsWith('.js') ? new URL('./build-worker.js', import.meta.url) : undefined;

/**
 * Synthesizes the env's stack (no AWS calls), with cdk-nag's AwsSolutions and Serverless packs,
 * aws-cdk-lib's CloudFormation validation, and CloudFormation's quotas. An unchanged stack is read
 * from the cache: no aws-cdk-lib, no validation engine. Otherwise the build (in a worker thread from
 * the built CLI) and the validation engine's start run side by side.
 */
export async function synthesize(env: string, tapVersion: string, options: SynthesizeOptions = {}): Promise<Synthesized> {
  const cache = options.cacheDir === undefined ? undefined : new SynthCache(options.cacheDir);
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const key = cache && buildKey(env, tapVersion, settings);
  const cached = key ? cache.get('build', key, isBuilt) : undefined;
  const outdir = mkdtempSync(join(tmpdir(), 'tap-synth-'));
  // Speculative: a stack whose code changed rarely yields a template validated before.
  let validator = cached ? undefined : startValidator(outdir);
  let validations = 0;
  let validationUse: CacheUse = cache ? 'miss' : 'off';
  /** The template's validation findings: from the cache, or from the engine (and then cached). */
  const validate = async (templateBody: string): Promise<Finding[]> => {
    const vkey = cache && validationKey(templateBody);
    const hit = vkey ? cache.get('validation', vkey, isFindings) : undefined;
    if (vkey) validationUse = hit ? 'hit' : 'miss'; // the last template validated is the one returned
    if (hit) return hit;
    const templatePath = join(outdir, `template-${++validations}.validate.json`);
    writeFileSync(templatePath, templateBody);
    validator ??= startValidator(outdir);
    const found = await validator.validate(templatePath);
    if (vkey) cache.put('validation', vkey, found);
    return found;
  };
  // Started as soon as the build has written the template (before cdk-nag has run over it); used
  // only when it is the template the build returns.
  let early: { body: Promise<string>; findings: Promise<Finding[]> } | undefined;
  const onTemplate = (file: string): void => {
    const body = Promise.resolve(file).then((f) => JSON.stringify(JSON.parse(readFileSync(f, 'utf8'))));
    early = { body, findings: body.then(validate) };
    early.findings.catch(() => {}); // awaited below; a build that fails first must not leave it unhandled
  };
  try {
    const built = cached ?? (await untilInterrupted(build(env, tapVersion, outdir, settings, options.signal, onTemplate), options.signal));
    if (key && !cached) cache.put('build', key, built);
    const templateBody = JSON.stringify(built.template);
    const validation = await untilInterrupted(early && (await early.body.catch(() => undefined)) === templateBody ? early.findings : validate(templateBody), options.signal);
    const findings = [...built.findings, ...validation, ...quotaFindings(built.template, templateBody, built.stackName)];
    const use = { build: cache ? (cached ? 'hit' : 'miss') : 'off', validation: validationUse } as const;
    return { env, stackName: built.stackName, template: built.template, templateBody, findings, acknowledged: built.acknowledged, cache: use };
  } finally {
    await validator?.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Builds in a worker thread from the built CLI (ended at once when `signal` aborts), in-process from sources. */
async function build(env: string, tapVersion: string, outdir: string, settings: StackSettings, signal: AbortSignal | undefined, onTemplate: (templatePath: string) => void): Promise<Built> {
  if (!BUILD_WORKER) return (await import('./build.js')).buildTemplate(env, tapVersion, outdir, settings, onTemplate);
  const thread = new Worker(BUILD_WORKER, { workerData: { env, tapVersion, outdir, settings } });
  const stop = (): void => void thread.terminate();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await new Promise<Built>((resolve, reject) => {
      type Answer = { templatePath: string } | { built: Built } | { error: { message: string; stack?: string } };
      thread.on('message', (m: Answer) => {
        if ('templatePath' in m) onTemplate(m.templatePath);
        else if ('error' in m) reject(Object.assign(new Error(m.error.message), { stack: m.error.stack }));
        else resolve(m.built);
      });
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`the stack build stopped (exit code ${code})`)));
    });
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
}

function isBuilt(v: unknown): v is Built {
  const b = v as Built;
  return typeof b?.stackName === 'string' && typeof b.template === 'object' && b.template !== null && isFindings(b.findings) && typeof b.acknowledged === 'number';
}

function isFindings(v: unknown): v is Finding[] {
  return Array.isArray(v) && v.every((f: Finding) => (f?.level === 'error' || f?.level === 'warning') && typeof f.path === 'string' && typeof f.message === 'string');
}

/** An error for each of CloudFormation's quotas on one template that the template exceeds. */
export function quotaFindings(template: CfnTemplate, body: string, stackName: string): Finding[] {
  const counts: [string, number, number][] = [
    ['resources', Object.keys(template.Resources ?? {}).length, CFN_LIMITS.resources],
    ['outputs', Object.keys(template.Outputs ?? {}).length, CFN_LIMITS.outputs],
    ['parameters', Object.keys(template.Parameters ?? {}).length, CFN_LIMITS.parameters],
    ['mappings', Object.keys(template.Mappings ?? {}).length, CFN_LIMITS.mappings],
    ['template bytes', Buffer.byteLength(body), CFN_LIMITS.templateUrlBytes],
  ];
  return counts
    .filter(([, count, limit]) => count > limit)
    .map(([what, count, limit]) => ({ level: 'error', path: stackName, message: `${count} ${what}, over CloudFormation's limit of ${limit}` }));
}
