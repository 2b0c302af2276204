import type { FakeCloudFormation } from './cloudformation.js';
import { awsError } from './errors.js';
import { page } from './paging.js';
import { serviceGraph } from './service-graph.js';
import { parseFilter, type FilterSegment } from './xray-filter.js';

export interface Segment {
  id: string;
  name: string;
  origin: string;
  trace_id: string;
  start_time: number;
  end_time: number;
  parent_id?: string;
  http?: unknown;
  aws?: unknown;
  fault?: boolean;
  error?: boolean;
  subsegments?: unknown[];
}

/**
 * X-Ray's reads over the traces the fake env's hops record (`traces`, by trace id): groups (from the
 * deployed `AWS::XRay::Group` resources), GetTraceSummaries with the filter expression evaluated
 * (xray-filter.ts), BatchGetTraces and GetServiceGraph (service-graph.ts), each in pages.
 */
export class FakeXRay {
  readonly traces = new Map<string, Segment[]>();

  constructor(private readonly cfn: FakeCloudFormation) {}

  group(name: string) {
    const g = this.cfn.resources('AWS::XRay::Group').find((r) => r.physicalId === name);
    if (!g) throw awsError('InvalidRequestException', 'Group not found', 400);
    const p = g.properties as { FilterExpression?: string; InsightsConfiguration?: unknown };
    return { Group: { GroupName: name, GroupARN: `arn:aws:xray:${this.cfn.region}:${this.cfn.account}:group/${name}`, FilterExpression: p.FilterExpression, InsightsConfiguration: p.InsightsConfiguration } };
  }

  /**
   * GetTraceSummaries pages (X-Ray documents no page size; the fake's choice is small so that tests
   * cross pages). X-Ray: "The first page contains the most recent results, closest to the end of the
   * time frame": newest first.
   */
  traceSummaryPageSize = 5;
  /** Traces per BatchGetTraces page (X-Ray documents no page size; the fake's choice). */
  tracesPerPage = 2;

  /** Summaries of the traces that started in the window and match the filter expression (xray-filter.ts), newest first, in pages. */
  traceSummaries(input: { StartTime?: Date; EndTime?: Date; NextToken?: string; FilterExpression?: string }) {
    const summaries = this.tracesIn(input, input.FilterExpression).map(([Id, segments]) => {
      const start = Math.min(...segments.map((s) => s.start_time));
      const api = segments.find((s) => s.origin === 'AWS::ApiGateway::Stage') as (Segment & { http?: { request?: { method?: string; url?: string }; response?: { status?: number } } }) | undefined;
      return {
        Id,
        StartTime: new Date(start * 1000),
        Duration: Math.max(...segments.map((s) => s.end_time)) - start,
        HasFault: segments.some((s) => (s as { fault?: boolean }).fault),
        HasError: segments.some((s) => (s as { error?: boolean }).error),
        Http: api?.http ? { HttpMethod: api.http.request?.method, HttpURL: api.http.request?.url, HttpStatus: api.http.response?.status } : undefined,
        ServiceIds: [...new Set(segments.map((s) => s.name))].map((Name) => ({ Name })),
      };
    });
    summaries.sort((a, b) => b.StartTime.getTime() - a.StartTime.getTime());
    const { items, NextToken } = page(summaries, input.NextToken, this.traceSummaryPageSize);
    return { TraceSummaries: items, NextToken, ApproximateTime: input.EndTime };
  }

  /** Services per GetServiceGraph page (X-Ray documents no page size; the fake's choice). */
  serviceGraphPageSize = 3;

  /** GetServiceGraph: the services of the group's traces in the window and the edges between them (service-graph.ts), in pages. */
  serviceGraph(input: { StartTime?: Date; EndTime?: Date; GroupName?: string; NextToken?: string }) {
    const traces = this.tracesIn(input, input.GroupName ? `group.name = "${input.GroupName}"` : undefined).map(([, segments]) => segments);
    const { items, NextToken } = page(serviceGraph(traces), input.NextToken, this.serviceGraphPageSize);
    return { Services: items, StartTime: input.StartTime, EndTime: input.EndTime, NextToken };
  }

  /** The traces that started in [StartTime, EndTime) and match `expression` (X-Ray's filter language, with the account's groups). */
  private tracesIn(window: { StartTime?: Date; EndTime?: Date }, expression: string | undefined): [string, Segment[]][] {
    const from = (window.StartTime?.getTime() ?? 0) / 1000;
    const to = (window.EndTime?.getTime() ?? Infinity) / 1000;
    const groupFilter = (name: string) => this.cfn.resources('AWS::XRay::Group').find((g) => g.physicalId === name)?.properties.FilterExpression as string | undefined ?? (name === 'Default' ? '' : undefined);
    const matches = expression ? parseFilter(expression, groupFilter) : () => true;
    return [...this.traces.entries()].filter(([, segments]) => {
      const start = Math.min(...segments.map((s) => s.start_time));
      return start >= from && start < to && matches(segments as FilterSegment[]);
    });
  }

  /** BatchGetTraces: at most 5 ids a call, as the API reference says; the found traces in pages. */
  batchGetTraces(input: { TraceIds?: string[]; NextToken?: string }) {
    const ids = input.TraceIds ?? [];
    if (ids.length < 1 || ids.length > 5) {
      // X-Ray's model: "Array Members: Minimum number of 1 item. Maximum number of 5 items"; the message is the AWS validation format.
      throw awsError('InvalidRequestException', `1 validation error detected: Value '[${ids.join(', ')}]' at 'traceIds' failed to satisfy constraint: Member must have length less than or equal to 5`);
    }
    const found = ids.filter((id) => this.traces.has(id));
    const { items, NextToken } = page(found, input.NextToken, this.tracesPerPage);
    return {
      Traces: items.map((Id) => ({ Id, Segments: (this.traces.get(Id) ?? []).map((s) => ({ Id: s.id, Document: JSON.stringify(s) })) })),
      UnprocessedTraceIds: ids.filter((id) => !this.traces.has(id)),
      NextToken,
    };
  }
}
