import { bucketPrefix, type EnvNames } from '../stack/naming.js';
import { OUTPUTS } from '../stack/spec.js';
import type { StackInfo } from '../aws/stacks.js';
import { type Check, fail, pass, warn } from './check.js';

/** Output name -> what a well-formed value looks like for this env. */
function expectedOutputs(env: string, names: EnvNames): Record<string, (v: string) => boolean> {
  const url = (v: string, path: RegExp) => {
    try {
      const u = new URL(v);
      return /^https?:$/.test(u.protocol) && path.test(u.pathname);
    } catch {
      return false;
    }
  };
  return {
    [OUTPUTS.apiUrl]: (v) => url(v, new RegExp(`/${env}/$`)),
    [OUTPUTS.busName]: (v) => v === names.bus,
    [OUTPUTS.busArn]: (v) => v.startsWith('arn:') && v.endsWith(`:event-bus/${names.bus}`),
    [OUTPUTS.archiveName]: (v) => v === names.archive,
    [OUTPUTS.xrayGroup]: (v) => v === names.xrayGroup,
    [OUTPUTS.handlerName]: (v) => v === names.handler,
    [OUTPUTS.processorName]: (v) => v === names.processor,
    [OUTPUTS.bucketName]: (v) => v.startsWith(bucketPrefix(env)),
    [OUTPUTS.dlqUrl]: (v) => url(v, new RegExp(`/${names.dlq}$`)),
    [OUTPUTS.alertsTopicArn]: (v) => v.startsWith('arn:') && v.endsWith(`:${names.alerts}`),
    [OUTPUTS.dashboardUrl]: (v) => url(v, /^\/cloudwatch\/home$/) && v.endsWith(`#dashboards:name=${names.dashboard}`),
  };
}

/**
 * What the stack's description says of the env, read the same way by `tap verify` (its `stack` check)
 * and `tap status` (its `stack` line): one reading of one fact, one verdict. `warn` is status's amber.
 */
export interface StackReading {
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
  /** Which rule gave the verdict, as status shows it. */
  readonly rule: string;
  readonly remedy?: string;
  readonly data?: Record<string, unknown>;
}

export function readStack(stack: StackInfo | undefined, env: string, names: EnvNames): StackReading {
  const deploy = `\`tap deploy --env ${env}\``;
  if (!stack) return { status: 'fail', detail: `${names.stack} does not exist`, rule: 'no stack', remedy: `deploy it with ${deploy}` };
  const data = { status: stack.status, lastUpdated: stack.lastUpdated?.toISOString() };
  const seen = `${stack.status}, updated ${stack.lastUpdated?.toISOString() ?? '?'}`;
  if (/FAILED$|^ROLLBACK_COMPLETE$/.test(stack.status)) return { status: 'fail', detail: seen, rule: 'a failed status', remedy: `run ${deploy} and look at its root cause`, data };
  // An operation runs: the outputs are those of the last one, or none yet; they are read once it has settled.
  if (stack.status.endsWith('_IN_PROGRESS')) return { status: 'warn', detail: seen, rule: 'an operation runs', remedy: 'wait for it to settle, then look again', data };
  const problems = Object.entries(expectedOutputs(env, names)).flatMap(([key, ok]) => {
    const value = stack.outputs[key];
    if (value === undefined) return [`${key} missing`];
    return ok(value) ? [] : [`${key} malformed (${value})`];
  });
  if (problems.length) return { status: 'fail', detail: `${seen}; outputs: ${problems.join(', ')}`, rule: 'an output missing or malformed', remedy: `run ${deploy} to restore the outputs`, data };
  const outputs = `${Object.keys(stack.outputs).length} outputs`;
  if (stack.status.includes('ROLLBACK')) return { status: 'warn', detail: `${seen}, ${outputs}`, rule: 'the last operation rolled back', remedy: `run ${deploy} and look at its root cause`, data };
  return { status: 'pass', detail: `${seen}, ${outputs}`, rule: 'settled *_COMPLETE, every output well-formed', data };
}

/** The stack check: `readStack`'s verdict. */
export const stackCheck: Check = {
  id: 'stack',
  title: 'Stack',
  async run(ctx) {
    const r = readStack(await ctx.stack(), ctx.env, ctx.names);
    return r.status === 'pass' ? pass(r.detail, r.data) : r.status === 'warn' ? warn(r.detail, r.remedy ?? '', r.data) : fail(r.detail, r.remedy ?? '', r.data);
  },
};
