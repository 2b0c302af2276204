import { valuesOf } from '../config.js';
import { stackSettings } from '../stack/settings.js';
import { FUNCTION_ENV, FUNCTION_MEMORY_MB, INSIGHTS_LAYER, RUNTIME } from '../stack/spec.js';
import { type Check, type Outcome, fail, pass, redeploy } from './check.js';

/** Both functions: active tracing, the runtime, memory (the processor's as tap.config.json sets it), Lambda Insights and service discovery. */
export const lambdaConfigCheck: Check = {
  id: 'lambda-config',
  title: 'Lambda configuration',
  async run(ctx) {
    const { GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
    const lambda = await ctx.deps.aws.lambda();
    const memory = { [ctx.names.handler]: FUNCTION_MEMORY_MB, [ctx.names.processor]: stackSettings(valuesOf(ctx.deps.settings)).processorMemoryMb };
    const outcomes: Outcome[] = await Promise.all(
      [ctx.names.handler, ctx.names.processor].map(async (name) => {
        const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        const vars = c.Environment?.Variables ?? {};
        const problems = [
          c.TracingConfig?.Mode !== 'Active' && `tracing is ${c.TracingConfig?.Mode ?? 'off'}, expected Active`,
          c.Runtime !== RUNTIME && `runtime is ${c.Runtime}, expected ${RUNTIME}`,
          c.MemorySize !== memory[name] && `memory is ${c.MemorySize} MB, expected ${memory[name]}`,
          !(c.Layers ?? []).some((l) => l.Arn?.includes(`:layer:${INSIGHTS_LAYER}:`)) && 'the Lambda Insights layer is missing',
          ...FUNCTION_ENV.filter((k) => !vars[k]).map((k) => `environment variable ${k} is missing`),
          vars.TAP_ENV !== undefined && vars.TAP_ENV !== ctx.env && `TAP_ENV is ${vars.TAP_ENV}`,
        ].filter((p): p is string => typeof p === 'string');
        return problems.length ? fail(`${name}: ${problems.join(', ')}`, redeploy(ctx.env)) : pass(name);
      }),
    );
    const failed = outcomes.filter((o) => o.status === 'fail');
    if (failed.length) return fail(failed.map((o) => o.detail).join('; '), redeploy(ctx.env));
    return pass(`${outcomes.map((o) => `${o.detail} (${memory[o.detail]} MB)`).join(', ')}: tracing Active, ${RUNTIME}, Insights, ${FUNCTION_ENV.join('/')}`);
  },
};
