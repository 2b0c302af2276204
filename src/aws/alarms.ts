import type { CompositeAlarm, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Deps } from '../deps.js';
import { ALARMS, type AlarmSpec } from '../stack/alarm-spec.js';
import type { EnvNames } from '../stack/naming.js';

/** The env's alarms as CloudWatch has them: each expected metric alarm (or undefined), and the composite. */
export interface EnvAlarms {
  readonly metric: readonly { spec: AlarmSpec; name: string; alarm?: MetricAlarm }[];
  readonly rollup?: CompositeAlarm;
}

/**
 * Reads the env's alarms by their names (exact: a prefix would also match another env whose name
 * extends this one's), metric and composite alike, every page of DescribeAlarms.
 */
export async function describeEnvAlarms(deps: Deps, names: EnvNames): Promise<EnvAlarms> {
  const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
  const metric: MetricAlarm[] = [];
  const composite: CompositeAlarm[] = [];
  const input = { AlarmNames: [...Object.values(names.alarms), names.rollup], AlarmTypes: ['MetricAlarm' as const, 'CompositeAlarm' as const] };
  for await (const page of paginateDescribeAlarms({ client: await deps.aws.cloudWatch() }, input)) {
    metric.push(...(page.MetricAlarms ?? []));
    composite.push(...(page.CompositeAlarms ?? []));
  }
  return {
    metric: ALARMS.map((spec) => ({ spec, name: names.alarms[spec.id], alarm: metric.find((a) => a.AlarmName === names.alarms[spec.id]) })),
    rollup: composite.find((a) => a.AlarmName === names.rollup),
  };
}

/** The "To do" half of an alarm's description (alarm-spec.ts), for messages that name the alarm. */
export function todoOf(alarm: { AlarmDescription?: string }): string | undefined {
  return /To do: (.+?)\.?$/.exec(alarm.AlarmDescription ?? '')?.[1];
}
