/**
 * The error family and its exit codes. `cli.ts` maps every thrown error to an exit code through
 * `toTapError`, and the commands that report errors per line (status, verify) use the same
 * classification: one place decides what an AWS error means.
 */
import { FAILED, idleSeconds, networkFailure, shape, socketCode } from './network-failure.js';

export { networkFailure, neverSent } from './network-failure.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, aws: 3, interrupted: 130, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every error's stable code: what a script branches on (`{"kind":"error","code":...}` with --json),
 * never the sentence. The README lists them (a test checks it does). An error without a code of its
 * own has its class's (the first five).
 */
export const ERROR_CODES = {
  BadInput: 'bad input or usage; nothing was sent to AWS (exit 2)',
  AwsSetup: 'something to fix in the AWS setup (exit 3)',
  JobFailed: 'the job ran and failed (exit 1)',
  ServiceFault: 'an AWS call still failed after the retries: throttling, 5xx, a dropped connection (exit 1)',
  Interrupted: 'Ctrl-C, SIGTERM or a confirmation declined (exit 130 or 143)',
  NoCredentials: 'no credentials, or credentials AWS does not accept (exit 3)',
  AccessDenied: 'the caller lacks a permission (exit 3)',
  NoRegion: 'no region from --region, tap.config.json, AWS_REGION or the profile (exit 3)',
  MfaNeeded: "the profile's role needs an MFA code and there is no terminal to ask on (exit 3)",
  EndpointUnreachable: 'the connection was refused, the name not found, no route, or no connection in time (exit 3)',
  CertificateUntrusted: "the endpoint's certificate is not trusted: AWS_CA_BUNDLE (exit 3)",
  CaBundleUnreadable: 'the CA bundle file cannot be read (exit 3)',
  NoAnswer: 'the endpoint took the connection and sent nothing within the read timeout, every attempt (exit 1)',
  UnreadableAnswer: "an answer that is not the service's format, e.g. a proxy's HTML page (exit 1)",
  ServiceRefused: 'the service refused the call, e.g. a ValidationError (exit 1)',
  EnvNotDeployed: "the env's stack does not exist in this account and region (exit 1)",
  OutputMissing: 'the stack lacks an output tap reads (exit 1)',
  StackBusy: 'another operation is running on the stack (exit 1)',
  ConfigInvalid: 'tap.config.json is not valid JSON or breaks its schema (exit 2)',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export abstract class TapError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A one-line hint on what to do next, printed under the message. */
  readonly hint?: string;
  /** The stable code (ERROR_CODES). */
  readonly code: ErrorCode;
  constructor(message: string, options: { hint?: string; cause?: unknown; code?: ErrorCode } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.code = options.code ?? (new.target as unknown as { defaultCode: ErrorCode }).defaultCode;
  }
}

/** Bad input or usage: nothing was sent to AWS. */
export class UsageError extends TapError {
  static readonly defaultCode: ErrorCode = 'BadInput';
  readonly exitCode = EXIT.usage;
}

/** What the user fixes in their environment: no region, no or invalid credentials, access denied, an unreachable endpoint. */
export class AwsError extends TapError {
  static readonly defaultCode: ErrorCode = 'AwsSetup';
  readonly exitCode = EXIT.aws;
}

/** The job ran and failed (a failed deploy, a failed check, a synth with errors). */
export class JobFailed extends TapError {
  static readonly defaultCode: ErrorCode = 'JobFailed';
  readonly exitCode = EXIT.failed;
}

/** An AWS call that failed for a reason of the service's (5xx, throttling, a timeout, a refusal), after the retries. */
export class AwsServiceError extends JobFailed {
  static override readonly defaultCode: ErrorCode = 'ServiceFault';
}

/** The user interrupted the command (Ctrl-C) or declined a confirmation. */
export class Aborted extends TapError {
  static readonly defaultCode: ErrorCode = 'Interrupted';
  readonly exitCode = EXIT.interrupted;
}

/** The reason `cli.ts` aborts the run's signal with on SIGTERM (on SIGINT: 'SIGINT'). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The error that ends a command stopped by Ctrl-C or SIGTERM; `cli.ts` turns the latter into 143. */
export function interruption(signal: AbortSignal, detail?: string): Aborted {
  const how = signal.reason === 'SIGTERM' ? 'Terminated (SIGTERM)' : 'Interrupted (Ctrl-C)';
  return new Aborted(detail ? `${how}: ${detail}` : how);
}

/** Which call an SDK error came from; `AwsClients` sets it on every error a client throws. */
export interface CallContext {
  readonly service: string;
  readonly call: string;
  /** The endpoint the client was given (`--endpoint-url`), when one was. */
  readonly endpoint?: string;
  /** The host the last attempt went to, when it is known. */
  readonly host?: string;
  /** The proxy the call went through (HTTPS_PROXY), when one did. */
  readonly proxy?: string;
  /** How long the call took, all its attempts together. */
  readonly waitedMs?: number;
}

