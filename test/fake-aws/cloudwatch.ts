import { awsError } from './errors.js';

/** One EMF log line, as far as CloudWatch reads it. */
interface EmfLine {
  _aws?: { Timestamp?: number; CloudWatchMetrics?: { Namespace?: string; Dimensions?: string[][]; Metrics?: { Name?: string }[] }[] };
  [field: string]: unknown;
}

interface Query {
  Id?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }; Period?: number; Stat?: string };
}

/** A deployed alarm as the template declares it (properties resolved). */
interface AlarmResource {
  readonly type: string;
  readonly physicalId: string;
  readonly arn: string;
  readonly properties: Record<string, unknown>;
}

type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * CloudWatch metrics as Lambda's Embedded Metric Format makes them: every log line of a function
 * that declares `_aws.CloudWatchMetrics` becomes data points of those metrics, by namespace and
 * dimension values. `GetMetricData` (the `Sum` statistic) answers like AWS: only the periods that
 * hold data, oldest first unless `ScanBy` is `TimestampDescending`.
 */
export class FakeCloudWatch {
  /** States set with `setAlarmState` (or SetAlarmState), by alarm name. */
  private readonly states = new Map<string, { value: AlarmState; reason: string; at: Date }>();
  /**
   * DescribeAlarms' page size when MaxRecords is not given. AWS does not document its default; a
   * small one makes every test that reads alarms cross pages.
   */
  alarmPageSize = 4;

  constructor(
    private readonly logs: () => readonly { fn: string; line: string }[],
    private readonly alarmResources: () => readonly AlarmResource[] = () => [],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** As SetAlarmState: the state holds until the next evaluation (here: until set again). */
  setAlarmState(input: { AlarmName?: string; StateValue?: string; StateReason?: string }): Record<string, never> {
    const name = input.AlarmName ?? '';
    if (!this.alarmResources().some((a) => a.physicalId === name)) throw awsError('ResourceNotFound', `Alarm ${name} not found`, 404);
    this.states.set(name, { value: (input.StateValue ?? 'OK') as AlarmState, reason: input.StateReason ?? '', at: this.now() });
    return {};
  }

  /**
   * DescribeAlarms as the API reference has it: by AlarmNames (at most 100) or AlarmNamePrefix (not
   * both), metric alarms unless AlarmTypes asks for composites too, an optional StateValue, pages of
   * MaxRecords (1-100) with NextToken. A new alarm is reported as evaluated at once: OK when missing
   * data counts as not breaching (or is ignored), INSUFFICIENT_DATA otherwise (AWS takes up to a
   * period to get there); a composite is in ALARM while any alarm its rule names is.
   */
  describeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; AlarmTypes?: string[]; StateValue?: string; MaxRecords?: number; NextToken?: string }) {
    if (input.AlarmNames?.length && input.AlarmNamePrefix) throw awsError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be given together', 400);
    if ((input.AlarmNames?.length ?? 0) > 100) throw awsError('ValidationError', 'The collection AlarmNames must not have a size greater than 100.', 400);
    const size = input.MaxRecords ?? this.alarmPageSize;
    if (size < 1 || size > 100) throw awsError('ValidationError', 'MaxRecords must be between 1 and 100', 400);
    const types = input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm'];
    const matching = this.alarmResources()
      .filter((a) => types.includes(a.type === 'AWS::CloudWatch::CompositeAlarm' ? 'CompositeAlarm' : 'MetricAlarm'))
      .filter((a) => (input.AlarmNames?.length ? input.AlarmNames.includes(a.physicalId) : a.physicalId.startsWith(input.AlarmNamePrefix ?? '')))
      .sort((a, b) => a.physicalId.localeCompare(b.physicalId))
      .map((a) => ({ a, state: this.stateOf(a) }))
      .filter(({ state }) => !input.StateValue || state.value === input.StateValue);
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = matching.slice(start, start + size);
    const described = page.map(({ a, state }) => ({ a, d: { ...this.described(a), StateValue: state.value, StateReason: state.reason, StateUpdatedTimestamp: state.at } }));
    return {
      MetricAlarms: described.filter(({ a }) => a.type === 'AWS::CloudWatch::Alarm').map(({ d }) => d),
      CompositeAlarms: described.filter(({ a }) => a.type === 'AWS::CloudWatch::CompositeAlarm').map(({ d }) => d),
      NextToken: start + size < matching.length ? String(start + size) : undefined,
    };
  }

  /** An alarm's current state: as set, or as its first evaluation leaves it (see describeAlarms). */
  stateOf(a: AlarmResource): { value: AlarmState; reason: string; at: Date } {
    const set = this.states.get(a.physicalId);
    if (a.type === 'AWS::CloudWatch::CompositeAlarm') {
      const children = [...(a.properties.AlarmRule as string | undefined ?? '').matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]!);
      const firing = children.filter((name) => this.states.get(name)?.value === 'ALARM');
      if (firing.length) return { value: 'ALARM', reason: `arn:aws:cloudwatch:alarm:${firing[0]} transitioned to ALARM`, at: this.states.get(firing[0]!)!.at };
      return set ?? { value: 'OK', reason: 'No child alarm is in ALARM', at: this.now() };
    }
    if (set) return set;
    const missing = (a.properties.TreatMissingData as string | undefined) ?? 'missing';
    return missing === 'notBreaching' || missing === 'ignore'
      ? { value: 'OK', reason: 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].', at: this.now() }
      : { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', at: this.now() };
  }

  private described(a: AlarmResource): { AlarmName: string; AlarmArn: string; [field: string]: unknown } {
    const p = a.properties;
    return { AlarmName: a.physicalId, AlarmArn: a.arn, AlarmDescription: p.AlarmDescription, ActionsEnabled: p.ActionsEnabled ?? true, AlarmActions: p.AlarmActions ?? [], OKActions: p.OKActions ?? [], ...(a.type === 'AWS::CloudWatch::CompositeAlarm' ? { AlarmRule: p.AlarmRule } : { MetricName: p.MetricName, Namespace: p.Namespace, Threshold: p.Threshold, TreatMissingData: p.TreatMissingData }) };
  }

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
