import { type Check, pass } from './check.js';

/** The env's event bus exists. */
export const eventBusCheck: Check = {
  id: 'event-bus',
  title: 'EventBridge bus',
  async run(ctx) {
    const { DescribeEventBusCommand } = await import('@aws-sdk/client-eventbridge');
    const bus = await (await ctx.deps.aws.eventBridge()).send(new DescribeEventBusCommand({ Name: ctx.names.bus }));
    return pass(`${bus.Name} (${bus.Arn})`, { arn: bus.Arn });
  },
};
