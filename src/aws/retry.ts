import type { Deps } from '../deps.js';
import { failureReason, isThrottling, isTransient, unreadableAnswer } from '../errors.js';

/** The calls an error cost: the SDK's attempts (its retry middleware counts them on the error), else one. */
const callsOf = (error: unknown): number => (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;

/** The error that spent the budget, counting every call of the logical call (its message says `after N attempts`). */
function spent<E>(error: E, calls: number): E {
  const e = error as { $metadata?: { attempts?: number } };
  if (e && typeof e === 'object' && calls > 1) e.$metadata = { ...e.$metadata, attempts: calls };
  return error;
}

/**
 * Runs a read that a polling loop depends on, trying again after `delayMs` when it fails in a way
 * that may pass (throttling, 5xx, timeouts). One retry budget: the SDK's attempts and these tries
 * together make at most `deps.aws.maxAttempts` calls (AWS_MAX_ATTEMPTS, max_attempts, or 5), so a
 * read the SDK already retried that many times is not tried again (it was 5 × 5 = 25 calls). Anything
 * else, or the failure that spends the budget, is thrown. Each wait is a progress message: a person
 * sees why nothing else moves (`tap status` while X-Ray throttles).
 */
export async function retryTransient<T>(deps: Pick<Deps, 'sleep' | 'io' | 'aws'>, delayMs: number, read: () => Promise<T>): Promise<T> {
  const budget = deps.aws.maxAttempts;
  for (let attempt = 1, calls = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      calls += callsOf(error);
      if (!isTransient(error)) throw error;
      if (calls >= budget) throw spent(error, calls);
      deps.io.notify({ level: 'progress', code: 'aws.retry', data: { error: (error as Error).name, message: failureReason(error), attempt, of: budget - 1, delayMs } });
      await deps.sleep(delayMs);
    }
  }
}

/**
 * The pace of a loop that looks again and again until Ctrl-C (`trace --follow`, `logs --follow`):
 * each failed look doubles the interval up to `maxMs`. Throttling is waited out for as long as it
 * lasts; any other failure that may pass (5xx, a timeout) ends the loop once the failed looks in a
 * row have spent the retry budget (their SDK attempts counted), as it would end any other read;
 * anything else ends it at once.
 */
export class LookPace {
  private failures = 0;
  intervalMs: number;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly budget: number,
  ) {
    this.intervalMs = baseMs;
  }

  /** A look that worked: back to the base interval. */
  ok(): void {
    this.failures = 0;
    this.intervalMs = this.baseMs;
  }

  /** A look that failed: what to say of it, or the error thrown. */
  failed(error: unknown): { error: string; throttled: boolean; nextMs: number } {
    const throttled = isThrottling(error);
    if (!isTransient(error)) throw error;
    this.failures = throttled ? 0 : this.failures + callsOf(error); // in a row: a throttled look breaks the row
    if (this.failures >= this.budget) throw spent(error, this.failures);
    this.intervalMs = Math.min(this.intervalMs * 2, this.maxMs);
    // An answer without an error code (a bare 502) or one the SDK could not read is said as what came, not `Unknown`.
    return { error: unreadableAnswer(error) ?? (error as Error).name, throttled, nextMs: this.intervalMs };
  }
}
