/**
 * The error family and its exit codes. `cli.ts` maps every thrown error to an exit code through
 * `exitCodeOf`, and nowhere else decides an exit code for an error.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, aws: 3, interrupted: 130, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export abstract class TapError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A one-line hint on what to do next, printed under the message. */
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad input or usage: nothing was sent to AWS. */
export class UsageError extends TapError {
  readonly exitCode = EXIT.usage;
}

/** AWS could not be reached, or credentials, region or permissions are missing. */
export class AwsError extends TapError {
  readonly exitCode = EXIT.aws;
}

/** The job ran and failed (a failed deploy, a failed check, a synth with errors). */
export class JobFailed extends TapError {
  readonly exitCode = EXIT.failed;
}

/** The user interrupted the command (Ctrl-C) or declined a confirmation. */
export class Aborted extends TapError {
  readonly exitCode = EXIT.interrupted;
}

/** The reason `cli.ts` aborts the run's signal with on SIGTERM (on SIGINT: 'SIGINT'). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The error that ends a command stopped by Ctrl-C or SIGTERM; `cli.ts` turns the latter into 143. */
export function interruption(signal: AbortSignal, detail?: string): Aborted {
  const how = signal.reason === 'SIGTERM' ? 'Terminated (SIGTERM)' : 'Interrupted (Ctrl-C)';
  return new Aborted(detail ? `${how}: ${detail}` : how);
}

/** Names of SDK errors that mean "we could not talk to AWS as this user", not "the job failed". */
const ACCESS_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'SignatureDoesNotMatch',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);

/** True when the error means AWS could not be reached or refused this caller (exit 3), not a finding. */
export function isAccessProblem(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string };
  return (e?.name !== undefined && ACCESS_ERRORS.has(e.name)) || (e?.code !== undefined && NETWORK_CODES.has(e.code)) || /Region is missing|Region not accepted/i.test(e?.message ?? '');
}

/** Turns anything thrown into a TapError, keeping the AWS error's name and message visible. */
export function toTapError(error: unknown): TapError {
  if (error instanceof TapError) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: unknown };
  const message = e?.message ?? String(error);
  if (e?.name && ACCESS_ERRORS.has(e.name)) {
    return new AwsError(`${e.name}: ${message}`, {
      cause: error,
      hint: 'Check credentials (AWS_PROFILE or --profile), the region (--region) and IAM permissions.',
    });
  }
  if ((e?.code && NETWORK_CODES.has(e.code)) || /Region is missing|Region not accepted/i.test(message)) {
    return new AwsError(message, {
      cause: error,
      hint: 'Set the region with --region or AWS_REGION, and check --endpoint-url if you use one.',
    });
  }
  if (e?.$metadata !== undefined) return new AwsError(`${e.name ?? 'AWS error'}: ${message}`, { cause: error });
  return new JobFailed(message, { cause: error });
}

export function exitCodeOf(error: unknown): ExitCode {
  return toTapError(error).exitCode;
}

const TRANSIENT_NAMES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'TimeoutError', 'RequestTimeout', 'InternalFailure', 'ServiceUnavailable']);

/**
 * True for the errors that remain after the SDK spent its own retries but may pass on a later try:
 * throttling, 5xx, timeouts, dropped connections. A polling loop retries these on its next tick.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (e?.name !== undefined && TRANSIENT_NAMES.has(e.name)) || status >= 500 || (e?.code !== undefined && NETWORK_CODES.has(e.code) && e.code !== 'ENOTFOUND');
}
