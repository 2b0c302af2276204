import type { Change as SdkChange, CloudFormationClient, RollbackConfiguration } from '@aws-sdk/client-cloudformation';
import { retrying } from '../aws/pages.js';
import type { Deps } from '../deps.js';
import { retryTransient } from '../aws/retry.js';
import { requestToken } from '../aws/tokens.js';
import { Aborted, JobFailed } from '../errors.js';
import { describeStack } from '../aws/stacks.js';
import type { Change } from '../messages/deploy.js';

export type { Change };

/** How often a change set being created is read, and how long before a write is tried again. */
const CHANGE_SET_POLL_MS = 1000;

/** One row of a change set, as tap shows it before executing. */

export interface ChangeSetRequest {
  readonly stackName: string;
  readonly type: 'CREATE' | 'UPDATE';
  readonly template: { TemplateBody: string } | { TemplateURL: string };
  readonly tags: Record<string, string>;
  readonly description: string;
  /** Alarms that roll the operation back, and how long CloudFormation watches them after it. @default none */
  readonly rollbackConfiguration?: RollbackConfiguration;
}

export interface ChangeSet {
  readonly id: string;
  readonly name: string;
  /** The stack's name, as the change set was created for it. */
  readonly stackName: string;
  readonly type: ChangeSetRequest['type'];
  readonly stackId: string;
  readonly changes: Change[];
  /** The `ClientRequestToken` its execution is sent with; the stack's events of that operation carry it. */
  readonly executeToken: string;
}

