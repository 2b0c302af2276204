import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { deployedTemplate } from '../aws/cloudformation.js';
import { defineCommand, option } from '../command.js';
import type { Deps } from '../deps.js';
import type { GitHubActions } from '../io/github.js';
import { stackTable } from '../io/fit.js';
import type { Style } from '../messages/types.js';
import { EXIT } from '../errors.js';
import { synthesizeChecked } from '../synth/checked.js';

export interface DiffOptions {
  readonly env: string;
  /** Exit 1 when the deployed stack differs from the synthesized one. @default false */
  readonly fail?: boolean;
  /** Read and write the synth cache. @default true */
  readonly cache?: boolean;
}

export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly action: 'add' | 'modify' | 'remove';
  /** CloudFormation's impact, e.g. `WILL_REPLACE`. */
  readonly impact: string;
}

export interface DiffResult {
  readonly kind: 'no-differences' | 'differences';
  readonly stackName: string;
  /** False when the stack does not exist yet: everything shows as added. */
  readonly deployed: boolean;
  readonly differenceCount: number;
  readonly resources: ResourceChange[];
  /** The diff drawn by @aws-cdk/cloudformation-diff, its tables at their full width. */
  readonly text: string;
  /** The diff drawn again with its tables fitted to `columns` (not enumerable: never in --json). */
  readonly drawAt?: (columns: number) => string;
}

export async function run(options: DiffOptions, deps: Deps): Promise<DiffResult> {
  const cfn = await deps.aws.cloudFormationReady();
  const synthesized = await synthesizeChecked(options.env, deps, options);
  deps.io.notify({ level: 'progress', code: 'diff.fetch', data: { stack: synthesized.stackName } });
  const current = await deployedTemplate(cfn, synthesized.stackName);
  const { fullDiff, formatDifferences } = await import('@aws-cdk/cloudformation-diff');
  const diff = fullDiff(current ?? {}, synthesized.template);
  const resources: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    resources.push({
      logicalId,
      type: change.newResourceType ?? change.oldResourceType ?? 'unknown',
      action: change.isAddition ? 'add' : change.isRemoval ? 'remove' : 'modify',
      impact: change.changeImpact,
    });
  });
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  formatDifferences(sink, diff);
  text = stripVTControlCharacters(text).trimEnd();
  /**
   * The diff for a terminal of `columns`: its tables (IAM statements and policies, security groups),
   * which the library would squeeze into columns a few letters wide, as stacked fields instead, when
   * they are wider than the terminal. The tables come in the order the library prints them.
   */
  const draw = (columns: number): string => {
    const iam = diff.iamChanges;
    const tables = [
      ...(iam.statements.hasChanges ? [iam.summarizeStatements()] : []),
      ...(iam.managedPolicies.hasChanges ? [iam.summarizeManagedPolicies()] : []),
      ...(iam.ssoPermissionSets.hasChanges ? [iam.summarizeSsoPermissionSets()] : []),
      ...(iam.ssoInstanceACAConfigs.hasChanges ? [iam.summarizeSsoInstanceACAConfigs()] : []),
      ...(iam.ssoAssignments.hasChanges ? [iam.summarizeSsoAssignments()] : []),
      ...(diff.securityGroupChanges.hasChanges ? [diff.securityGroupChanges.summarize()] : []),
    ];
    return fitTables(text, tables, columns);
  };
  const result: DiffResult = {
    kind: diff.differenceCount === 0 ? 'no-differences' : 'differences',
    stackName: synthesized.stackName,
    deployed: current !== undefined,
    differenceCount: diff.differenceCount,
    resources,
    text,
  };
  // Drawing again for a terminal's width is the renderer's business, and no part of the JSON result.
  Object.defineProperty(result, 'drawAt', { value: draw, enumerable: false });
  return result;
}

/** Each box-drawn table of `text` wider than `columns`, replaced by its cells (in the same order) as stacked fields. */
export function fitTables(text: string, tables: readonly (readonly (readonly string[])[])[], columns: number): string {
  const out: string[] = [];
  let table: string[] | undefined;
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('┌')) table = [];
    if (!table) {
      out.push(line);
      continue;
    }
    table.push(line);
    if (!line.startsWith('└')) continue;
    const cells = tables[n++];
    out.push(...(cells && table.some((l) => l.length > columns) ? stackTable(cells, columns) : table));
    table = undefined;
  }
  return [...out, ...(table ?? [])].join('\n');
}

export function render(r: DiffResult, style: Style = { color: false }): string {
  if (r.kind === 'no-differences') return `${r.stackName}: no differences from the deployed stack`;
  const header = r.deployed
    ? `${r.stackName}: ${r.differenceCount} difference(s) from the deployed stack`
    : `${r.stackName} is not deployed yet: everything below would be created`;
  return `${header}\n${style.width && r.drawAt ? r.drawAt(style.width) : r.text}`;
}

export function exitCode(r: DiffResult, options: DiffOptions): number {
  return options.fail && r.kind === 'differences' ? EXIT.failed : EXIT.ok;
}

/** The change summary in the GitHub job summary: a table of resources, the drawn diff folded below. */
export function github(r: DiffResult, gh: GitHubActions): void {
  const head = r.kind === 'no-differences' ? `### tap diff ${r.stackName}: no differences` : `### tap diff ${r.stackName}: ${r.differenceCount} difference(s)${r.deployed ? '' : ' (not deployed yet)'}`;
  const rows = r.resources.map((c) => `| ${c.action} | ${c.logicalId} | ${c.type} | ${c.impact || '-'} |`);
  gh.summary(
    [
      head,
      ...(rows.length ? ['', '| change | logical id | type | impact |', '| --- | --- | --- | --- |', ...rows] : []),
      ...(r.kind === 'differences' ? ['', '<details><summary>the diff</summary>', '', '```', r.text, '```', '', '</details>'] : []),
      '',
    ].join('\n'),
  );
}

export default defineCommand({
  name: 'diff',
  summary: 'show how the synthesized stack differs from the deployed one',
  env: 'required',
  options: {
    fail: option.flag('exit 1 when there is a difference'),
    cache: option.negatable('synthesize and validate afresh, without the synth cache'),
  },
  examples: ['tap diff --env staging', 'tap diff --env prod --fail --json'],
  exits: { 0: 'no difference, or a difference without --fail', 1: 'with --fail, a difference; synth found an error; or an AWS call still failed after the retries' },
  permissions: 'cloudformation:GetTemplate on the stack TapStack-<env>.',
  run: ({ env, fail, cache }, deps) => run({ env: env.env, fail, cache }, deps),
  render,
  exitCode: (r, { fail }) => exitCode(r, { env: r.stackName, fail }),
  github,
});
