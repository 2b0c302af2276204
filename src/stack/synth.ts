import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { levelOf, startValidator } from './cfn-validate.js';

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
}

interface ReportFile {
  pluginReports?: {
    pluginName: string;
    violations: { ruleName: string; description: string; severity: string; violatingConstructs?: { constructPath: string }[] }[];
  }[];
}

/**
 * Synthesizes the env's stack in-process (no AWS calls), with cdk-nag's AwsSolutions and Serverless
 * packs as validation plugins, aws-cdk-lib's CloudFormation validation, and CloudFormation's quotas.
 */
export async function synthesize(env: string, tapVersion: string): Promise<Synthesized> {
  const outdir = mkdtempSync(join(tmpdir(), 'tap-synth-'));
  const validator = startValidator(outdir);
  try {
    const [{ App, Validations }, { AwsSolutionsChecks, ServerlessChecks }, { buildStack }] = await Promise.all([
      import('aws-cdk-lib'),
      import('cdk-nag'),
      import('./tap-stack.js'),
    ]);
    const app = new App({
      outdir,
      analyticsReporting: false,
      stackTraces: false,
      // Run by `startValidator` instead, so that its slow start overlaps with building the stack.
      builtinCloudFormationValidation: false,
      // tap reads the validation report and reports the findings itself.
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    const stack = buildStack(env, tapVersion, app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template as CfnTemplate;
    const templateBody = JSON.stringify(template);
    const findings: Finding[] = [
      ...artifact.messages
        .map((m) => ({ level: String(m.level), path: m.id, message: typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data) }))
        .filter((m): m is Finding => m.level === 'error' || m.level === 'warning'),
      ...reportFindings(join(outdir, 'validation-report.json')),
      ...(await validator.validate(artifact.templateFullPath)),
      ...quotaFindings(template, templateBody, stack.stackName),
    ];
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).length;
    return { env, stackName: stack.stackName, template, templateBody, findings, acknowledged };
  } finally {
    await validator.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The validation plugins' report (cdk-nag) as findings; no report file means nothing was reported. */
export function reportFindings(file: string): Finding[] {
  let report: ReportFile;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as ReportFile;
  } catch {
    return []; // no plugin reported anything
  }
  return (report.pluginReports ?? []).flatMap((plugin) =>
    plugin.violations.flatMap((v) =>
      (v.violatingConstructs ?? [{ constructPath: '' }]).map((c) => ({
        level: levelOf(v.severity),
        path: c.constructPath,
        message: `${v.ruleName}: ${v.description}`,
      })),
    ),
  );
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