/** CloudFormation's reasons for an empty change set (toolkit-lib checks the same two prefixes). */
const NO_CHANGES = [/^The submitted information didn't contain changes/, /^No updates are to be performed/];

/** Whether executing these changes removes or replaces anything, which needs the user's approval. */
export const isDestructive = (c: Change): boolean => c.action === 'Remove' || c.replacement === 'True' || c.replacement === 'Conditional';

/**
 * Creates a change set and waits until CloudFormation has computed it. Returns undefined when it has
 * no changes (the empty change set is deleted so it does not pile up on the stack).
 */
export async function createChangeSet(cfn: CloudFormationClient, request: ChangeSetRequest, deps: Deps): Promise<ChangeSet | undefined> {
  const sdk = await import('@aws-sdk/client-cloudformation');
  const name = `tap-${deps.clock().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  deps.io.notify({ level: 'progress', code: 'deploy.change-set', data: { name, type: request.type } });
  // One input, one ClientToken: a try whose answer was lost is recognised by CloudFormation when sent again.
  const input = {
    StackName: request.stackName,
    ChangeSetName: name,
    ChangeSetType: request.type,
    ...request.template,
    Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
    Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
    Parameters: [],
    Description: request.description,
    ...(request.rollbackConfiguration ? { RollbackConfiguration: request.rollbackConfiguration } : {}),
    ClientToken: requestToken('create'),
  };
  if (deps.signal.aborted) throw new Aborted('Stopped before creating a change set; nothing changed.');
  const created = await retryTransient(deps, CHANGE_SET_POLL_MS, () => cfn.send(new sdk.CreateChangeSetCommand(input)));
  const id = created.Id ?? name;
  const made = { id, name, type: request.type, stackName: request.stackName, stackId: created.StackId ?? request.stackName };
  for (;;) {
    if (deps.signal.aborted) await stopBeforeExecuting(cfn, made, deps);
    const page = await retryTransient(deps, CHANGE_SET_POLL_MS, () => cfn.send(new sdk.DescribeChangeSetCommand({ ChangeSetName: id, StackName: request.stackName })));
    if (page.Status === 'FAILED') {
      if (NO_CHANGES.some((p) => p.test(page.StatusReason ?? ''))) {
        await deleteChangeSet(cfn, id, deps);
        return undefined;
      }
      throw new JobFailed(`CloudFormation could not create change set ${name}: ${page.StatusReason ?? 'no reason given'}`, {
        hint: 'the change set is kept on the stack for inspection; fix the cause and deploy again',
      });
    }
    if (page.Status === 'CREATE_COMPLETE') {
      // The first page came with the status; the paginator reads the rest.
      const rest = page.NextToken ? sdk.paginateDescribeChangeSet({ client: retrying(cfn, deps, CHANGE_SET_POLL_MS), startingToken: page.NextToken }, { ChangeSetName: id, StackName: request.stackName }) : [];
      const changes = rowsOf(page.Changes);
      for await (const next of rest) changes.push(...rowsOf(next.Changes));
      return { ...made, stackId: created.StackId ?? page.StackId ?? request.stackName, changes, executeToken: requestToken('execute') };
    }
    await deps.sleep(CHANGE_SET_POLL_MS);
  }
}

function rowsOf(changes: SdkChange[] | undefined): Change[] {
  return (changes ?? []).flatMap(({ ResourceChange: r }) => (r ? [{ action: r.Action ?? 'Unknown', logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? '', replacement: r.Replacement }] : []));
}

/** Deletes a change set; one that is already gone (an earlier try whose answer was lost) counts as deleted. */
export async function deleteChangeSet(cfn: CloudFormationClient, id: string, deps: Deps): Promise<void> {
  const { DeleteChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
  await retryTransient(deps, CHANGE_SET_POLL_MS, () => cfn.send(new DeleteChangeSetCommand({ ChangeSetName: id }))).catch((error: { name?: string }) => {
    if (error.name !== 'ChangeSetNotFoundException' && error.name !== 'ChangeSetNotFound') throw error;
  });
}

/**
 * Removes a change set that will not be executed, and the stack that a CREATE change set made for it
 * (REVIEW_IN_PROGRESS, no resources; deleting the change set leaves it, and `tap list` would show an
 * env that was never deployed), so that nothing is left changed.
 */
export async function discardChangeSet(cfn: CloudFormationClient, changeSet: Pick<ChangeSet, 'id' | 'type' | 'stackId'>, deps: Deps): Promise<void> {
  await deleteChangeSet(cfn, changeSet.id, deps);
  if (changeSet.type !== 'CREATE') return;
  const stack = await retryTransient(deps, CHANGE_SET_POLL_MS, () => describeStack(cfn, changeSet.stackId));
  if (stack?.status !== 'REVIEW_IN_PROGRESS') return; // gone already, or someone else's since
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  const token = requestToken('discard');
  await retryTransient(deps, CHANGE_SET_POLL_MS, () => cfn.send(new DeleteStackCommand({ StackName: stack.id, ClientRequestToken: token })));
}

/** Ctrl-C or SIGTERM before the change set runs: discard it, and say that nothing changed. */
async function stopBeforeExecuting(cfn: CloudFormationClient, changeSet: Pick<ChangeSet, 'id' | 'name' | 'type' | 'stackId'>, deps: Deps): Promise<never> {
  await discardChangeSet(cfn, changeSet, deps);
  throw new Aborted(`Stopped before executing; change set ${changeSet.name} was deleted and nothing changed.`);
}

/** Executes the change set, unless Ctrl-C or SIGTERM came first: until this call, nothing has changed. */
export async function executeChangeSet(cfn: CloudFormationClient, changeSet: ChangeSet, rollback: boolean, deps: Deps): Promise<void> {
  if (deps.signal.aborted) await stopBeforeExecuting(cfn, changeSet, deps);
  const { ExecuteChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
  const input = { ChangeSetName: changeSet.id, DisableRollback: !rollback, ClientRequestToken: changeSet.executeToken };
  await retryTransient(deps, CHANGE_SET_POLL_MS, () => cfn.send(new ExecuteChangeSetCommand(input)));
  // Until the stack's first event, the phase is named here (not left at "Creating change set").
  deps.io.notify({ level: 'progress', code: 'stack.operation', data: { stack: changeSet.stackName, operation: 'execute', changeSet: changeSet.name, type: changeSet.type, total: changeSet.changes.length } });
}
