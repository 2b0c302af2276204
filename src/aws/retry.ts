import type { Deps } from '../deps.js';
import { isTransient } from '../errors.js';

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
      deps.io.notify({ level: 'progress', code: 'aws.retry', data: { error: (error as Error).name, message: (error as Error).message, attempt, of: TRIES - 1, delayMs } });
      await deps.sleep(delayMs);
    }
  }
}
