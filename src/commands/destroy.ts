import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { defineCommand, option } from '../command.js';
import type { Deps } from '../deps.js';
import { Aborted, EXIT, JobFailed, UsageError } from '../errors.js';
import { emptyBucket } from '../deploy/bucket.js';
import { retryTransient } from '../aws/retry.js';
import { requestToken } from '../aws/tokens.js';
import { POLL_MS, settle, StackMonitor, type StackEventRecord } from '../deploy/monitor.js';
import { describeStack, stateOf } from '../aws/stacks.js';
import { namesFor, SHARED_STACK } from '../stack/naming.js';

export interface DestroyOptions {
  readonly env: string;
  /** Destroy without asking for the env name. @default false */
  readonly yes?: boolean;
  /** Wait until the stack is gone (`--no-wait` returns once deletion has started). @default true */
  readonly wait?: boolean;
}

interface Base {
  readonly env: string;
  readonly stackName: string;
}
export type DestroyResult =
  | (Base & { kind: 'nothing-to-destroy' })
  | (Base & { kind: 'started'; objectsRemoved: number })
  | (Base & { kind: 'destroyed'; objectsRemoved: number; attempts: number; remaining: string[] })
  | (Base & { kind: 'failed'; status: string; objectsRemoved: number; causes: StackEventRecord[] });

/** DeleteStack is tried once more after DELETE_FAILED, with the bucket emptied again. */
const ATTEMPTS = 2;

export async function run(options: DestroyOptions, deps: Deps): Promise<DestroyResult> {
  const names = namesFor(options.env);
  const base = { env: options.env, stackName: names.stack };
  if (!options.yes && !deps.io.interactive) {
    throw new UsageError(`refusing to destroy ${names.stack} without --yes: there is no terminal to confirm on, and nothing was deleted`, {
      hint: `run \`tap destroy --env ${options.env} --yes\` to confirm`,
    });
  }
  const cfn = await deps.aws.cloudFormationReady();
  const wait = options.wait ?? true;

  let stack = await retryTransient(deps, POLL_MS, () => describeStack(cfn, names.stack));
  if (stack && stateOf(stack.status) === 'in-progress') stack = await settle(cfn, stack, deps, wait);
  if (!stack) {
    deps.io.notify({ level: 'success', code: 'destroy.nothing', data: { stack: names.stack } });
    return { ...base, kind: 'nothing-to-destroy' };
  }
  if (stack.terminationProtection) {
    throw new JobFailed(`termination protection is on for ${names.stack}; nothing was deleted`, {
      hint: `turn it off with \`tap deploy --env ${options.env} --no-termination-protection\` (or \`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${names.stack}\`), then destroy again`,
    });
  }
  if (!options.yes) {
    const answer = await deps.io.ask(`This deletes ${names.stack} and every object in its data bucket. Type the env name (${options.env}) to confirm:`);
    if (answer !== options.env) throw new Aborted(`Not confirmed ('${answer}' is not '${options.env}'); nothing was deleted.`);
  }

  const resources = await retryTransient(deps, POLL_MS, () => stackResources(cfn, stack.id));
  const bucket = resources.find((r) => r.type === 'AWS::S3::Bucket')?.physicalId;
  const key = resources.find((r) => r.type === 'AWS::KMS::Key')?.physicalId;
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  let objectsRemoved = 0;
  for (let attempt = 1; ; attempt++) {
    if (bucket) {
      objectsRemoved += await emptyBucket(bucket, deps);
      deps.io.notify({ level: 'info', code: 'destroy.emptied', data: { bucket, removed: objectsRemoved } });
    }
    // One token per delete attempt: a retried request is the same delete, the second attempt a new one.
    const token = requestToken(`delete-${attempt}`);
    const monitor = await StackMonitor.start(cfn, { ...stack, token }, deps);
    deps.claimInterrupts(); // from DeleteStack on, Ctrl-C stops watching only
    await retryTransient(deps, POLL_MS, () => cfn.send(new DeleteStackCommand({ StackName: stack.id, ClientRequestToken: token })));
    if (!wait) return { ...base, kind: 'started', objectsRemoved };
    deps.io.notify({ level: 'progress', code: 'stack.operation', data: { stack: names.stack, operation: 'delete', attempt, total: resources.length } });
    const outcome = await monitor.follow(resources.length);
    if (outcome.status === 'DELETE_COMPLETE') {
      return { ...base, kind: 'destroyed', objectsRemoved, attempts: attempt, remaining: await leftovers(cfn, key, deps) };
    }
    const causes = outcome.failures.filter((f) => f.logicalId !== names.stack);
    if (attempt >= ATTEMPTS) return { ...base, kind: 'failed', status: outcome.status, objectsRemoved, causes };
    deps.io.notify({ level: 'warn', code: 'destroy.retry', data: { stack: names.stack, status: outcome.status } });
  }
}

