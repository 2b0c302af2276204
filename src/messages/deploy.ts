import type { Sentences } from './index.js';

/** A change of a change set, as deploy and diff show it (a payload: deploy/change-set.ts reads it from CloudFormation). */
export interface Change {
  readonly action: string;
  readonly logicalId: string;
  readonly type: string;
  /** `True`, `False` or `Conditional` for a Modify; absent for Add and Remove. */
  readonly replacement?: string;
}

/** One stack event, as the monitor emits it (a payload: deploy/monitor.ts reads it from CloudFormation). */
export interface StackEventRecord {
  readonly eventId: string;
  readonly timestamp?: string;
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `+ Add    Handler (AWS::Lambda::Function)`, with the replacement a Modify may bring. */
export function describeChange(c: Change): string {
  const mark = c.action === 'Add' ? '+' : c.action === 'Remove' ? '-' : '~';
  const replacement = c.action === 'Modify' && c.replacement && c.replacement !== 'False' ? ` (replacement: ${c.replacement})` : '';
  return `${mark} ${c.action.padEnd(6)} ${c.logicalId} (${c.type})${replacement}`;
}

/** Messages of deploy and destroy: the stack's events, change sets, the shared stack, the data bucket. */
export interface DeployMessages {
  /** A stack event; `done` of `total` resources when the total is known. */
  'stack.event': StackEventRecord & { done?: number; total?: number };
  /**
   * tap's own operation is under way (ExecuteChangeSet or DeleteStack sent): what it waits for until
   * the stack's events say more (`total`: the resources it touches).
   */
  'stack.operation': { stack: string; operation: 'execute'; changeSet: string; type: 'CREATE' | 'UPDATE'; total: number } | { stack: string; operation: 'delete'; attempt?: number; total?: number };
  /** Someone else's operation is running on the stack: tap waits for it. */
  'stack.waiting': { stack: string; status: string };
  'deploy.staging': { bytes: number; bucket: string };
  'deploy.staging-bucket': { bucket: string; expiryDays: number; created: boolean };
  'deploy.change-set': { name: string; type: 'CREATE' | 'UPDATE' };
  /** The composite alarm set as the change set's rollback trigger, or why there is none (`absent`: a first create, or the composite not made yet). */
  'deploy.rollback-triggers':
    | { kind: 'set'; rollup: string; alarms: number; monitorMinutes: number }
    | { kind: 'none'; rollup: string; reason: 'first-create' | 'no-composite'; monitorMinutes: number };
  'deploy.change': Change;
  /** `matches`: the deployed template and tags are the code's; `empty`: CloudFormation found no change. */
  'deploy.no-changes': { stack: string; found: 'matches' | 'empty' };
  'deploy.delete-failed-create': { stack: string; status: string };
  'deploy.termination-protection': { stack: string; on: boolean };
  /** API Gateway's account role is used as it is: the account's own, or the shared stack's. */
  'deploy.account-role': { kind: 'in-place'; roleArn: string; owner: 'account' | 'tap-shared'; stack?: string };
  'deploy.account-role-moved': { roleArn: string; envStack: string; sharedStack: string };
  'deploy.shared-stack': { region: string; stack: string };
  'deploy.shared-stack-deployed': { kind: 'shared-stack-deployed'; stack: string; status?: string; roleArn: string };
  'destroy.nothing': { stack: string };
  'destroy.emptying': { bucket: string; removed: number };
  'destroy.emptied': { bucket: string; removed: number };
  'destroy.retry': { stack: string; status: string };
}

export const deploySentences: Sentences<DeployMessages> = {
  'stack.event': (e) => `${e.total ? `[${e.done ?? 0}/${e.total}] ` : ''}${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`,
  'stack.operation': (d) => {
    const count = d.total ? `[0/${d.total}] ` : '';
    if (d.operation === 'execute') return `${count}Executing change set ${d.changeSet} (${d.type}) on ${d.stack}: waiting for CloudFormation's first event`;
    return `${count}Deleting ${d.stack}${d.attempt && d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}: waiting for CloudFormation's first event`;
  },
  'stack.waiting': (d) => `${d.stack} is ${d.status}; waiting for that operation to finish`,
  'deploy.staging': (d) => `Template is ${count(d.bytes)} bytes: staging it in s3://${d.bucket}`,
  'deploy.staging-bucket': (d) => `${d.created ? 'Created staging bucket' : 'Staging bucket'} ${d.bucket}${d.created ? '' : ' lacked its settings: set them'} (private, encrypted, objects expire after ${d.expiryDays} day)`,
  'deploy.change-set': (d) => `Creating change set ${d.name} (${d.type})`,
  'deploy.rollback-triggers': (d) => {
    const watch = d.monitorMinutes ? `, watched for ${d.monitorMinutes} min after the update` : '';
    if (d.kind === 'set') return `Rollback trigger: ${d.rollup} (any of the env's ${d.alarms} alarms in ALARM rolls the update back)${watch}`;
    const why = d.reason === 'first-create' ? 'No rollback triggers on a first create: the alarms do not exist yet' : `No rollback triggers: ${d.rollup} does not exist yet (this deploy creates it)`;
    return `${why}; the next update has them`;
  },
  'deploy.change': describeChange,
  'deploy.no-changes': (d) => (d.found === 'matches' ? `${d.stack} already matches the code: no change set needed` : `${d.stack}: the change set was empty (deleted); no changes`),
  'deploy.delete-failed-create': (d) => `${d.stack} is ${d.status} after a failed create; deleting it before creating it again`,
  'deploy.termination-protection': (d) => `Termination protection ${d.on ? 'on' : 'off'} for ${d.stack}`,
  'deploy.account-role': (d) => (d.owner === 'account' ? `API Gateway logs with the account's own CloudWatch role ${d.roleArn}: used as it is` : `API Gateway logs with ${d.roleArn} from ${d.stack}`),
  'deploy.account-role-moved': (d) => `API Gateway logs with ${d.roleArn}, a role of ${d.envStack} that this deploy removes: moving the setting to ${d.sharedStack}'s role`,
  'deploy.shared-stack': (d) => `The account has no API Gateway CloudWatch role in ${d.region}: deploying ${d.stack}, shared by every tap env here`,
  'deploy.shared-stack-deployed': (d) => `${d.stack} ${d.status ?? ''}: API Gateway logs with ${d.roleArn}`,
  'destroy.nothing': (d) => `${d.stack} does not exist in this account and region: nothing to destroy`,
  'destroy.emptying': (d) => `Emptying ${d.bucket}: ${count(d.removed)} object version(s) removed`,
  'destroy.emptied': (d) => `Data bucket ${d.bucket} emptied: ${count(d.removed)} object version(s) removed`,
  'destroy.retry': (d) => `${d.stack} is ${d.status}; emptying what can be emptied and deleting once more`,
};
