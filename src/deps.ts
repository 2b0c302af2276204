import type { AwsClients } from './aws/clients.js';
import type { Effective, Sourced } from './config.js';
import type { Io, Payloads } from './messages/types.js';

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
  /** Aborted on Ctrl-C (reason 'SIGINT') or SIGTERM ('SIGTERM'). */
  readonly signal: AbortSignal;
  /**
   * Until a command calls this, Ctrl-C and SIGTERM end it at once (exit 130 or 143): nothing it did
   * needs undoing. A command calls it just before its first write to AWS; from then on it watches
   * `signal` itself (stops watching, or cancels what it started). Throws the interruption when the
   * signal has already fired, so that no write starts after Ctrl-C.
   */
  readonly claimInterrupts: () => void;
  /**
   * The env's settings from tap.config.json, the region with where it came from, and the AWS setup in
   * effect (endpoint, profile, CA bundle, retries: what --verbose and `tap config` show). @default none
   */
  readonly settings: Effective & { readonly resolvedRegion?: Sourced<string>; readonly aws?: Payloads['aws.setup'] };
  /** The synth cache's directory (`TAP_CACHE_DIR`, `$XDG_CACHE_HOME/tap`, `~/.cache/tap`). @default no cache */
  readonly cacheDir?: string;
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
