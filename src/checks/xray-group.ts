import { traceFilter } from '../stack/spec.js';
import { type Check, compare, redeploy } from './check.js';

/** The env's X-Ray group exists with the expected filter expression and insights on. */
export const xrayGroupCheck: Check = {
  id: 'xray-group',
  title: 'X-Ray group',
  async run(ctx) {
    const { GetGroupCommand } = await import('@aws-sdk/client-xray');
    const { Group } = await (await ctx.deps.aws.xray()).send(new GetGroupCommand({ GroupName: ctx.names.xrayGroup }));
    return compare(
      [
        ['filter', Group?.FilterExpression, traceFilter(ctx.names)],
        ['insights', Group?.InsightsConfiguration?.InsightsEnabled ?? false, true],
      ],
      ctx.names.xrayGroup,
      redeploy(ctx.env),
    );
  },
};
