import type { Deps } from '../deps.js';
import { EVENTS_PROCESSED } from '../stack/spec.js';

export { EVENTS_PROCESSED };

/** One-minute periods: standard-resolution EMF metrics are stored per minute (for 15 days). */
const PERIOD_S = 60;

/**
 * When the env last processed an event within `lookbackMs` before `now`: the newest one-minute
 * period with a non-zero `EventsProcessed` sum, or undefined when there is none.
 *
 * Bounded: one GetMetricData call, whatever the traffic. GetMetricData returns only the periods
 * that hold data; scanned newest first, the first value on the first page is the answer, so no
 * further page can change it (the rest of the window is left unread on purpose).
 */
export async function lastProcessed(deps: Deps, env: string, now: Date, lookbackMs: number): Promise<Date | undefined> {
  const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const cw = await deps.aws.cloudWatch();
  const { MetricDataResults = [] } = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - lookbackMs),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'processed',
          ReturnData: true,
          MetricStat: {
            Metric: { Namespace: EVENTS_PROCESSED.namespace, MetricName: EVENTS_PROCESSED.metric, Dimensions: [{ Name: EVENTS_PROCESSED.dimension, Value: env }] },
            Period: PERIOD_S,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  const result = MetricDataResults.find((r) => r.Id === 'processed');
  const values = result?.Values ?? [];
  const index = values.findIndex((v) => v > 0);
  return index >= 0 ? result?.Timestamps?.[index] : undefined;
}
