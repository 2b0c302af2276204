import type { HistogramEntry, XRayClient } from '@aws-sdk/client-xray';
import { retrying } from '../aws/pages.js';
import type { Deps } from '../deps.js';

export interface MapStats {
  readonly requests: number;
  readonly errorRate: number;
  readonly faultRate: number;
  /** Milliseconds, from the response-time histogram; absent when the response has none. */
  readonly p50Ms?: number;
  readonly p90Ms?: number;
}
export interface MapService extends MapStats {
  readonly name: string;
  readonly type: string;
  readonly edges: (MapStats & { readonly to: string })[];
}

/** The value below which `p` of the histogram's requests fall (Value is in seconds). */
export function percentile(histogram: readonly HistogramEntry[] | undefined, p: number): number | undefined {
  const entries = (histogram ?? []).filter((e): e is { Value: number; Count: number } => e.Value !== undefined && Boolean(e.Count)).sort((a, b) => a.Value - b.Value);
  const total = entries.reduce((n, e) => n + e.Count, 0);
  let seen = 0;
  for (const e of entries) {
    seen += e.Count;
    if (seen >= p * total) return Math.round(e.Value * 1000);
  }
  return undefined;
}

function stats(
  s: { TotalCount?: number; ErrorStatistics?: { TotalCount?: number }; FaultStatistics?: { TotalCount?: number } } | undefined,
  histogram: HistogramEntry[] | undefined,
): MapStats {
  const requests = s?.TotalCount ?? 0;
  const rate = (n?: number) => (requests ? (n ?? 0) / requests : 0);
  return { requests, errorRate: rate(s?.ErrorStatistics?.TotalCount), faultRate: rate(s?.FaultStatistics?.TotalCount), p50Ms: percentile(histogram, 0.5), p90Ms: percentile(histogram, 0.9) };
}

/** GetServiceGraph for the env's group over the window, every page. */
export async function serviceMap(xray: XRayClient, q: { from: Date; to: Date; group: string }, deps: Deps): Promise<MapService[]> {
  const { paginateGetServiceGraph } = await import('@aws-sdk/client-xray');
  const services: MapService[] = [];
  const refs = new Map<number, string>();
  const raw: { ref?: number; name: string; type: string; stats: MapStats; edges: { ref?: number; stats: MapStats }[] }[] = [];
  for await (const page of paginateGetServiceGraph({ client: retrying(xray, deps, 1000) }, { StartTime: q.from, EndTime: q.to, GroupName: q.group })) {
    for (const s of page.Services ?? []) {
      refs.set(s.ReferenceId ?? -1, s.Name ?? s.Names?.[0] ?? '?');
      raw.push({
        ref: s.ReferenceId,
        name: s.Name ?? s.Names?.[0] ?? '?',
        type: s.Type ?? '',
        stats: stats(s.SummaryStatistics, s.ResponseTimeHistogram),
        edges: (s.Edges ?? []).map((e) => ({ ref: e.ReferenceId, stats: stats(e.SummaryStatistics, e.ResponseTimeHistogram) })),
      });
    }
  }
  for (const r of raw) services.push({ name: r.name, type: r.type, ...r.stats, edges: r.edges.map((e) => ({ to: refs.get(e.ref ?? -1) ?? '?', ...e.stats })) });
  return services;
}
