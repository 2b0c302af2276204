import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { deployedTemplate } from '../aws/cloudformation.js';
import { defineCommand, option } from '../command.js';
import type { Deps } from '../deps.js';
import type { GitHubActions } from '../io/github.js';
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
  /** The diff drawn by @aws-cdk/cloudformation-diff. */
  readonly text: string;
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
  return {
    kind: diff.differenceCount === 0 ? 'no-differences' : 'differences',
    stackName: synthesized.stackName,
    deployed: current !== undefined,
    differenceCount: diff.differenceCount,
    resources,
    text: stripVTControlCharacters(text).trimEnd(),
  };
}

export function render(r: DiffResult): string {
  if (r.kind === 'no-differences') return `${r.stackName}: no differences from the deployed stack`;
  const header = r.deployed
    ? `${r.stackName}: ${r.differenceCount} difference(s) from the deployed stack`
    : `${r.stackName} is not deployed yet: everything below would be created`;
  return `${header}\n${r.text}`;
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
