import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Deps } from '../deps.js';
import { isStackMissing } from '../aws/cloudformation.js';
import { retryTransient } from '../aws/retry.js';
import { JobFailed } from '../errors.js';
import { SHARED_STACK, SHARED_TAG, sharedRoleName } from '../stack/naming.js';
import { VERSION } from '../version.js';
import { createChangeSet, executeChangeSet } from './change-set.js';
import { POLL_MS, StackMonitor, type StackEventRecord } from './monitor.js';
import { prepareStack } from './prepare.js';
import { describeStack, stateOf, type StackInfo, succeeded } from '../aws/stacks.js';

/**
 * What `tap deploy` found or did about API Gateway's CloudWatch role, which the env's stage needs
 * before it exists (part of every deploy result):
 * - `in-place`: the account already names a role, set by tap's shared stack or by someone else; it is
 *   used as it is and never overwritten;
 * - `shared-stack-deployed`: the account had none (or named the shared stack's role after that
 *   stack was deleted), so tap deployed the shared stack, which sets it;
 * - `moved-to-shared`: the account named the role of this very env stack, from a tap that kept the
 *   setting in env stacks; this deploy removes that role, so the setting moves to the shared stack's.
 */
export type AccountRole =
  | { readonly kind: 'in-place'; readonly roleArn: string; readonly owner: 'tap-shared' | 'account' }
  | { readonly kind: 'shared-stack-deployed'; readonly stackName: string; readonly roleArn: string; readonly status: string }
  | { readonly kind: 'moved-to-shared'; readonly stackName: string; readonly roleArn: string; readonly from: string };

/** What to do about a stuck shared stack: it is not an env's, so no `tap` command moves it on. */
function sharedStuckHint(status: string): string {
  return status === 'UPDATE_ROLLBACK_FAILED'
    ? `run \`aws cloudformation continue-update-rollback --stack-name ${SHARED_STACK}\`, then deploy again`
    : `look at ${SHARED_STACK}'s events in the CloudFormation console; \`aws cloudformation delete-stack --stack-name ${SHARED_STACK}\` removes it, and the next deploy creates it again`;
}

/**
 * Makes sure the account and region have API Gateway's CloudWatch role, before any env stage is
 * created or updated. Reads `GetAccount` first: a role that is set is used as it is, unless it is
 * the deployed env stack's own (`envStack`; it goes with this deploy). Only then, or when there is none, does it
 * deploy the shared stack, through the same change-set machinery as an env. With `unchanged` (the env's
 * stack already matches the code, so it holds no role), whose role it is is not asked.
 */
export async function ensureAccountRole(cfn: CloudFormationClient, envStack: string | undefined, deps: Deps, options: { unchanged?: boolean } = {}): Promise<AccountRole> {
  const { GetAccountCommand, UpdateAccountCommand } = await import('@aws-sdk/client-api-gateway');
  const apigw = await deps.aws.apiGateway();
  const region = await apigw.config.region();
  const { cloudwatchRoleArn: roleArn } = await retryTransient(deps, POLL_MS, () => apigw.send(new GetAccountCommand({})));
  const ours = roleArn?.endsWith(`:role/${sharedRoleName(region)}`) ?? false;
  // Only a deployed env can own the role (`envStack` is undefined for a new one), and not one that
  // already matches the code (which has no such role): no call otherwise.
  const legacy = roleArn !== undefined && !ours && envStack !== undefined && !options.unchanged && (await stackOwningRole(cfn, roleArn, deps)) === envStack;
  if (roleArn && !ours && !legacy) {
    deps.io.notify({ level: 'info', code: 'deploy.account-role', data: { kind: 'in-place', roleArn, owner: 'account' } });
    return { kind: 'in-place', roleArn, owner: 'account' };
  }
  const stack = await prepareStack(cfn, SHARED_STACK, deps, { wait: true, stuckHint: sharedStuckHint });
  const ready = stack !== undefined && stateOf(stack.status) === 'ready';
  if (roleArn && ours && ready) {
    deps.io.notify({ level: 'info', code: 'deploy.account-role', data: { kind: 'in-place', roleArn, owner: 'tap-shared', stack: SHARED_STACK } });
    return { kind: 'in-place', roleArn, owner: 'tap-shared' };
  }
  const { SHARED_OUTPUTS } = await import('../stack/shared-stack.js');
  if (legacy && roleArn) {
    deps.io.notify({ level: 'warn', code: 'deploy.account-role-moved', data: { roleArn, envStack, sharedStack: SHARED_STACK } });
    const deployed = ready ? stack : await deploySharedStack(cfn, stack, region, deps, true);
    const to = deployed?.outputs[SHARED_OUTPUTS.roleArn] ?? '';
    // A PATCH that names the same value again changes nothing, so a retry after a lost answer is safe.
    deps.claimInterrupts();
    await retryTransient(deps, POLL_MS, () => apigw.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: to }] })));
    return { kind: 'moved-to-shared', stackName: SHARED_STACK, roleArn: to, from: roleArn };
  }
  // No role, or the shared stack's role named after the stack was deleted: (re)create the stack.
  deps.io.notify({ level: 'info', code: 'deploy.shared-stack', data: { region, stack: SHARED_STACK } });
  const deployed = await deploySharedStack(cfn, stack, region, deps, false);
  const arn = deployed?.outputs[SHARED_OUTPUTS.roleArn] ?? '';
  // Read back before reporting: the stack says it made the setting, the account must say so too.
  const { cloudwatchRoleArn: now } = await retryTransient(deps, POLL_MS, () => apigw.send(new GetAccountCommand({})));
  if (!arn || now !== arn) {
    throw new JobFailed(`${SHARED_STACK} is ${deployed?.status ?? 'deployed'}, but the account's API Gateway settings in ${region} name ${now ? `another role (${now})` : 'no CloudWatch role'}${arn ? '' : ', and the stack has no role output'}; the env was not touched`, {
      hint: `look at ${SHARED_STACK}'s resources in the CloudFormation console; an emulator may not apply AWS::ApiGateway::Account (set the role with \`aws apigateway update-account\`)`,
    });
  }
  deps.io.notify({ level: 'success', code: 'deploy.shared-stack-deployed', data: { kind: 'shared-stack-deployed', stack: SHARED_STACK, status: deployed?.status, roleArn: arn } });
  return { kind: 'shared-stack-deployed', stackName: SHARED_STACK, roleArn: arn, status: deployed?.status ?? 'UNKNOWN' };
}

