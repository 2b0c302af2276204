import type { StackInfo } from '../aws/stacks.js';
import type { Deps } from '../deps.js';
import type { EnvNames } from '../stack/naming.js';
import type { CheckResult, CheckStatus, Outcome } from '../messages/observe.js';

export { CHECK_SYMBOL } from '../messages/observe.js';
export type { CheckResult, CheckStatus, Outcome };

/** What every check gets: deps, the env's names, the stack read once, other checks' results. */
export interface CheckContext {
  readonly deps: Deps;
  readonly env: string;
  readonly names: EnvNames;
  /** How long the canary waits for its receipt and its trace. */
  readonly timeoutMs: number;
  stack(): Promise<StackInfo | undefined>;
  /** The stack's outputs; throws a failed outcome when the stack is not there. */
  outputs(): Promise<Record<string, string>>;
  /** The result of a check this one `needs`. */
  result(id: string): Promise<CheckResult>;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  /** Checks whose result this one reads; it is skipped when one of them did not pass. */
  readonly needs?: readonly string[];
  /** Sends an event or writes data: left out by `--no-canary`. */
  readonly canary?: boolean;
  /** Runs only when asked for (`--drift`). */
  readonly optIn?: boolean;
  run(ctx: CheckContext): Promise<Outcome>;
}

export const pass = (detail: string, data?: Record<string, unknown>): Outcome => ({ status: 'pass', detail, data });
export const warn = (detail: string, remedy: string, data?: Record<string, unknown>): Outcome => ({ status: 'warn', detail, remedy, data });
export const fail = (detail: string, remedy: string, data?: Record<string, unknown>): Outcome => ({ status: 'fail', detail, remedy, data });

/** Thrown inside a check to end it with this outcome (e.g. from a shared lookup). */
export class CheckOutcome extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.detail);
  }
}

/**
 * Compares what is deployed with what tap's stack declares: `[label, actual, expected]` rows in,
 * one outcome out, naming every difference.
 */
export function compare(rows: readonly [string, unknown, unknown][], what: string, remedy: string): Outcome {
  const wrong = rows.filter(([, actual, expected]) => JSON.stringify(actual) !== JSON.stringify(expected));
  if (wrong.length === 0) return pass(`${what}: ${rows.map(([label, actual]) => `${label} ${String(actual)}`).join(', ')}`);
  return fail(`${what}: ${wrong.map(([label, actual, expected]) => `${label} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).join('; ')}`, remedy);
}

/** The remedy for drifted configuration: deploy again. */
export const redeploy = (env: string): string => `run \`tap deploy --env ${env}\` to put it back as the code declares it`;
