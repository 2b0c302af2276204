import { OUTPUTS } from '../stack/spec.js';
import { type Check, pass, warn } from './check.js';

/** The dead-letter queue is empty; messages waiting mean events that were never processed. */
export const dlqCheck: Check = {
  id: 'dlq',
  title: 'Dead-letter queue',
  needs: ['stack'],
  async run(ctx) {
    const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    const url = (await ctx.outputs())[OUTPUTS.dlqUrl] ?? '';
    const { Attributes = {} } = await (await ctx.deps.aws.sqs()).send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const waiting = Number(Attributes.ApproximateNumberOfMessages ?? 0);
    if (waiting > 0) {
      return warn(`${waiting} message(s) waiting in ${ctx.names.dlq}`, `events that failed delivery: inspect them, fix the processor, then \`tap replay-archive\` their window`, { waiting });
    }
    return pass(`${ctx.names.dlq} is empty`, { waiting });
  },
};
