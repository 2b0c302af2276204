import { writeFileSync } from 'node:fs';
import { CHECK_SYMBOL, type CheckResult } from '../checks/check.js';
import type { Deps } from '../deps.js';
import { defineCommand, type Input, option } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { outputPath } from '../io/files.js';
import { row, truncate, visibleLength, wrap } from '../io/fit.js';
import { cell, type GitHubActions } from '../io/github.js';
import type { Style } from '../messages/types.js';

/** The check ids, for shell completion: read when asked, so that no run loads every check to start. */
const checkIds = async (): Promise<string[]> => (await import('../checks/index.js')).CHECKS.map((c) => c.id);

const VERIFY_OPTIONS = {
  only: option.csv('ids', 'run only these checks (comma-separated), with the checks they need', { choices: checkIds }),
  skip: option.csv('ids', 'leave these checks out (comma-separated)', { choices: checkIds }),
  canary: option.negatable('read-only: send no canary event, write nothing'),
  drift: option.flag('also run CloudFormation drift detection'),
  timeout: option.int('seconds', 'how long the canary waits for its receipt and trace', { min: 1, max: 900, default: 60 }),
  junit: option.string('file', 'write a JUnit XML report for CI'),
  strict: option.flag('warnings fail the run'),
};
type VerifyInput = Input<typeof VERIFY_OPTIONS, 'required'>;

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

export async function run(options: VerifyInput, deps: Deps): Promise<VerifyResult> {
  const names = options.env;
  const timeout = options.timeout * 1000;
  const junitFile = outputPath('--junit', options.junit);
  const { selectChecks, runChecks } = await import('../checks/runner.js');
  const checks = selectChecks({ only: options.only, skip: options.skip, canary: options.canary, drift: options.drift });
  if (checks.length === 0) throw new UsageError('--only and --skip leave no check to run', { hint: 'name at least one check that --skip does not remove' });
  await deps.aws.cloudFormationReady();

  deps.io.notify({ level: 'progress', code: 'verify.start', data: { stack: names.stack, checks: checks.map((c) => c.id) } });
  const started = performance.now();
  let finished = 0;
  const running = new Set(checks.map((c) => c.id));
  const results = await runChecks(names.env, checks, deps, timeout, (r) => {
    finished++;
    running.delete(r.id);
    // What the run still waits for (the canary's receipt can take --timeout), not only what just ended.
    deps.io.notify({ level: 'progress', code: 'verify.check', data: { ...r, finished, total: checks.length, waiting: [...running] } });
  });
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  const strict = options.strict;
  if (junitFile) {
    const { toJUnit } = await import('../checks/junit.js');
    writeFileSync(junitFile, toJUnit(names.env, results, strict, deps.clock()));
  }
  return {
    kind: 'verified',
    env: names.env,
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

export function render(r: VerifyResult, style: Style = { color: false }): string {
  const idWidth = Math.max(...r.checks.map((c) => c.id.length));
  const titleWidth = Math.max(...r.checks.map((c) => c.title.length));
  const ms = (c: CheckResult) => `${c.durationMs} ms`.padStart(8);
  const table = r.checks.flatMap((c) => [
    `${CHECK_SYMBOL[c.status]} ${c.id.padEnd(idWidth)}  ${c.title.padEnd(titleWidth)}  ${ms(c)}  ${c.detail}`,
    ...(c.remedy && c.status !== 'pass' ? [`  ${' '.repeat(idWidth)}  remedy: ${c.remedy}`] : []),
  ]);
  // On a terminal narrower than the table: each check as a head line (its title last, cut with … when
  // it must be) and its detail and remedy wrapped below it, rather than the terminal's wrap at column 0.
  const width = style.width;
  const narrow = width !== undefined && table.some((l) => visibleLength(l) > width);
  const rows = !narrow
    ? table
    : r.checks.flatMap((c) => [
        truncate(`${CHECK_SYMBOL[c.status]} ${c.id.padEnd(idWidth)}  ${ms(c)}  ${c.title}`, width),
        ...row('    ', c.detail, width),
        ...(c.remedy && c.status !== 'pass' ? row('    remedy: ', c.remedy, width, { indent: 6 }) : []),
      ]);
  const summary = `${r.stackName}: ${r.passed} passed, ${r.failed} failed, ${r.warnings} warning(s)${r.strict && r.warnings ? ' (failing: --strict)' : ''}, ${r.skipped} skipped in ${(r.durationMs / 1000).toFixed(1)} s`;
  return [
    ...rows.map((l) => l.trimEnd()),
    ...(style.width ? wrap(summary, style.width) : [summary]),
    ...(r.junitFile ? [`JUnit report written to ${r.junitFile}`] : []),
  ].join('\n');
}

export function exitCode(r: VerifyResult): number {
  if (r.checks.some((c) => c.awsError)) return EXIT.aws;
  return r.failed > 0 || (r.strict && r.warnings > 0) ? EXIT.failed : EXIT.ok;
}

/** A GitHub annotation per failed or warned check, and the checks as a table in the job summary. */
export function github(r: VerifyResult, gh: GitHubActions): void {
  for (const c of r.checks) {
    const text = [c.detail, c.remedy && `remedy: ${c.remedy}`].filter(Boolean).join('\n');
    if (c.status === 'fail') gh.annotate('error', text, `tap verify ${r.env}: ${c.id}`);
    if (c.status === 'warn') gh.annotate(r.strict ? 'error' : 'warning', text, `tap verify ${r.env}: ${c.id}`);
  }
  const word = { pass: '✅ pass', fail: '❌ fail', warn: '⚠️ warning', skip: '⏭️ skipped' } as const;
  gh.summary(
    [
      `### tap verify --env ${r.env}: ${r.passed} passed, ${r.failed} failed, ${r.warnings} warning(s), ${r.skipped} skipped`,
      '',
      '| check | result | time | detail |',
      '| --- | --- | --- | --- |',
      ...r.checks.map((c) => `| ${c.id} | ${word[c.status]} | ${c.durationMs} ms | ${cell(c.detail)} |`),
      '',
    ].join('\n'),
  );
}

export default defineCommand({
  name: 'verify',
  summary: 'check the deployed env end to end: configuration, API, and a canary event traced through X-Ray',
  env: 'required',
  options: VERIFY_OPTIONS,
  examples: ['tap verify --env ci --junit report.xml', 'tap verify --env prod --no-canary --json', 'tap verify --env dev --only canary-trace --timeout 120'],
  notes: `Checks: stack, api, lambda-config, api-tracing, xray-group, event-bus, archive, rule, dlq, alarms,
canary-delivery, canary-trace, drift (with --drift).`,
  exits: {
    0: 'nothing failed (warnings allowed unless --strict)',
    1: 'a check failed (or warned, with --strict)',
    2: 'bad input: an unknown check, or --only/--skip leaving none',
    3: 'AWS could not be reached or refused the caller in a check',
  },
  permissions: 'the read-only policy in the README for --no-canary; the canary adds execute-api:Invoke, s3:GetObject, kms:Decrypt and xray:BatchGetTraces.',
  run,
  render,
  exitCode,
  github,
});
