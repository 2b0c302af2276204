/**
 * X-Ray's service graph, computed from the fake's traces as the X-Ray Developer Guide describes the
 * service map: a node per service (a segment's `name` and `origin`), an edge from a segment's
 * parent's service to its own, and on each the summary statistics (requests, OK, errors (4xx),
 * faults (5xx), total response time) and a response-time histogram. The order of the nodes and
 * their ReferenceIds are the fake's choice (first seen first).
 */

interface GraphSegment {
  id: string;
  name: string;
  origin: string;
  start_time: number;
  end_time: number;
  parent_id?: string;
  fault?: boolean;
  error?: boolean;
}

interface Tally {
  total: number;
  ok: number;
  errors: number;
  faults: number;
  seconds: number;
  histogram: Map<number, number>;
}

const tally = (): Tally => ({ total: 0, ok: 0, errors: 0, faults: 0, seconds: 0, histogram: new Map() });

function count(t: Tally, s: GraphSegment): void {
  const seconds = Math.round((s.end_time - s.start_time) * 1000) / 1000;
  t.total++;
  if (s.fault) t.faults++;
  else if (s.error) t.errors++;
  else t.ok++;
  t.seconds += seconds;
  t.histogram.set(seconds, (t.histogram.get(seconds) ?? 0) + 1);
}

const summary = (t: Tally) => ({
  SummaryStatistics: { TotalCount: t.total, OkCount: t.ok, ErrorStatistics: { TotalCount: t.errors }, FaultStatistics: { TotalCount: t.faults }, TotalResponseTime: t.seconds },
  ResponseTimeHistogram: [...t.histogram].map(([Value, Count]) => ({ Value, Count })),
});

export function serviceGraph(traces: readonly (readonly GraphSegment[])[]) {
  const nodes = new Map<string, { ref: number; name: string; type: string; tally: Tally; edges: Map<string, Tally> }>();
  const node = (s: GraphSegment) => {
    const key = `${s.name}\n${s.origin}`;
    let n = nodes.get(key);
    if (!n) nodes.set(key, (n = { ref: nodes.size, name: s.name, type: s.origin, tally: tally(), edges: new Map() }));
    return { key, n };
  };
  for (const segments of traces) {
    const byId = new Map(segments.map((s) => [s.id, s]));
    for (const s of segments) {
      const { key, n } = node(s);
      count(n.tally, s);
      const parent = s.parent_id === undefined ? undefined : byId.get(s.parent_id);
      if (!parent) continue;
      const from = node(parent).n;
      const edge = from.edges.get(key) ?? tally();
      from.edges.set(key, edge);
      count(edge, s);
    }
  }
  return [...nodes.values()].map((n) => ({
    ReferenceId: n.ref,
    Name: n.name,
    Names: [n.name],
    Type: n.type,
    ...summary(n.tally),
    Edges: [...n.edges].map(([to, t]) => ({ ReferenceId: nodes.get(to)?.ref, ...summary(t) })),
  }));
}