const CONTEXT = Symbol.for('tap.awsCall');

/**
 * Marks an error with the call it came from (kept off the enumerable fields, so logs stay the SDK's);
 * what an inner layer said first (the attempt's host) is kept, the outer layer adds to it.
 */
export function withCallContext(error: unknown, context: Partial<CallContext> & Pick<CallContext, 'service' | 'call'>): unknown {
  if (error && typeof error === 'object') Object.defineProperty(error, CONTEXT, { value: { ...context, ...callContext(error) }, configurable: true });
  return error;
}

function callContext(error: unknown): CallContext | undefined {
  return error && typeof error === 'object' ? ((error as Record<symbol, CallContext | undefined>)[CONTEXT] ?? undefined) : undefined;
}

/**
 * `work`, or the interruption as soon as `signal` fires (unless `ignore()` says the caller handles
 * it); the work itself is stopped by whoever owns it.
 */
export function untilInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined, ignore: () => boolean = () => false): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (!ignore()) reject(interruption(signal));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Names of SDK errors that mean "AWS does not accept this caller": credentials or permissions. */
const ACCESS_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
]);
/** Socket errors of a connection that was made and then lost: the service's side, worth another try. */
const DROPPED_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const THROTTLING_NAMES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const TRANSIENT_NAMES = new Set([...THROTTLING_NAMES, 'TimeoutError', 'RequestTimeout', 'InternalFailure', 'InternalError', 'ServiceUnavailable']);
const REGION_MISSING = /Region is missing|Region not accepted/i;

/** Why a call failed, short, for a line that says it is tried again: the answer, the network failure, or the message. */
export function failureReason(error: unknown): string {
  const network = networkFailure(error);
  const idle = idleSeconds(shape(error).message ?? '');
  if (network) return idle ? `no answer within the read timeout (${idle} s)` : `${FAILED[network.kind]} (${network.code})`;
  return unreadableAnswer(error) ?? shape(error).message ?? String(error);
}


/** True when the error is for the user to fix in their setup (exit 3), not a finding or a service fault. */
export function isAccessProblem(error: unknown): boolean {
  return toTapError(error) instanceof AwsError;
}

/**
 * Turns anything thrown into a TapError. Exit 3 only for what the user fixes (credentials, region,
 * permissions, an endpoint that cannot be reached); an AWS error that survived the retries is exit 1
 * and names the service, the call and the attempts.
 */
export function toTapError(error: unknown): TapError {
  if (error instanceof TapError) return error;
  const e = shape(error);
  // fetch says only `fetch failed`; what failed is its cause's message (`Headers Timeout Error`).
  const message = (e.message === 'fetch failed' ? shape(e.cause).message : undefined) ?? e.message ?? String(error);
  const ctx = callContext(error);
  const call = ctx ? `${ctx.service} ${ctx.call}` : undefined;
  const attempts = e.$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  const code = socketCode(e);

  if (e.name && ACCESS_ERRORS.has(e.name)) {
    return new AwsError(`${call ? `${call}: ` : ''}${e.name}: ${message}`, {
      cause: error,
      code: /^(AccessDenied|AuthorizationError|UnauthorizedOperation)/.test(e.name) ? 'AccessDenied' : 'NoCredentials',
      hint: 'Check credentials (AWS_PROFILE or --profile), the region (--region) and IAM permissions.',
    });
  }
  if (REGION_MISSING.test(message)) {
    return new AwsError(`no AWS region: ${message}`, { cause: error, code: 'NoRegion', hint: "set one with --region, AWS_REGION, region in tap.config.json, or the profile's region (aws configure)" });
  }
  const network = networkFailure(error);
  if (network && network.kind !== 'read timeout') return unreachable(error, network, ctx, after);
  const unreadable = unreadableAnswer(error, after);
  if (unreadable) {
    return new AwsServiceError(`${call ?? 'an AWS call'} got ${unreadable}`, {
      cause: error,
      code: 'UnreadableAnswer',
      hint: ctx?.endpoint
        ? `the endpoint ${ctx.endpoint} (--endpoint-url) answered so: an emulator's own failure, or something in front of it`
        : 'something between tap and AWS (a proxy, a gateway) answered instead of the service',
    });
  }
  if (network) {
    const idle = idleSeconds(message);
    const what = `no answer from ${ctx?.host ?? ctx?.endpoint ?? 'the endpoint'}${via(ctx)}${idle ? ` within the read timeout (${idle} s)` : `: ${message}`}`;
    return new AwsServiceError(`${call ?? 'an HTTP call'} failed${after}${waited(ctx)}: ${what}`, { cause: error, code: 'NoAnswer', hint: 'the endpoint accepted the connection and sent nothing: a stalled service, proxy or emulator; --read-timeout sets how long to wait' });
  }
  if (e.$metadata !== undefined || e.name === 'TimeoutError' || (code && DROPPED_CODES.has(code))) {
    const what = code && DROPPED_CODES.has(code) ? `the connection was lost (${code}: ${message})` : `${e.name ?? 'AWS error'}: ${message}`;
    // A fault that survived the retries "failed after N attempts"; a refusal is the service's answer.
    if (!call) return new AwsServiceError(what, { cause: error, code: isTransient(error) ? 'ServiceFault' : 'ServiceRefused' });
    return new AwsServiceError(isTransient(error) ? `${call} failed${after}: ${what}` : `${call}: ${what}`, { cause: error, code: isTransient(error) ? 'ServiceFault' : 'ServiceRefused' });
  }
  return new JobFailed(message, { cause: error });
}

