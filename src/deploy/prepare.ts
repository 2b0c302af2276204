import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Deps } from '../deps.js';
import { JobFailed } from '../errors.js';
import { retryTransient } from '../aws/retry.js';
import { requestToken } from '../aws/tokens.js';
import { POLL_MS, settle, StackMonitor } from './monitor.js';
import { describeStack, stateOf, type StackInfo } from '../aws/stacks.js';

/**
 * Brings a stack to where it takes a change set, for every stack tap deploys (an env's and the
 * shared one): waits for an operation someone else started, refuses a stack that only a person can
 * move on (`stuckHint` says how), and deletes a create that failed. Returns the stack, or undefined
 * when there is none (a CREATE change set comes next).
 */
export async function prepareStack(
  cfn: CloudFormationClient,
  stackName: string,
  deps: Deps,
  options: { wait: boolean; stuckHint: (status: string) => string },
): Promise<StackInfo | undefined> {
  let stack = await describeStack(cfn, stackName);
  if (stack && stateOf(stack.status) === 'in-progress') stack = await settle(cfn, stack, deps, options.wait);
  if (stack && stateOf(stack.status) === 'stuck') {
    throw new JobFailed(`${stackName} is ${stack.status}${stack.statusReason ? ` (${stack.statusReason})` : ''}; tap cannot deploy over it`, {
      hint: options.stuckHint(stack.status),
    });
  }
  if (stack && stateOf(stack.status) === 'failed-create') stack = await removeFailedCreate(cfn, stack, deps);
  return stack;
}

/** A create that failed holds nothing worth keeping; CloudFormation cannot update it, only delete it. */
async function removeFailedCreate(cfn: CloudFormationClient, stack: StackInfo, deps: Deps): Promise<undefined> {
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  deps.claimInterrupts(); // the first write
  deps.io.notify({ level: 'warn', code: 'deploy.delete-failed-create', data: { stack: stack.name, status: stack.status } });
  const token = requestToken('delete');
  const monitor = await StackMonitor.start(cfn, { ...stack, token }, deps);
  await retryTransient(deps, POLL_MS, () => cfn.send(new DeleteStackCommand({ StackName: stack.id, ClientRequestToken: token })));
  deps.io.notify({ level: 'progress', code: 'stack.operation', data: { stack: stack.name, operation: 'delete' } });
  const outcome = await monitor.follow();
  if (outcome.status !== 'DELETE_COMPLETE') {
    throw new JobFailed(`could not delete the failed stack ${stack.name}: ${outcome.rootCause?.reason ?? outcome.status}`, {
      hint: 'run `tap destroy` for it, then deploy again',
    });
  }
  return undefined;
}
