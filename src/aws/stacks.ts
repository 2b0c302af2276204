import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { isStackMissing } from './cloudformation.js';
import { JobFailed } from '../errors.js';

/** What tap needs to know of a deployed stack, read with one `DescribeStacks` call. */
export interface StackInfo {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly terminationProtection: boolean;
  readonly tags: Record<string, string>;
  readonly parameters: Record<string, string>;
  readonly outputs: Record<string, string>;
  readonly lastUpdated?: Date;
}

/**
 * What a command does with a stack, by its status (AWS "Stack status codes"):
 * - `absent`: no stack (or DELETE_COMPLETE);
 * - `review`: REVIEW_IN_PROGRESS, a stack made by a change set that was never executed: create again;
 * - `failed-create`: a create that failed and holds no resources worth keeping: delete, then create;
 * - `in-progress`: another operation runs: wait for it to settle;
 * - `stuck`: only a person can move it on (see `stuckHint`);
 * - `ready`: a settled stack that takes a change set.
 */
export type StackState = 'absent' | 'review' | 'failed-create' | 'in-progress' | 'stuck' | 'ready';

const FAILED_CREATE = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED']);
const STUCK = new Set(['UPDATE_ROLLBACK_FAILED', 'DELETE_FAILED', 'IMPORT_ROLLBACK_FAILED']);
/** Settled statuses whose stored template is the one the resources match (no-op detection is safe). */
const CONSISTENT = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
const SUCCEEDED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE', 'IMPORT_COMPLETE']);

export function stateOf(status: string | undefined): StackState {
  if (status === undefined || status === 'DELETE_COMPLETE') return 'absent';
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (FAILED_CREATE.has(status)) return 'failed-create';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (STUCK.has(status)) return 'stuck';
  return 'ready';
}

/** True when the stored template describes the resources, so an identical template means no change. */
export const isConsistent = (status: string): boolean => CONSISTENT.has(status);

/** True when an operation that ended in `status` did what it was asked. */
export const succeeded = (status: string): boolean => SUCCEEDED.has(status);

/** What the user can do about a stack in a status that tap cannot move on by itself. */
export function stuckHint(status: string, stackName: string, env: string): string {
  switch (status) {
    case 'UPDATE_ROLLBACK_FAILED':
      return `run \`aws cloudformation continue-update-rollback --stack-name ${stackName}\` (add --resources-to-skip for resources that cannot roll back), then \`tap deploy --env ${env}\` again`;
    case 'DELETE_FAILED':
      return `run \`tap destroy --env ${env}\`: it empties the data bucket and deletes the stack again`;
    default:
      return `look at the stack's events in the CloudFormation console, resolve the cause, then run tap again`;
  }
}

export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<StackInfo | undefined> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const s = Stacks?.[0];
    if (!s || s.StackStatus === 'DELETE_COMPLETE') return undefined;
    return {
      id: s.StackId ?? stackName,
      name: s.StackName ?? stackName,
      status: s.StackStatus ?? 'UNKNOWN',
      statusReason: s.StackStatusReason,
      terminationProtection: Boolean(s.EnableTerminationProtection),
      tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
      outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      lastUpdated: s.LastUpdatedTime ?? s.CreationTime,
    };
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The stack's output `key`, or a one-line error that says what is missing: no stack, or a stack
 * without that output (a deploy that did not finish, or an older template). Checked before any write.
 */
export function requireOutput(stack: StackInfo | undefined, names: { stack: string; env: string }, key: string): string {
  if (!stack) throw new JobFailed(`${names.stack} does not exist in this account and region`, { code: 'EnvNotDeployed', hint: `deploy it first: \`tap deploy --env ${names.env}\`` });
  const value = stack.outputs[key];
  if (!value) throw new JobFailed(`${names.stack} (${stack.status}) has no output ${key}`, { code: 'OutputMissing', hint: `deploy it again: \`tap deploy --env ${names.env}\`` });
  return value;
}
