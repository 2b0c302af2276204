import type { AwsClients } from './aws/clients.js';
import type { Io } from './io/types.js';

/** Everything a command touches outside itself; built once in cli.ts, faked in tests. */
export interface Deps {
  readonly aws: AwsClients;
  readonly io: Io;
  readonly clock: () => Date;
  /**
   * Resolves early when `signal` aborts, so a polling loop notices Ctrl-C at once; `uninterruptible`
   * waits the full time (for the loop that runs after Ctrl-C, e.g. waiting for a cancellation).
   */
  readonly sleep: (ms: number, options?: { uninterruptible?: boolean }) => Promise<void>;
  /** Aborted on Ctrl-C (SIGINT): long-running commands stop watching, or cancel what they own. */
  readonly signal: AbortSignal;
  /** HTTP for the API itself (probes, the canary); tests route it to a local server or the fake. */
  readonly fetch: typeof fetch;
}

/** `Deps.sleep` for the CLI: a timer that Ctrl-C (`signal`) ends early unless asked not to. */
export function abortableSleep(signal: AbortSignal): Deps['sleep'] {
  return (ms, options = {}) =>
    new Promise((resolve) => {
      if (options.uninterruptible) return void setTimeout(resolve, ms);
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
}
