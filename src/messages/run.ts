import type { Sentences } from './index.js';

/** What an error says, as drawn and as the final `{"kind":"error",...}` line of `--json`. */
export interface ErrorReport {
  /** The error's class, e.g. `UsageError`. */
  readonly error: string;
  /** Its stable code (errors.ts ERROR_CODES), what a script branches on, e.g. `EnvNotDeployed`. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly exitCode: number;
  /** A stack trace (with --verbose). */
  readonly detail?: string;
}

/** Where a setting came from: a flag, a variable, the config file, a profile. */
interface From<T = string> {
  readonly value: T;
  readonly from: string;
}

/** Messages of the run itself: the AWS setup and calls, the config file's pin, GitHub, the final error. */
export interface RunMessages {
  /** --verbose: the AWS settings in effect, each with where it came from; no region means none was found. */
  'aws.setup': {
    region?: From;
    endpoint?: From;
    profile: From;
    caBundle?: From;
    maxAttempts: From<number>;
    retryMode: From;
    timeouts: { connectS: number; readS: number };
  };
  /** One HTTP attempt of an AWS call (an SDK middleware); no status when no answer came. */
  'aws.call': { service: string; operation: string; status?: number; error?: string; ms: number };
  /** A line of the SDK's own logger (its warnings, the credential chain's steps): the SDK wrote it. */
  'aws.sdk': { line: string };
  /** A read in a polling loop failed in a way that may pass; it is tried again after `delayMs`. */
  'aws.retry': { error: string; message: string; attempt: number; of: number; delayMs?: number };
  /** tap.config.json pins the env to an account: the caller's is another one, or could not be read. */
  'config.account': { env: string; pinned: string; from: string; caller?: string } | { env: string; pinned: string; unchecked: string };
  'github.write': { error: string };
  /** The error that ended the command, as the human reporter draws it (`--json` writes its own final line). */
  error: ErrorReport;
}

/**
 * Whether an error's name tells a person something: AWS's error codes do; JavaScript's own classes
 * (the SDK's `SyntaxError` for an answer it could not parse) and `Unknown` (an answer with no error
 * code) do not, and the message then says what came.
 */
export const namesSomething = (name: string): boolean => !['Error', 'SyntaxError', 'TypeError', 'RangeError', 'Unknown', 'UnknownError'].includes(name);

export const runSentences: Sentences<RunMessages> = {
  'aws.setup': (d) =>
    [
      `AWS: region ${d.region ? `${d.region.value} (${d.region.from})` : `none (not in --region, tap.config.json, AWS_REGION or profile ${d.profile.value})`}`,
      `endpoint ${d.endpoint ? `${d.endpoint.value} (${d.endpoint.from})` : "AWS's public one"}`,
      `profile ${d.profile.value} (${d.profile.from})`,
      `CA bundle ${d.caBundle ? `${d.caBundle.value} (${d.caBundle.from})` : "Node's"}`,
      `${d.maxAttempts.value} attempts (${d.maxAttempts.from}), ${d.retryMode.value} retries (${d.retryMode.from})`,
      `timeouts ${d.timeouts.connectS} s to connect, ${d.timeouts.readS} s without an answer`,
    ].join(', '),
  'aws.call': (d) => `${d.service} ${d.operation}: ${d.error ? `${d.status ? `HTTP ${d.status}` : 'no answer'} (${d.error})` : `HTTP ${d.status ?? '?'}`} in ${d.ms} ms`,
  // The SDK's warning of both sources is eight lines; what it says fits in one.
  'aws.sdk': (d) =>
    /Multiple credential sources detected/.test(d.line)
      ? 'both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the SDK uses the profile'
      : d.line,
  'aws.retry': (d) => `${namesSomething(d.error) ? `${d.error}: ` : ''}${d.message}; trying again${d.delayMs === undefined ? '' : ` in ${d.delayMs / 1000} s`} (${d.attempt}/${d.of})`,
  'config.account': (d) =>
    'unchecked' in d
      ? `could not check that env ${d.env} is in account ${d.pinned}: ${d.unchecked}`
      : `env ${d.env} lives in account ${d.pinned} (${d.from}), but these credentials are for account ${d.caller ?? 'unknown'}: what follows describes that other account`,
  'github.write': (d) => `could not write to GitHub's step files: ${d.error}`,
  error: (e) => [e.message, e.hint && `hint: ${e.hint}`, e.detail].filter(Boolean).join('\n  '),
};
