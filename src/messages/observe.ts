import type { TraceSummary } from '@aws-sdk/client-xray';
import type { StopSignal } from '../errors.js';
import type { ReplayView } from '../replay/replays.js';
import { progressBar } from '../replay/replays.js';
import type { CacheUse, Finding } from '../stack/synth.js';
import type { Sentences } from './index.js';

/** A verify check's status (a payload: checks/check.ts's checks return these). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** What a check found. `remedy` is one line on what to do when it failed or warned. */
export interface Outcome {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly remedy?: string;
  readonly data?: Record<string, unknown>;
}

export interface CheckResult extends Outcome {
  readonly id: string;
  readonly title: string;
  readonly durationMs: number;
  /** Set when AWS could not be reached or refused the caller (exit 3). */
  readonly awsError?: string;
}

/** How a check's status is drawn, in its result line and in verify's progress. */
export const CHECK_SYMBOL: Record<CheckStatus, string> = { pass: '✔', fail: '✖', warn: '!', skip: '–' };

/** One trace summary on one line: when, id, duration, method path status, fault mark, services. */
export function summaryLine(s: TraceSummary): string {
  const http = [s.Http?.HttpMethod, s.Http?.HttpURL && new URL(s.Http.HttpURL).pathname, s.Http?.HttpStatus].filter(Boolean).join(' ') || '-';
  const mark = s.HasFault ? '✖ fault' : s.HasError ? '! error' : s.HasThrottle ? '! throttle' : 'ok';
  const services = (s.ServiceIds ?? []).map((x) => x.Name).filter(Boolean).join(', ');
  return `${s.StartTime?.toISOString() ?? '?'}  ${s.Id}  ${`${Math.round((s.Duration ?? 0) * 1000)} ms`.padStart(8)}  ${http}  ${mark}  ${services}`;
}

/** Messages of the commands that build, check and look: synth, diff, verify, trace, replay. */
export interface ObserveMessages {
  'synth.start': { stack: string };
  /** What the synth cache answered (`dir` absent: no cache). */
  'synth.cache': { dir?: string; build: CacheUse; validation: CacheUse };
  /** cdk-nag's or CloudFormation validation's finding (level `error` fails the synth). */
  'synth.finding': Finding;
  'diff.fetch': { stack: string };
  'verify.start': { stack: string; checks: string[] };
  /** A check has ended: the `finished`th of `total`; `waiting`: the checks still running (or waiting for one they need). */
  'verify.check': CheckResult & { finished: number; total: number; waiting?: string[] };
  /** status has sent its reads: one per line. */
  'status.start': { stack: string; lines: string[] };
  /** A line of status is read: the `finished`th of `total`; `waiting`: the lines still being read. */
  'status.line': { id: string; health: string; finished: number; total: number; waiting: string[] };
  /** The canary's POST got no answer: its receipt is looked for instead of sending it again. */
  'canary.lost': { error: string };
  'trace.search': { group: string; from: string; to: string };
  'trace.follow': { filter: string };
  /** A new trace seen by --follow (X-Ray's summary, as GetTraceSummaries gives it). */
  'trace.summary': TraceSummary;
  'trace.look-failed': { error: string; throttled: boolean; nextMs: number };
  /** StartReplay said the name exists, and it is this request's replay: an earlier try whose answer was lost. */
  'replay.found': { name: string };
  'replay.started': { name: string; from: string; to: string; rule?: string };
  'replay.progress': ReplayView & { elapsedS: number };
  /** Ctrl-C (SIGINT) or SIGTERM during a replay without --detach. */
  'replay.cancelling': { name: string; signal: StopSignal };
}

export const observeSentences: Sentences<ObserveMessages> = {
  'synth.start': (d) => `Synthesizing ${d.stack}`,
  'synth.cache': (d) => (d.dir === undefined ? 'Synth cache: not used (--no-cache)' : `Synth cache ${d.dir}: build ${d.build}, validation ${d.validation}`),
  'synth.finding': (f) => `${f.path}: ${f.message}`,
  'diff.fetch': (d) => `Reading the deployed template of ${d.stack}`,
  'verify.start': (d) => `Verifying ${d.stack}: ${d.checks.join(', ')}`,
  'verify.check': (r) => `${r.finished}/${r.total} ${CHECK_SYMBOL[r.status]} ${r.id} (${r.durationMs} ms)${r.waiting?.length ? `; waiting for ${r.waiting.join(', ')}` : ''}`,
  'status.start': (d) => `Reading ${d.stack}: ${d.lines.join(', ')}`,
  'status.line': (d) => `${d.finished}/${d.total} ${d.id} ${d.health}${d.waiting.length ? `; waiting for ${d.waiting.join(', ')}` : ''}`,
  'canary.lost': (d) => `POST /events: ${d.error}; the event may have been taken, looking for its receipt instead of sending another`,
  'trace.search': (d) => `Searching ${d.group} from ${d.from} to ${d.to}`,
  'trace.follow': () => 'Following new traces (Ctrl-C to stop)',
  'trace.summary': summaryLine,
  'trace.look-failed': (d) => `${d.throttled ? 'X-Ray is throttling' : 'X-Ray failed'} (${d.error}); next look in ${d.nextMs / 1000} s`,
  'replay.found': (d) => `Replay ${d.name} exists with this archive, window and destination: an earlier try of this request; following it`,
  'replay.started': (d) => `Started replay ${d.name}: ${d.from} .. ${d.to}${d.rule ? ` to rule ${d.rule}` : ''}`,
  'replay.progress': (v) => `${v.name} ${v.state} ${progressBar(v.progress)} ${v.elapsedS}s elapsed${v.lastReplayed ? `, at ${v.lastReplayed}` : ''}`,
  'replay.cancelling': (d) => `${d.signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}: cancelling replay ${d.name}`,
};
