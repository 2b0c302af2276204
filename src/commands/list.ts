import { defineCommand } from '../command.js';
import type { Deps } from '../deps.js';
import { SHARED_STACK, STACK_PREFIX } from '../stack/naming.js';
import { OUTPUTS } from '../stack/spec.js';

export interface ListedEnv {
  readonly env: string;
  readonly stackName: string;
  readonly status: string;
  readonly lastUpdated?: string;
  readonly apiUrl?: string;
}

/** The shared per-account stack (API Gateway's CloudWatch role): no env, so not among `envs`. */
export interface ListedShared {
  readonly stackName: string;
  readonly status: string;
  readonly lastUpdated?: string;
}

export interface ListResult {
  readonly kind: 'envs';
  /** Where tap looked: the account (from a stack's ARN, else sts:GetCallerIdentity; absent when neither said it) and the region. */
  readonly account?: string;
  readonly region: string;
  readonly envs: ListedEnv[];
  /** Absent when the account and region have no shared stack. */
  readonly shared?: ListedShared;
}

/** Every tap env in the account and region: the stacks named `TapStack-*`, one DescribeStacks page at a time. */
export async function run(_options: object, deps: Deps): Promise<ListResult> {
  const { paginateDescribeStacks } = await import('@aws-sdk/client-cloudformation');
  const cfn = await deps.aws.cloudFormationReady();
  const envs: ListedEnv[] = [];
  let shared: ListedShared | undefined;
  let account: string | undefined;
  for await (const page of paginateDescribeStacks({ client: cfn }, {})) {
    for (const s of page.Stacks ?? []) {
      account ??= s.StackId?.split(':')[4] || undefined; // arn:aws:cloudformation:<region>:<account>:stack/...
      if (s.StackStatus === 'DELETE_COMPLETE') continue;
      if (s.StackName === SHARED_STACK) {
        shared = { stackName: SHARED_STACK, status: s.StackStatus ?? 'UNKNOWN', lastUpdated: (s.LastUpdatedTime ?? s.CreationTime)?.toISOString() };
        continue;
      }
      if (!s.StackName?.startsWith(STACK_PREFIX)) continue;
      envs.push({
        env: s.StackName.slice(STACK_PREFIX.length),
        stackName: s.StackName,
        status: s.StackStatus ?? 'UNKNOWN',
        lastUpdated: (s.LastUpdatedTime ?? s.CreationTime)?.toISOString(),
        apiUrl: s.Outputs?.find((o) => o.OutputKey === OUTPUTS.apiUrl)?.OutputValue,
      });
    }
  }
  envs.sort((a, b) => a.env.localeCompare(b.env));
  // No stack to read the account from: ask STS (which needs no permission); an answer that fails leaves it unsaid.
  account ??= await callerAccount(deps);
  return { kind: 'envs', account, region: await cfn.config.region(), envs, ...(shared ? { shared } : {}) };
}

async function callerAccount(deps: Deps): Promise<string | undefined> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    return (await (await deps.aws.sts()).send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    return undefined;
  }
}

export function render(r: ListResult): string {
  const shared = r.shared
    ? [`Shared: ${r.shared.stackName} ${r.shared.status}, last updated ${r.shared.lastUpdated ?? '-'} (API Gateway's CloudWatch role for every env here; tap destroy leaves it)`]
    : [];
  if (r.envs.length === 0) return [`no tap envs in ${r.account ? `account ${r.account}` : 'this account'}, region ${r.region}`, ...shared].join('\n');
  const rows = [['ENV', 'STATUS', 'LAST UPDATED', 'API URL'], ...r.envs.map((e) => [e.env, e.status, e.lastUpdated ?? '-', e.apiUrl ?? '-'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  return [...rows.map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()), ...shared].join('\n');
}

export default defineCommand({
  name: 'list',
  summary: 'every tap env in the account and region: status, last update, API URL; and the shared stack',
  env: 'none',
  options: {},
  examples: ['tap list', 'tap list --region eu-west-1 --json'],
  permissions: 'cloudformation:DescribeStacks (and sts:GetCallerIdentity, which needs no permission, to name the account when there is no stack).',
  run: (_input, deps) => run({}, deps),
  render,
});
