import { retryTransient } from '../aws/retry.js';
import { describeStack, type StackInfo } from '../aws/stacks.js';
import type { Deps } from '../deps.js';
import { isAccessProblem, isNotFound, isTransient, toTapError, UsageError } from '../errors.js';
import { namesFor } from '../stack/naming.js';
import { type Check, type CheckContext, CheckOutcome, type CheckResult, fail, type Outcome } from './check.js';
import { CHECKS } from './index.js';

const CHECK_RETRY_MS = 1000;

export interface Selection {
  /** Only these checks (and the checks they need). @default every check */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  /** Include the canary checks, which send an event and write a receipt. @default true */
  readonly canary: boolean;
  /** Include drift detection. @default false */
  readonly drift: boolean;
}

/** The checks to run, in display order; unknown ids are a usage error. */
export function selectChecks(sel: Selection): Check[] {
  const ids = CHECKS.map((c) => c.id);
  for (const id of [...(sel.only ?? []), ...(sel.skip ?? [])]) {
    if (!ids.includes(id)) throw new UsageError(`unknown check '${id}'`, { hint: `checks: ${ids.join(', ')}` });
  }
  const wanted = new Set(
    CHECKS.filter((c) => (sel.only ? sel.only.includes(c.id) : !c.optIn || sel.drift))
      .filter((c) => !sel.skip?.includes(c.id))
      .filter((c) => sel.canary || !c.canary)
      .map((c) => c.id),
  );
  // A check brings the checks it reads (canary-trace brings canary-delivery).
  for (let size = 0; size !== wanted.size; ) {
    size = wanted.size;
    for (const c of CHECKS) if (wanted.has(c.id)) for (const need of c.needs ?? []) wanted.add(need);
  }
  return CHECKS.filter((c) => wanted.has(c.id));
}

/**
 * Runs the checks concurrently; a check that needs another waits for it and is skipped when it did
 * not pass. Nothing thrown escapes: an error becomes the check's failure (marked when it means
 * AWS could not be reached or refused the caller).
 */
export async function runChecks(env: string, checks: readonly Check[], deps: Deps, timeoutMs: number, onDone: (r: CheckResult) => void): Promise<CheckResult[]> {
  const names = namesFor(env);
  let stack: Promise<StackInfo | undefined> | undefined;
  const running = new Map<string, Promise<CheckResult>>();
  const ctx: CheckContext = {
    deps,
    env,
    names,
    timeoutMs,
    stack: () => {
      // Shared by every check; a failed read is not kept, so that a retried check reads again.
      stack ??= deps.aws.cloudFormation().then((cfn) => describeStack(cfn, names.stack));
      return stack.catch((error: unknown) => {
        stack = undefined;
        throw error;
      });
    },
    outputs: async () => {
      const s = await ctx.stack();
      if (!s) throw new CheckOutcome(fail(`${names.stack} does not exist`, `deploy it with \`tap deploy --env ${env}\``));
      return s.outputs;
    },
    result: (id) => running.get(id) ?? Promise.reject(new Error(`check ${id} is not running`)),
  };
  for (const check of checks) running.set(check.id, runOne(check, ctx).then((r) => (onDone(r), r)));
  return Promise.all(checks.map((c) => running.get(c.id)!));
}

/**
 * What to do about a check's call that failed with no hint of its own. The message already names the
 * service, the call and AWS's answer, which is what --verbose would add, so that is not offered.
 */
function remedyFor(error: unknown, access: boolean, env: string): string | undefined {
  if (access) return 'check credentials and IAM permissions';
  if (isNotFound(error)) return `the env lacks it: deploy it with \`tap deploy --env ${env}\``;
  if (isTransient(error)) return `AWS's side failed after the retries: run \`tap verify --env ${env}\` again`;
  return undefined;
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckResult> {
  let started = performance.now();
  const done = (outcome: Outcome, awsError?: string): CheckResult => ({
    id: check.id,
    title: check.title,
    ...outcome,
    durationMs: Math.round(performance.now() - started),
    ...(awsError ? { awsError } : {}),
  });
  // A skipped check did no work of its own: 0 ms.
  const skipped = (detail: string): CheckResult => ({ id: check.id, title: check.title, status: 'skip', detail, durationMs: 0 });
  // Without the stack there is nothing to check: one plain line, no call that would only fail, said
  // after the stack check's own line when it runs. (A failed read is not a missing stack: the check
  // then runs and reports its own error.)
  if (check.id !== 'stack' && (await ctx.stack().catch(() => null)) === undefined) {
    await ctx.result('stack').catch(() => undefined);
    return skipped(`skipped: ${ctx.names.stack} does not exist`);
  }
  for (const need of check.needs ?? []) {
    const dep = await ctx.result(need);
    if (dep.status !== 'pass' && dep.status !== 'warn') return skipped(`skipped: ${need} ${dep.status === 'skip' ? 'was skipped' : 'failed'}`);
  }
  started = performance.now(); // a check's duration is its own work, not the wait for what it needs
  try {
    // A read that failed after the SDK's own retries (throttling, 5xx) fails the check only if it fails again.
    return done(await retryTransient(ctx.deps, CHECK_RETRY_MS, () => check.run(ctx)));
  } catch (error) {
    if (error instanceof CheckOutcome) return done(error.outcome);
    const e = toTapError(error);
    const access = isAccessProblem(error);
    const remedy = e.hint ?? remedyFor(error, access, ctx.env);
    return done(remedy ? fail(e.message, remedy) : { status: 'fail', detail: e.message }, access ? e.message : undefined);
  }
}