const via = (ctx: CallContext | undefined): string => (ctx?.proxy ? ` through the proxy ${ctx.proxy}` : '');
const waited = (ctx: CallContext | undefined): string => (ctx?.waitedMs !== undefined ? ` in ${(ctx.waitedMs / 1000).toFixed(1)} s` : '');

/** An endpoint that could not be reached at all: what it was, where, and what to check (exit 3). */
function unreachable(error: unknown, network: NonNullable<ReturnType<typeof networkFailure>>, ctx: CallContext | undefined, after: string): AwsError {
  const e = shape(error);
  const where = ctx?.endpoint ?? ctx?.host ?? e.hostname ?? (e.address ? `${e.address}${e.port ? `:${e.port}` : ''}` : undefined);
  const target = `${ctx ? `the ${ctx.service} endpoint` : 'the endpoint'}${where ? ` ${where}` : ''}${ctx ? ` (${ctx.call})` : ''}`;
  const what = network.kind === 'tls' ? `its certificate is not trusted: ${e.message ?? shape(e.cause).message ?? ''}`.replace(/: $/, '') : FAILED[network.kind];
  const hint =
    network.kind === 'tls'
      ? "behind a proxy that inspects TLS, point AWS_CA_BUNDLE (or the profile's ca_bundle) at its CA certificate (PEM)"
      : ctx?.proxy && network.kind !== 'not tls'
        ? `the connection goes through the proxy ${ctx.proxy}: check that it runs and HTTPS_PROXY/HTTP_PROXY, or bypass it for this host with NO_PROXY`
        : ctx?.endpoint
        ? "check --endpoint-url (or AWS_ENDPOINT_URL, or the profile's endpoint_url) and that the endpoint is running"
        : 'check the network, the proxy (HTTPS_PROXY, NO_PROXY) and --endpoint-url if you use one';
  const tries = after ? `; ${after.replace(/^ after /, '')}${waited(ctx)}` : ''; // "; 5 attempts in 2.3 s"
  return new AwsError(`cannot reach ${target}${via(ctx)}: ${network.code} (${what}${tries})`, { cause: error, hint, code: network.kind === 'tls' ? 'CertificateUntrusted' : 'EndpointUnreachable' });
}

/** A body the SDK could not read as the service's own format (an HTML error page): what it was, or undefined. */
export function unreadableAnswer(error: unknown, after = ''): string | undefined {
  const e = shape(error);
  if (!e.$response) return undefined;
  const status = e.$response.statusCode ?? e.$metadata?.httpStatusCode;
  const type = e.$response.headers?.['content-type'];
  const http = `HTTP ${status ?? '?'}${type ? ` (${type})` : ''}`;
  // An empty body (a proxy's bare 502): the SDK finds no error code in it and names the error `Unknown`.
  if (e.name === 'Unknown' && /^Unknown(Error)?$/.test(e.message ?? '')) return `an answer without an error code or message${after}: ${http}`;
  if (!/Deserialization error/.test(e.message ?? '')) return undefined;
  return `an answer that is not ${callContext(error)?.service ?? 'the service'}'s format${after}: ${http}`;
}

/** Errors by which a service says the thing asked for is not there (the SDKs' names for "not found"). */
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException', 'NoSuchBucket', 'NoSuchEntity', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'StackNotFoundException']);

/** True when AWS answered that a resource does not exist. */
export function isNotFound(error: unknown): boolean {
  const name = shape(error).name;
  return name !== undefined && NOT_FOUND.has(name);
}

export function exitCodeOf(error: unknown): ExitCode {
  return toTapError(error).exitCode;
}

/** The service asks the caller to slow down (a throttling error name, or HTTP 429). */
export function isThrottling(error: unknown): boolean {
  const e = shape(error);
  return (e.name !== undefined && THROTTLING_NAMES.has(e.name)) || e.$metadata?.httpStatusCode === 429;
}

/**
 * True for the errors that remain after the SDK spent its own retries but may pass on a later try:
 * throttling, 5xx, timeouts, dropped connections. A polling loop retries these on its next tick.
 * An endpoint that cannot be reached is not among them: the SDK tried it already, and it is the
 * user's to fix (exit 3).
 */
export function isTransient(error: unknown): boolean {
  const e = shape(error);
  const status = e.$metadata?.httpStatusCode ?? 0;
  const code = socketCode(e);
  return (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) || status >= 500 || (code !== undefined && DROPPED_CODES.has(code));
}