async function stackResources(cfn: CloudFormationClient, stackId: string): Promise<{ type: string; physicalId?: string }[]> {
  const { DescribeStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackId }));
  return (StackResources ?? []).map((r) => ({ type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId }));
}

/** What outlives the stack by AWS's design, so the user is not surprised to find it. */
async function leftovers(cfn: CloudFormationClient, keyId: string | undefined, deps: Deps): Promise<string[]> {
  const remaining = ['log group /aws/lambda-insights, if Lambda Insights wrote to it (shared by every function in the region that uses it)'];
  // Whether TapShared is there is one read away: said as it is, not "if tap created it".
  const role = "API Gateway's CloudWatch role for every env in this account and region (never removed by tap)";
  try {
    const shared = await describeStack(cfn, SHARED_STACK);
    if (shared) remaining.push(`stack ${SHARED_STACK} (${shared.status}): ${role}`);
  } catch (error) {
    remaining.push(`stack ${SHARED_STACK}, if it exists (it could not be read: ${(error as Error).name}): ${role}`);
  }
  if (!keyId) return remaining;
  try {
    const { DescribeKeyCommand } = await import('@aws-sdk/client-kms');
    const { KeyMetadata } = await (await deps.aws.kms()).send(new DescribeKeyCommand({ KeyId: keyId }));
    const when = KeyMetadata?.DeletionDate ? ` until ${KeyMetadata.DeletionDate.toISOString()}` : '';
    remaining.unshift(`KMS key ${keyId}: ${KeyMetadata?.KeyState ?? 'unknown state'}${when} (AWS waits before deleting keys; cancel with \`aws kms cancel-key-deletion\`)`);
  } catch (error) {
    remaining.unshift(`KMS key ${keyId}: scheduled for deletion by CloudFormation (its date could not be read: ${(error as Error).name})`);
  }
  return remaining;
}

export function render(r: DestroyResult): string {
  switch (r.kind) {
    case 'nothing-to-destroy':
      return `${r.stackName}: nothing to destroy`;
    case 'started':
      return `${r.stackName}: deletion started (${r.objectsRemoved} object version(s) removed); follow it with \`tap status --env ${r.env}\``;
    case 'destroyed':
      return [
        `${r.stackName}: destroyed (${r.objectsRemoved} object version(s) removed${r.attempts > 1 ? `, after ${r.attempts} attempts` : ''})`,
        'Remaining by AWS design:',
        ...r.remaining.map((x) => `  ${x}`),
      ].join('\n');
    case 'failed':
      return [
        `${r.stackName}: destroy failed, stack is ${r.status}`,
        ...r.causes.map((c) => `  ${c.logicalId} (${c.type}) ${c.status}: ${c.reason ?? 'no reason given'}`),
        `Resolve the causes above, then run \`tap destroy --env ${r.env}\` again.`,
      ].join('\n');
  }
}

export function exitCode(r: DestroyResult): number {
  return r.kind === 'failed' ? EXIT.failed : EXIT.ok;
}

export default defineCommand({
  name: 'destroy',
  summary: 'empty the data bucket and delete the stack, after confirmation',
  env: 'required',
  writes: true,
  options: {
    yes: option.flag('destroy without asking for the env name (required without a terminal)', { short: 'y' }),
    wait: option.negatable('return once deletion has started'),
  },
  examples: ['tap destroy --env dev                  asks you to type "dev"', 'tap destroy --env ci --yes --json'],
  notes: 'TapShared (API Gateway\'s account role, shared by every env) is never removed; see the README.',
  exits: { 0: 'destroyed, started (--no-wait), or nothing to destroy', 1: 'the delete failed, or termination protection is on', 130: 'interrupted (Ctrl-C), or the env name not confirmed' },
  permissions: `cloudformation:DescribeStacks, DescribeStackEvents, DescribeStackResources, DeleteStack;
s3:ListBucketVersions, s3:DeleteObjectVersion on the data bucket; kms:DescribeKey (to report the key's deletion date).`,
  run: (input, deps) => run({ env: input.env.env, yes: input.yes, wait: input.wait }, deps),
  render,
  exitCode,
});
