import type { Trace } from '@aws-sdk/client-xray';

/** The fields of an X-Ray segment (or subsegment) document that tap draws. */
export interface SegmentDoc {
  id: string;
  name: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  parent_id?: string;
  origin?: string;
  namespace?: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  aws?: { operation?: string };
  cause?: { exceptions?: { message?: string; type?: string }[] };
  annotations?: Record<string, unknown>;
  subsegments?: SegmentDoc[];
}

/**
 * A trace with each segment's `Document` parsed: BatchGetTraces gives it as a JSON string (X-Ray's
 * "segment document"), which tap's result carries as the object it is, so `--json` readers need no
 * second parse. A document that is not JSON stays the string it was.
 */
export type ParsedTrace = Omit<Trace, 'Segments'> & { Segments?: { Id?: string; Document?: SegmentDoc | string }[] };

export function parseTrace(trace: Trace): ParsedTrace {
  const parse = (text: string | undefined): SegmentDoc | string | undefined => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as SegmentDoc;
    } catch {
      return text;
    }
  };
  return { ...trace, Segments: trace.Segments?.map((s) => ({ Id: s.Id, Document: parse(s.Document) })) };
}

interface Node {
  doc: SegmentDoc;
  children: Node[];
}

/** Builds the tree: subsegments under their segment, segments under the (sub)segment that called them. */
function tree(trace: Trace | ParsedTrace): Node[] {
  const docs = (trace.Segments ?? []).map((s) => (typeof s.Document === 'object' ? s.Document : (JSON.parse(s.Document ?? '{}') as SegmentDoc)));
  const byId = new Map<string, Node>();
  const build = (doc: SegmentDoc): Node => {
    const node: Node = { doc, children: (doc.subsegments ?? []).map(build) };
    byId.set(doc.id, node);
    return node;
  };
  const tops = docs.map(build);
  const roots: Node[] = [];
  for (const node of tops) {
    const parent = node.doc.parent_id ? byId.get(node.doc.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: Node, b: Node) => a.doc.start_time - b.doc.start_time;
  const sort = (nodes: Node[]) => {
    nodes.sort(byStart);
    for (const n of nodes) sort(n.children);
  };
  sort(roots);
  return roots;
}

function label(d: SegmentDoc): string {
  const kind = d.origin ?? d.namespace;
  const http = d.http?.request ? [d.http.request.method, d.http.request.url, d.http.response?.status] : [];
  return [d.name, kind && `(${kind})`, d.aws?.operation, ...http].filter(Boolean).join(' ');
}

const exceptionOf = (d: SegmentDoc): string | undefined => d.cause?.exceptions?.map((e) => [e.type, e.message].filter(Boolean).join(': ')).find(Boolean);

/** Paint hooks, so that the same drawing serves a terminal (colour) and a file (plain). */
export interface Paint {
  fault(s: string): string;
  error(s: string): string;
  dim(s: string): string;
}
export const PLAIN: Paint = { fault: (s) => s, error: (s) => s, dim: (s) => s };

/**
 * A waterfall of one trace: each (sub)segment with its offset from the trace's start and its
 * duration, faults and errors marked with their exception, the segment where the first fault
 * started named in the header, annotations (the correlation id among them) under their segment.
 */
export function waterfall(trace: Trace | ParsedTrace, paint: Paint = PLAIN): string {
  const roots = tree(trace);
  const all: SegmentDoc[] = [];
  // Where the fault started: a faulted (sub)segment none of whose children faulted (a fault marks its
  // callers too); the earliest, if several.
  const origins: SegmentDoc[] = [];
  const walk = (n: Node): void => {
    all.push(n.doc);
    n.children.forEach(walk);
    if (n.doc.fault && !n.children.some((c) => c.doc.fault)) origins.push(n.doc);
  };
  roots.forEach(walk);
  const t0 = Math.min(...all.map((d) => d.start_time));
  const t1 = Math.max(...all.map((d) => d.end_time ?? d.start_time));
  const ms = (s: number) => `${Math.round(s * 1000)} ms`;
  const origin = origins.sort((a, b) => a.start_time - b.start_time)[0];
  const header = `trace ${trace.Id}  ${ms(t1 - t0)}${origin ? `  ${paint.fault(`fault in ${origin.name}: ${exceptionOf(origin) ?? 'no exception recorded'}`)}` : ''}`;
  const lines = [header];
  const draw = (n: Node, depth: number) => {
    const d = n.doc;
    const indent = '  '.repeat(depth + 1);
    const timing = `${`+${ms(d.start_time - t0)}`.padStart(9)} ${(d.end_time === undefined ? 'in progress' : ms(d.end_time - d.start_time)).padStart(9)}`;
    const mark = d.fault ? paint.fault(` ✖ fault${exceptionOf(d) ? `: ${exceptionOf(d)}` : ''}`) : d.error ? paint.error(` ! error${exceptionOf(d) ? `: ${exceptionOf(d)}` : ''}`) : d.throttle ? paint.error(' ! throttled') : '';
    lines.push(`${timing}${indent}${label(d)}${mark}`);
    if (d.annotations && Object.keys(d.annotations).length) {
      lines.push(paint.dim(`${' '.repeat(19)}${indent}  annotations: ${Object.entries(d.annotations).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`));
    }
    n.children.forEach((c) => draw(c, depth + 1));
  };
  roots.forEach((r) => draw(r, 0));
  return lines.join('\n');
}
