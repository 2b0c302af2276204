import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { levelOf } from './cfn-validate.js';
import type { StackSettings } from './settings.js';
import type { CfnTemplate, Finding } from './synth.js';

/** What building the stack yields: everything synth reports except CloudFormation validation. */
export interface Built {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** cdk-nag's findings and the stack's own annotations (errors and warnings). */
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
 * Builds the env's CDK app and synthesizes it into `outdir`, with cdk-nag's AwsSolutions and
 * Serverless packs as validation plugins. The only module of synth that loads aws-cdk-lib: from the
 * built CLI it runs in a worker thread (`build-worker.ts`), so the main thread stays free for the
 * spinner and for Ctrl-C.
 */
export async function buildTemplate(env: string, tapVersion: string, outdir: string, settings?: StackSettings, onTemplate?: (templatePath: string) => void): Promise<Built> {
  // `aws-cdk-lib/core`, never the package root, here and in the stack's modules: an ESM import of
  // the root (a CommonJS barrel of lazy getters) reads every export and so loads all ~770 of its
  // modules (a third of a second); the stack and cdk-nag need ~330.
  const [{ App, Validations }, { AwsSolutionsChecks, ServerlessChecks }, { buildStack }] = await Promise.all([
    import('aws-cdk-lib/core'),
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
  const stack = buildStack(env, tapVersion, app, settings);
  // The first plugin sees the synthesized template before cdk-nag's run (a third of the build): it
  // hands the env stack's template on, so that CloudFormation validation runs beside cdk-nag.
  const own = `${sep}${stack.stackName}.template.json`;
  const handOn = {
    name: 'tap: template written',
    validate: (c: { templatePaths: string[] }) => {
      const path = c.templatePaths.find((p) => p.endsWith(own));
      if (path) onTemplate?.(path);
      return { success: true, violations: [] };
    },
  };
  Validations.of(app).addPlugins(handOn, new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const findings: Finding[] = [
    ...artifact.messages
      .map((m) => ({ level: String(m.level), path: m.id, message: typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data) }))
      .filter((m): m is Finding => m.level === 'error' || m.level === 'warning'),
    ...reportFindings(join(outdir, 'validation-report.json')),
  ];
  const acknowledged = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).length;
  return { stackName: stack.stackName, template: artifact.template as CfnTemplate, findings, acknowledged };
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
