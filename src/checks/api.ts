import type { Deps } from '../deps.js';
import { OUTPUTS } from '../stack/spec.js';
import { type Check, fail, pass } from './check.js';

/** `GET` of a URL (bounded by the network layer's timeouts): status, body and latency by the injected clock (status reads it too). */
export async function probe(deps: Deps, url: string): Promise<{ status: number; text: string; latencyMs: number }> {
  const started = deps.clock().getTime();
  const res = await deps.fetch(url);
  const latencyMs = deps.clock().getTime() - started;
  return { status: res.status, text: await res.text(), latencyMs };
}

/** `GET /` on the API: 200, JSON naming this env, with X-Ray and EventBridge reported on. */
export const apiCheck: Check = {
  id: 'api',
  title: 'API health probe',
  needs: ['stack'],
  async run(ctx) {
    const url = (await ctx.outputs())[OUTPUTS.apiUrl] ?? '';
    const { status, text, latencyMs } = await probe(ctx.deps, url);
    if (status !== 200) return fail(`GET ${url} answered ${status}: ${text.slice(0, 200)}`, 'look at the handler log group and the API access log', { status });
    let body: { env?: string; features?: { xray?: boolean; eventbridge?: boolean } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return fail(`GET ${url} answered 200 with a body that is not JSON: ${text.slice(0, 200)}`, 'is the handler the one tap deploys?');
    }
    const problems = [
      body.env !== ctx.env && `env is ${JSON.stringify(body.env)}, expected "${ctx.env}"`,
      body.features?.xray !== true && 'features.xray is not true (tracing off?)',
      body.features?.eventbridge !== true && 'features.eventbridge is not true (EVENT_BUS_NAME unset?)',
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length) return fail(`GET ${url}: ${problems.join('; ')}`, `run \`tap deploy --env ${ctx.env}\``, { latencyMs });
    return pass(`200 in ${latencyMs} ms, env ${body.env}, xray and eventbridge on`, { latencyMs });
  },
};
