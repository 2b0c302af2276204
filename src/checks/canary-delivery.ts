import { randomUUID } from 'node:crypto';
import { signedRequest } from '../aws/sigv4.js';
import { isTransient, neverSent } from '../errors.js';
import { OUTPUTS, receiptKey, receiptPrefix } from '../stack/spec.js';
import { type Check, type CheckContext, fail, type Outcome, pass } from './check.js';

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

/** What one verify run's canary has sent, kept across tries of the check (the runner retries a check). */
interface CanaryRun {
  readonly correlationId: string;
  /**
   * Set once the POST may have reached the API: from then on this run never sends another event.
   * `eventId` is the handler's answer; when the answer was lost, the receipt is found by listing.
   */
  sent?: { started: number; answer: 'accepted'; eventId: string } | { started: number; answer: 'lost' };
}
const runs = new WeakMap<CheckContext, CanaryRun>();
/** Tries of a POST that provably never left, and the wait between them. */
const POST_TRIES = 3;
const POST_RETRY_MS = 1000;


/**
 * Sends one marked event through the front door (`POST /events`, SigV4-signed) and waits for the
 * processor's receipt in the bucket: proof that API Gateway, the handler, the bus, the rule and the
 * processor all work. The receipt expires with the bucket's lifecycle rule.
 *
 * At most one event per verify run: the correlation id is chosen once per run, and a POST whose
 * answer was lost (a reset, a timeout) may have been applied, so neither this try nor a retry of the
 * check sends again; they look for the receipt of that first POST instead. Only a POST that provably
 * never left (connection refused, no DNS) is sent again.
 */
export const canaryDeliveryCheck: Check = {
  id: 'canary-delivery',
  title: 'Canary: API -> EventBridge -> processor',
  needs: ['stack'],
  canary: true,
  async run(ctx) {
    const outputs = await ctx.outputs();
    let run = runs.get(ctx);
    if (!run) runs.set(ctx, (run = { correlationId: `canary-${randomUUID()}` }));
    const { correlationId } = run;
    if (!run.sent) {
      const url = new URL('events', outputs[OUTPUTS.apiUrl]).toString();
      const body = JSON.stringify({ type: 'tap.canary', canary: true, correlationId, detail: { sentBy: 'tap verify' } });
      const request = await signedRequest(url, body, ctx.deps);
      const started = performance.now();
      const res = await post(ctx, url, request);
      if (res === 'lost') {
        run.sent = { started, answer: 'lost' };
        return awaitReceipt(ctx, outputs, run);
      }
      if (res.status !== 202) {
        // API Gateway or the handler answered that it did not take the event: nothing to wait for.
        const text = (await res.text()).slice(0, 200);
        const remedy = res.status === 403 ? forbiddenRemedy(text) : 'look at the handler log group';
        return fail(`POST /events answered ${res.status}: ${text}`, remedy, { correlationId });
      }
      // The receipt's key holds the event id, which the handler answers with (two events that share a
      // correlation id each have their own receipt).
      const { eventId } = (await res.json().catch(() => ({}))) as { eventId?: unknown };
      if (typeof eventId !== 'string' || !eventId) return fail('POST /events answered 202 without an event id', 'look at the handler log group', { correlationId });
      run.sent = { started, answer: 'accepted', eventId };
    }
    return awaitReceipt(ctx, outputs, run);
  },
};

/**
 * POSTs the event once; `lost` when no answer came (a reset, a timeout): the API may have taken the
 * event, so it is not sent again. Only a request that provably never left is sent again.
 */
async function post(ctx: CheckContext, url: string, request: RequestInit): Promise<Response | 'lost'> {
  for (let attempt = 1; ; attempt++) {
    try {
      // deps.fetch bounds the wait (the network layer's connect and read timeouts).
      return await ctx.deps.fetch(url, request);
    } catch (error) {
      // Only a request that provably never left (no connection, no TLS session) may be sent again.
      if (!neverSent(error)) {
        ctx.deps.io.notify({ level: 'debug', code: 'canary.lost', data: { error: (error as Error).message } });
        return 'lost';
      }
      if (attempt >= POST_TRIES) throw error;
      await ctx.deps.sleep(POST_RETRY_MS);
    }
  }
}

/**
 * The key of the run's receipt: known from the handler's answer, or, when that answer was lost, the
 * one object under the correlation id's prefix (this run's id is fresh, so there is at most one).
 */
async function findReceiptKey(ctx: CheckContext, bucket: string, run: CanaryRun): Promise<string | undefined> {
  if (run.sent?.answer === 'accepted') return receiptKey(run.correlationId, run.sent.eventId);
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const { Contents = [] } = await (await ctx.deps.aws.s3()).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: receiptPrefix(run.correlationId), MaxKeys: 10 }));
  return Contents[0]?.Key;
}

/** Looks for the receipt of the run's event until it is there or `timeoutMs` has passed. */
async function awaitReceipt(ctx: CheckContext, outputs: Record<string, string>, run: CanaryRun): Promise<Outcome> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await ctx.deps.aws.s3();
  const { correlationId } = run;
  const bucket = outputs[OUTPUTS.bucketName];
  const started = run.sent?.started ?? performance.now();
  for (const wait of canaryWaits(ctx.timeoutMs)) {
    if (ctx.deps.signal.aborted) break;
    try {
      const key = await findReceiptKey(ctx, bucket ?? '', run);
      if (key) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const receipt = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Receipt;
        const latencyMs = Math.round(performance.now() - started);
        return pass(`receipt after ${latencyMs} ms (event ${receipt.eventId})`, { correlationId, eventId: receipt.eventId, traceId: receipt.traceId, latencyMs });
      }
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey' && !isTransient(error)) throw error;
    }
    await ctx.deps.sleep(wait);
  }
  const where = run.sent?.answer === 'accepted' ? receiptKey(correlationId, run.sent.eventId) : `under ${receiptPrefix(correlationId)}`;
  const lost = run.sent?.answer === 'lost' ? ' (the answer to POST /events was lost, so whether the API took the event is unknown)' : '';
  return fail(`no receipt ${where} within ${ctx.timeoutMs / 1000} s${lost}`, 'look at the rule (tap verify --only rule), the processor log group and the DLQ', { correlationId });
}

/** What a 403 from API Gateway's IAM authorization asks of the caller, by its message. */
function forbiddenRemedy(answer: string): string {
  if (/Signature expired|Signature not yet current/.test(answer)) return "this machine's clock is more than 15 minutes off: set it right (NTP) and run again";
  if (/security token included in the request is invalid|signature we calculated does not match/.test(answer)) {
    return 'the credentials do not sign as AWS expects: check the access key and its secret (rotated or mistyped?)';
  }
  return 'the caller needs execute-api:Invoke on POST /events of this API';
}
