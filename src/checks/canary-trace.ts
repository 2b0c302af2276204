import { isTransient } from '../errors.js';
import { apiTraceName } from '../stack/spec.js';
import { type Check, fail, pass } from './check.js';
import { canaryWaits } from './canary-delivery.js';

/** `Root=1-abc-def;Parent=...;Sampled=1` (a trace header) or a bare id -> `1-abc-def`. */
export function traceRoot(header: string): string {
  return /Root=([^;]+)/.exec(header)?.[1] ?? header;
}

/**
 * Follows the canary's trace id (from its receipt) into X-Ray and checks that one trace holds the
 * API stage, the handler and the processor: the whole path, joined through EventBridge.
 */
export const canaryTraceCheck: Check = {
  id: 'canary-trace',
  title: 'Canary: one X-Ray trace end to end',
  needs: ['canary-delivery'],
  canary: true,
  async run(ctx) {
    const delivery = await ctx.result('canary-delivery');
    const header = delivery.data?.traceId;
    if (typeof header !== 'string' || !header) return fail('the canary receipt holds no trace id', 'is active tracing on for the processor? (tap verify --only lambda-config)');
    const traceId = traceRoot(header);
    const wanted = [apiTraceName(ctx.names), ctx.names.handler, ctx.names.processor];
    const { BatchGetTracesCommand } = await import('@aws-sdk/client-xray');
    const xray = await ctx.deps.aws.xray();
    let seen = new Set<string>();
    // X-Ray assembles a trace from segments as they arrive: a few seconds after the request.
    for (const wait of canaryWaits(ctx.timeoutMs)) {
      if (ctx.deps.signal.aborted) break;
      const { Traces = [] } = await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId] })).catch((error: unknown) => {
        if (isTransient(error)) return { Traces: [] }; // try again on the next look
        throw error;
      });
      seen = new Set(Traces.flatMap((t) => t.Segments ?? []).map((s) => (JSON.parse(s.Document ?? '{}') as { name?: string }).name ?? ''));
      if (wanted.every((w) => seen.has(w))) return pass(`trace ${traceId}: ${wanted.join(' -> ')}`, { traceId, services: [...seen] });
      await ctx.deps.sleep(wait);
    }
    const missing = wanted.filter((w) => !seen.has(w));
    return fail(`trace ${traceId} lacks ${missing.join(', ')} after ${ctx.timeoutMs / 1000} s`, 'check tracing on the API stage and both functions, and that the handler passes the trace header to EventBridge', { traceId, services: [...seen] });
  },
};
