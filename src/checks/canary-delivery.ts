import { randomUUID } from 'node:crypto';
import { signedRequest } from '../aws/sigv4.js';
import { isTransient } from '../errors.js';
import { OUTPUTS, receiptKey } from '../stack/spec.js';
import { type Check, fail, pass } from './check.js';

/**
 * Waits between looks for the canary's receipt or trace: short at first (delivery usually takes well
 * under a second), then every second, for as many looks as fit in `timeoutMs`.
 */
export function* canaryWaits(timeoutMs: number): Generator<number> {
  let left = timeoutMs;
  for (let wait = 200; left > 0; wait = Math.min(wait * 2, 1000)) {
    left -= wait;
    yield wait;
  }
}

/** What the processor writes, as far as the canary reads it. */
export interface Receipt {
  readonly correlationId: string;
  readonly eventId: string;
  readonly traceId: string | null;
  readonly canary: boolean;
}

/**
 * Sends one marked event through the front door (`POST /events`, SigV4-signed) and waits for the
 * processor's receipt in the bucket: proof that API Gateway, the handler, the bus, the rule and the
 * processor all work. The receipt expires with the bucket's lifecycle rule.
 */
export const canaryDeliveryCheck: Check = {
  id: 'canary-delivery',
  title: 'Canary: API -> EventBridge -> processor',
  needs: ['stack'],
  canary: true,
  async run(ctx) {
    const outputs = await ctx.outputs();
    const url = new URL('events', outputs[OUTPUTS.apiUrl]).toString();
    const correlationId = `canary-${randomUUID()}`;
    const body = JSON.stringify({ type: 'tap.canary', canary: true, correlationId, detail: { sentBy: 'tap verify' } });
    const started = performance.now();
    const res = await ctx.deps.fetch(url, { ...(await signedRequest(url, body, ctx.deps)), signal: AbortSignal.timeout(10_000) });
    if (res.status !== 202) {
      const text = (await res.text()).slice(0, 200);
      const remedy = res.status === 403 ? 'the caller needs execute-api:Invoke on POST /events of this API' : 'look at the handler log group';
      return fail(`POST /events answered ${res.status}: ${text}`, remedy, { correlationId });
    }
    // The receipt's key holds the event id, which the handler answers with (two events that share a
    // correlation id each have their own receipt).
    const { eventId } = (await res.json().catch(() => ({}))) as { eventId?: unknown };
    if (typeof eventId !== 'string' || !eventId) return fail('POST /events answered 202 without an event id', 'look at the handler log group', { correlationId });
    const key = receiptKey(correlationId, eventId);
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const s3 = await ctx.deps.aws.s3();
    const bucket = outputs[OUTPUTS.bucketName];
    for (const wait of canaryWaits(ctx.timeoutMs)) {
      if (ctx.deps.signal.aborted) break;
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const receipt = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Receipt;
        const latencyMs = Math.round(performance.now() - started);
        return pass(`receipt after ${latencyMs} ms (event ${receipt.eventId})`, { correlationId, eventId: receipt.eventId, traceId: receipt.traceId, latencyMs });
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchKey' && !isTransient(error)) throw error;
      }
      await ctx.deps.sleep(wait);
    }
    return fail(`no receipt ${key} within ${ctx.timeoutMs / 1000} s`, 'look at the rule (tap verify --only rule), the processor log group and the DLQ', { correlationId });
  },
};