/**
 * Creates or updates the shared stack and follows it; returns it as deployed (its outputs name the
 * role). Its change set is never destructive (nothing in it holds data), so it runs without asking.
 * An empty change set is fine only when the caller sets the account itself (`emptyIsFine`).
 */
async function deploySharedStack(cfn: CloudFormationClient, stack: StackInfo | undefined, region: string, deps: Deps, emptyIsFine: boolean): Promise<StackInfo | undefined> {
  deps.io.notify({ level: 'progress', code: 'synth.start', data: { stack: SHARED_STACK } });
  const { synthesizeShared } = await import('../stack/shared-stack.js');
  const shared = synthesizeShared(VERSION);
  deps.claimInterrupts(); // the first write of the deploy
  const changeSet = await createChangeSet(
    cfn,
    { stackName: SHARED_STACK, type: stack && stateOf(stack.status) === 'ready' ? 'UPDATE' : 'CREATE', template: { TemplateBody: shared.templateBody }, tags: { [SHARED_TAG]: 'true' }, description: 'tap deploy: account-wide settings' },
    deps,
  );
  if (!changeSet) {
    if (emptyIsFine) return stack;
    // The stack matches the code, yet the account names no role of it: someone changed the setting.
    throw new JobFailed(`${SHARED_STACK} is deployed, but the account's API Gateway settings in ${region} name no CloudWatch role of it`, {
      hint: `delete it (\`aws cloudformation delete-stack --stack-name ${SHARED_STACK}\`) and deploy again, or set a role yourself (\`aws apigateway update-account\`)`,
    });
  }
  const monitor = await StackMonitor.start(cfn, { id: changeSet.stackId, name: SHARED_STACK, token: changeSet.executeToken }, deps);
  await executeChangeSet(cfn, changeSet, true, deps);
  const outcome = await monitor.follow(changeSet.changes.length);
  if (!succeeded(outcome.status)) throw sharedFailed(outcome.status, outcome.rootCause);
  return retryTransient(deps, POLL_MS, () => describeStack(cfn, SHARED_STACK));
}

/**
 * The stack that holds the named IAM role, if any: `DescribeStackResources` finds a resource's
 * stack by its physical id (for a role, its name), and refuses when no stack holds it.
 */
async function stackOwningRole(cfn: CloudFormationClient, roleArn: string, deps: Deps): Promise<string | undefined> {
  const { DescribeStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  try {
    const { StackResources } = await retryTransient(deps, POLL_MS, () => cfn.send(new DescribeStackResourcesCommand({ PhysicalResourceId: roleName })));
    return StackResources?.find((r) => r.ResourceType === 'AWS::IAM::Role' && r.PhysicalResourceId === roleName)?.StackName;
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw error;
  }
}

function sharedFailed(status: string, cause: StackEventRecord | undefined): JobFailed {
  const why = cause ? `${cause.logicalId} (${cause.type}) ${cause.status}: ${cause.reason ?? 'no reason given'}` : 'no failed resource was reported';
  return new JobFailed(`${SHARED_STACK} could not be deployed (${status}): ${why}; the env was not touched`, {
    hint: `the env's API stage needs API Gateway's CloudWatch role first; resolve the cause and deploy again`,
  });
}
