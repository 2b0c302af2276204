import type { Deps } from '../deps.js';
import { isThrottling, isTransient, unreadableAnswer } from '../errors.js';

/** Tries of one read in a polling loop before its error ends the command. */
const TRIES = 5;

/**
 * Runs a read that a polling loop depends on, trying again after `delayMs` when it fails in a way
 * that may pass (throttling, 5xx, timeouts: what is left once the SDK spent its own retries).
 * Anything else, or the last failure, is thrown. Each wait is a progress message: a person sees why
 * nothing else moves (`tap status` while X-Ray throttles).
 */
export async function retryTransient<T>(deps: Pick<Deps, 'sleep' | 'io'>, delayMs: number, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isTransient(error) || attempt >= TRIES) throw error;
      deps.io.notify({ level: 'progress', code: 'aws.retry', data: { error: (error as Error).name, message: unreadableAnswer(error) ?? (error as Error).message, attempt, of: TRIES - 1, delayMs } });
      await deps.sleep(delayMs);
    }
  }
}

/**
 * The pace of a loop that looks again and again until Ctrl-C (`trace --follow`, `logs --follow`):
 * each failed look doubles the interval up to `maxMs`. Throttling is waited out for as long as it
 * lasts; any other failure that may pass (5xx, a timeout) ends the loop after TRIES looks in a row,
 * as it would end any other read; anything else ends it at once.
 */
export class LookPace {
  private failures = 0;
  intervalMs: number;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
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
    this.failures = throttled ? 0 : this.failures + 1; // in a row: a throttled look breaks the row
    if (this.failures >= TRIES) throw error;
    this.intervalMs = Math.min(this.intervalMs * 2, this.maxMs);
    return { error: (error as Error).name, throttled, nextMs: this.intervalMs };
  }
}
