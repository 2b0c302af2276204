import { RULE_RETRY } from '../stack/spec.js';
import { type Check, compare, redeploy } from './check.js';

/** The rule is ENABLED and delivers to the processor with the declared retry policy and a DLQ. */
export const ruleCheck: Check = {
  id: 'rule',
  title: 'EventBridge rule',
  async run(ctx) {
    const { DescribeRuleCommand, ListTargetsByRuleCommand } = await import('@aws-sdk/client-eventbridge');
    const events = await ctx.deps.aws.eventBridge();
    const [rule, { Targets = [] }] = await Promise.all([
      events.send(new DescribeRuleCommand({ Name: ctx.names.rule, EventBusName: ctx.names.bus })),
      events.send(new ListTargetsByRuleCommand({ Rule: ctx.names.rule, EventBusName: ctx.names.bus })),
    ]);
    const target = Targets.find((t) => t.Arn?.endsWith(`:function:${ctx.names.processor}`));
    return compare(
      [
        ['state', rule.State, 'ENABLED'],
        ['target', target ? ctx.names.processor : Targets.map((t) => t.Arn).join(', ') || 'none', ctx.names.processor],
        ['retries', target?.RetryPolicy?.MaximumRetryAttempts, RULE_RETRY.attempts],
        ['max event age s', target?.RetryPolicy?.MaximumEventAgeInSeconds, RULE_RETRY.maxEventAgeSeconds],
        ['DLQ', target?.DeadLetterConfig?.Arn?.split(':').pop(), ctx.names.dlq],
      ],
      ctx.names.rule,
      redeploy(ctx.env),
    );
  },
};
