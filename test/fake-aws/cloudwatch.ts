/** One EMF log line, as far as CloudWatch reads it. */
interface EmfLine {
  _aws?: { Timestamp?: number; CloudWatchMetrics?: { Namespace?: string; Dimensions?: string[][]; Metrics?: { Name?: string }[] }[] };
  [field: string]: unknown;
}

interface Query {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }; Period?: number; Stat?: string };
}

/**
 * CloudWatch metrics as Lambda's Embedded Metric Format makes them: every log line of a function
 * that declares `_aws.CloudWatchMetrics` becomes data points of those metrics, by namespace and
 * dimension values. `GetMetricData` (the `Sum` statistic) answers like AWS: only the periods that
 * hold data, oldest first unless `ScanBy` is `TimestampDescending`.
 */
export class FakeCloudWatch {
  constructor(private readonly logs: () => readonly { fn: string; line: string }[]) {}

  getMetricData(input: { StartTime?: Date; EndTime?: Date; ScanBy?: string; MetricDataQueries?: Query[] }) {
    const from = input.StartTime?.getTime() ?? 0;
    const to = input.EndTime?.getTime() ?? Infinity;
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const stat = q.MetricStat ?? {};
        const periodMs = (stat.Period ?? 60) * 1000;
        const sums = new Map<number, number>();
        for (const { at, value } of this.points(stat.Metric ?? {})) {
          if (at < from || at >= to) continue;
          const period = Math.floor(at / periodMs) * periodMs;
          sums.set(period, (sums.get(period) ?? 0) + value);
        }
        const periods = [...sums.keys()].sort((a, b) => (input.ScanBy === 'TimestampDescending' ? b - a : a - b));
        return { Id: q.Id, Label: stat.Metric?.MetricName, StatusCode: 'Complete', Timestamps: periods.map((p) => new Date(p)), Values: periods.map((p) => sums.get(p) ?? 0) };
      }),
      Messages: [],
    };
  }

  /** The data points of one metric with exactly these dimensions. */
  private *points(metric: NonNullable<Query['MetricStat']>['Metric'] & object): Generator<{ at: number; value: number }> {
    const wanted = new Map((metric.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
    for (const { line } of this.logs()) {
      let emf: EmfLine;
      try {
        emf = JSON.parse(line) as EmfLine;
      } catch {
        continue; // a plain log line, not a metric
      }
      for (const directive of emf._aws?.CloudWatchMetrics ?? []) {
        if (directive.Namespace !== metric.Namespace || !directive.Metrics?.some((m) => m.Name === metric.MetricName)) continue;
        const matches = (directive.Dimensions ?? []).some((set) => set.length === wanted.size && set.every((name) => wanted.get(name) === String(emf[name])));
        const value = Number(emf[metric.MetricName ?? '']);
        if (matches && Number.isFinite(value)) yield { at: emf._aws?.Timestamp ?? 0, value };
      }
    }
  }
}
