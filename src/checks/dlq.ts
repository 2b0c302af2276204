import type { Deps } from '../deps.js';
import { OUTPUTS } from '../stack/spec.js';
import { type Check, pass, warn } from './check.js';

/** Messages waiting in a queue (SQS's approximate count); status reads it too. */
export async function queueDepth(deps: Deps, url: string): Promise<number> {
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const { Attributes = {} } = await (await deps.aws.sqs()).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

/** The dead-letter queue is empty; messages waiting mean events that were never processed. */
export const dlqCheck: Check = {
  id: 'dlq',
  title: 'Dead-letter queue',
  needs: ['stack'],
  async run(ctx) {
    const waiting = await queueDepth(ctx.deps, (await ctx.outputs())[OUTPUTS.dlqUrl] ?? '');
    if (waiting > 0) {
      return warn(`${waiting} message(s) waiting in ${ctx.names.dlq}`, `events that failed delivery: inspect them, fix the processor, then \`tap replay-archive\` their window`, { waiting });
    }
    return pass(`${ctx.names.dlq} is empty`, { waiting });
  },
};
