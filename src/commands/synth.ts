import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand, option } from '../command.js';
import type { Deps } from '../deps.js';
import { outputDir } from '../io/files.js';
import { CFN_LIMITS, type Finding } from '../stack/synth.js';
import { synthesizeChecked } from '../synth/checked.js';

export interface SynthOptions {
  /** The env name. */
  readonly env: string;
  /**
   * Directory to write `<stack>.template.json` into: the compact JSON that deploy sends and that
   * `templateBytes` measures, byte for byte. @default no file is written
   */
  readonly out?: string;
  /** Read and write the synth cache (`--no-cache`: build and validate afresh). @default true */
  readonly cache?: boolean;
}

export interface SynthResult {
  readonly kind: 'synthesized';
  readonly env: string;
  readonly stackName: string;
  readonly templateBytes: number;
  /** True when the template is over CloudFormation's TemplateBody limit, so deploy stages it in S3. */
  readonly needsStaging: boolean;
  readonly resourceCount: number;
  readonly resources: Record<string, number>;
  readonly outputs: string[];
  readonly acknowledged: number;
  readonly warnings: readonly Finding[];
  readonly templateFile?: string;
}

export async function run(options: SynthOptions, deps: Deps): Promise<SynthResult> {
  const outDir = outputDir('--out', options.out);
  const s = await synthesizeChecked(options.env, deps, options);
  const resources: Record<string, number> = {};
  for (const r of Object.values(s.template.Resources ?? {})) resources[r.Type] = (resources[r.Type] ?? 0) + 1;
  let templateFile: string | undefined;
  if (outDir) {
    templateFile = join(outDir, `${s.stackName}.template.json`);
    // The measured body itself: a pretty-printed file would be larger than the size reported against the limit.
    writeFileSync(templateFile, s.templateBody);
  }
  const templateBytes = Buffer.byteLength(s.templateBody);
  return {
    kind: 'synthesized',
    env: s.env,
    stackName: s.stackName,
    templateBytes,
    needsStaging: templateBytes > CFN_LIMITS.templateBodyBytes,
    resourceCount: Object.keys(s.template.Resources ?? {}).length,
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))),
    outputs: Object.keys(s.template.Outputs ?? {}),
    acknowledged: s.acknowledged,
    warnings: s.findings.filter((f) => f.level === 'warning'),
    templateFile,
  };
}

export function render(r: SynthResult): string {
  const width = Math.max(...Object.keys(r.resources).map((t) => t.length));
  const size = r.needsStaging
    ? `over the ${CFN_LIMITS.templateBodyBytes.toLocaleString('en-US')}-byte TemplateBody limit: deploy stages it in S3`
    : `within the ${CFN_LIMITS.templateBodyBytes.toLocaleString('en-US')}-byte TemplateBody limit`;
  return [
    `${r.stackName}: ${r.resourceCount} resources, ${r.templateBytes.toLocaleString('en-US')} bytes (${size})`,
    ...Object.entries(r.resources).map(([type, n]) => `  ${type.padEnd(width)}  ${n}`),
    `Outputs: ${r.outputs.join(', ')}`,
    `Checks: cdk-nag AwsSolutions + Serverless, CloudFormation validation: ${r.warnings.length} warning(s), ${r.acknowledged} acknowledged with a reason`,
    ...(r.templateFile ? [`Template written to ${r.templateFile}`] : []),
  ].join('\n');
}

export default defineCommand({
  name: 'synth',
  summary: 'synthesize the stack offline, run cdk-nag and CloudFormation validation, and summarize it',
  env: 'required',
  offline: true,
  options: {
    out: option.string('dir', 'write the template to <dir>/TapStack-<env>.template.json', { short: 'o' }),
    cache: option.negatable('synthesize and validate afresh, without reading or writing the synth cache (TAP_CACHE_DIR, else $XDG_CACHE_HOME/tap or ~/.cache/tap)'),
  },
  examples: ['tap synth --env dev', 'tap synth --env dev --out cdk.out --json', 'tap synth --env dev --no-cache'],
  exits: { 1: "cdk-nag or CloudFormation validation found an error in tap's embedded stack (a defect of tap)" },
  permissions: 'none (offline, no credentials needed)',
  run: ({ env, out, cache }, deps) => run({ env: env.env, out, cache }, deps),
  render,
});
