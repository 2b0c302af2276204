import { OUTPUTS } from '../stack/spec.js';
import { type Check, fail, pass, redeploy } from './check.js';

/** The API id is the first label of the execute-api host in the stack's ApiUrl output. */
export function restApiId(apiUrl: string): string {
  return new URL(apiUrl).hostname.split('.')[0] ?? '';
}

/** The API stage traces requests with X-Ray and writes access logs. */
export const apiTracingCheck: Check = {
  id: 'api-tracing',
  title: 'API stage tracing and access logs',
  needs: ['stack'],
  async run(ctx) {
    const { GetStageCommand } = await import('@aws-sdk/client-api-gateway');
    const apiUrl = (await ctx.outputs())[OUTPUTS.apiUrl] ?? '';
    const stage = await (await ctx.deps.aws.apiGateway()).send(new GetStageCommand({ restApiId: restApiId(apiUrl), stageName: ctx.env }));
    const problems = [
      stage.tracingEnabled !== true && 'X-Ray tracing is off',
      !stage.accessLogSettings?.destinationArn && 'access logging is off',
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length) return fail(`stage ${ctx.env}: ${problems.join(', ')}`, redeploy(ctx.env));
    return pass(`stage ${ctx.env}: tracing on, access logs to ${stage.accessLogSettings?.destinationArn?.split(':log-group:')[1] ?? 'a log group'}`);
  },
};
