import { describeEnvAlarms, todoOf } from '../aws/alarms.js';
import { OUTPUTS } from '../stack/spec.js';
import { type Check, fail, pass, redeploy, warn } from './check.js';

/**
 * Every alarm of the env exists and notifies the alerts topic on ALARM and on OK, the composite
 * (deploy's rollback trigger) exists, and none is in ALARM; INSUFFICIENT_DATA is a warning (a new
 * alarm waits for its first evaluation, one period).
 */
export const alarmsCheck: Check = {
  id: 'alarms',
  title: 'Alarms',
  needs: ['stack'],
  async run(ctx) {
    const topic = (await ctx.outputs())[OUTPUTS.alertsTopicArn];
    const { metric, rollup } = await describeEnvAlarms(ctx.deps, ctx.names);
    const problems = [
      ...metric.flatMap(({ name, alarm }) => {
        if (!alarm) return [`${name} is missing`];
        const actions = [!alarm.AlarmActions?.includes(topic ?? '') && 'ALARM', !alarm.OKActions?.includes(topic ?? '') && 'OK'].filter(Boolean);
        return actions.length ? [`${name} does not notify ${ctx.names.alerts} on ${actions.join(' and ')}`] : [];
      }),
      ...(rollup ? [] : [`${ctx.names.rollup} (the rollback trigger) is missing`]),
    ];
    if (problems.length) return fail(problems.join('; '), redeploy(ctx.env));
    const alarms = metric.map(({ alarm }) => alarm!);
    const firing = alarms.filter((a) => a.StateValue === 'ALARM');
    const data = { alarm: firing.map((a) => a.AlarmName), insufficientData: alarms.filter((a) => a.StateValue === 'INSUFFICIENT_DATA').map((a) => a.AlarmName) };
    if (firing.length) {
      return fail(
        `in ALARM: ${firing.map((a) => `${a.AlarmName} (${a.StateReason ?? 'no reason given'})`).join('; ')}`,
        firing.map((a) => `${a.AlarmName}: ${todoOf(a) ?? 'see its description'}`).join('; '),
        data,
      );
    }
    if (data.insufficientData.length) {
      return warn(`INSUFFICIENT_DATA: ${data.insufficientData.join(', ')}`, 'a new alarm has no state until its first evaluation (5 min); if it stays so, check its metric in the dashboard', data);
    }
    return pass(`${alarms.length} alarms OK, each notifying ${ctx.names.alerts}; ${ctx.names.rollup} ${rollup!.StateValue}`, data);
  },
};
