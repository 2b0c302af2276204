import { bucketPrefix, type EnvNames } from '../stack/naming.js';
import { OUTPUTS } from '../stack/spec.js';
import { type Check, fail, pass } from './check.js';

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

/** The stack exists, settled in a *_COMPLETE status that is not a rollback, with every output well-formed. */
export const stackCheck: Check = {
  id: 'stack',
  title: 'Stack',
  async run(ctx) {
    const stack = await ctx.stack();
    if (!stack) return fail(`${ctx.names.stack} does not exist`, `deploy it with \`tap deploy --env ${ctx.env}\``);
    if (!stack.status.endsWith('_COMPLETE') || stack.status.includes('ROLLBACK')) {
      return fail(`${ctx.names.stack} is ${stack.status}`, `run \`tap deploy --env ${ctx.env}\` and look at its root cause`, { status: stack.status });
    }
    const problems = Object.entries(expectedOutputs(ctx.env, ctx.names)).flatMap(([key, ok]) => {
      const value = stack.outputs[key];
      if (value === undefined) return [`${key} missing`];
      return ok(value) ? [] : [`${key} malformed (${value})`];
    });
    if (problems.length) return fail(`outputs: ${problems.join(', ')}`, `run \`tap deploy --env ${ctx.env}\` to restore the outputs`);
    return pass(`${stack.status}, ${Object.keys(stack.outputs).length} outputs`, { status: stack.status, lastUpdated: stack.lastUpdated?.toISOString() });
  },
};
