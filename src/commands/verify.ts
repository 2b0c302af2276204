import { writeFileSync } from 'node:fs';
import type { CheckResult } from '../checks/check.js';
import type { Deps } from '../deps.js';
import { EXIT } from '../errors.js';
import { outputPath } from '../io/files.js';
import { wholeNumber } from '../options.js';
import { namesFor } from '../stack/naming.js';

export interface VerifyOptions {
  readonly env: string;
  /** Comma-separated check ids to run (with the checks they need). @default all */
  readonly only?: string;
  /** Comma-separated check ids to leave out. @default none */
  readonly skip?: string;
  /** Run the canary (`--no-canary`: read-only, nothing sent or written). @default true */
  readonly canary?: boolean;
  /** Add CloudFormation drift detection. @default false */
  readonly drift?: boolean;
  /** Seconds the canary waits for its receipt and trace. @default 60 */
  readonly timeout?: string;
  /** Write JUnit XML to this file. @default no file */
  readonly junit?: string;
  /** Warnings fail the run. @default false */
  readonly strict?: boolean;
}

export interface VerifyResult {
  readonly kind: 'verified';
  readonly env: string;
  readonly stackName: string;
  readonly passed: number;
  readonly failed: number;
  readonly warnings: number;
  readonly skipped: number;
  readonly durationMs: number;
  readonly strict: boolean;
  readonly checks: CheckResult[];
  readonly junitFile?: string;
}

const SYMBOL = { pass: '✔', fail: '✖', warn: '!', skip: '–' } as const;
const list = (v?: string): string[] | undefined => v?.split(',').map((s) => s.trim()).filter(Boolean);

export async function run(options: VerifyOptions, deps: Deps): Promise<VerifyResult> {
  const names = namesFor(options.env);
  const timeout = (wholeNumber('--timeout', options.timeout ?? '60', 1, 900) ?? 60) * 1000;
  const junitFile = outputPath('--junit', options.junit);
  const { selectChecks, runChecks } = await import('../checks/runner.js');
  const checks = selectChecks({ only: list(options.only), skip: list(options.skip), canary: options.canary ?? true, drift: options.drift ?? false });
  await deps.aws.cloudFormationReady();

  deps.io.notify({ level: 'progress', code: 'verify.start', text: `Verifying ${names.stack}: ${checks.map((c) => c.id).join(', ')}` });
  const started = performance.now();
  let finished = 0;
  const results = await runChecks(options.env, checks, deps, timeout, (r) => {
    finished++;
    deps.io.notify({ level: 'progress', code: 'verify.check', text: `${finished}/${checks.length} ${SYMBOL[r.status]} ${r.id} (${r.durationMs} ms)`, data: r });
  });
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  const strict = options.strict ?? false;
  if (junitFile) {
    const { toJUnit } = await import('../checks/junit.js');
    writeFileSync(junitFile, toJUnit(options.env, results, strict, deps.clock()));
  }
  return {
    kind: 'verified',
    env: options.env,
    stackName: names.stack,
    passed: count('pass'),
    failed: count('fail'),
    warnings: count('warn'),
    skipped: count('skip'),
    durationMs: Math.round(performance.now() - started),
    strict,
    checks: results,
    junitFile,
  };
}

export function render(r: VerifyResult): string {
  const idWidth = Math.max(...r.checks.map((c) => c.id.length));
  const titleWidth = Math.max(...r.checks.map((c) => c.title.length));
  const rows = r.checks.flatMap((c) => [
    `${SYMBOL[c.status]} ${c.id.padEnd(idWidth)}  ${c.title.padEnd(titleWidth)}  ${`${c.durationMs} ms`.padStart(8)}  ${c.detail}`,
    ...(c.remedy && c.status !== 'pass' ? [`  ${' '.repeat(idWidth)}  remedy: ${c.remedy}`] : []),
  ]);
  return [
    ...rows,
    `${r.stackName}: ${r.passed} passed, ${r.failed} failed, ${r.warnings} warning(s)${r.strict && r.warnings ? ' (failing: --strict)' : ''}, ${r.skipped} skipped in ${(r.durationMs / 1000).toFixed(1)} s`,
    ...(r.junitFile ? [`JUnit report written to ${r.junitFile}`] : []),
  ].join('\n');
}

export function exitCode(r: VerifyResult): number {
  if (r.checks.some((c) => c.awsError)) return EXIT.aws;
  return r.failed > 0 || (r.strict && r.warnings > 0) ? EXIT.failed : EXIT.ok;
}
