import type { CloudWatchLogsClient, StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import { LookPace } from '../aws/retry.js';
import { JobFailed, unreadableAnswer } from '../errors.js';
import type { EnvNames } from '../stack/naming.js';
import { type LogLine, logGroupOf, type LogSource, parseEvent } from './lines.js';
import { isMissingGroup, type LogFilter, matches, patternFor, readGroup } from './search.js';

/** How often polling looks for new lines, and the most it backs off to when throttled. */
export const POLL_MS = 2000;
const POLL_MAX_MS = 30_000;
/** Polling reads this far back each time: CloudWatch Logs may take this long to make an event searchable. */
const LOOKBACK_MS = 60_000;

export interface Followed {
  readonly via: 'live-tail' | 'polling';
  readonly lines: number;
  /** Live Tail said it sampled (more than 500 events a second): not every line was shown. */
  readonly sampled: boolean;
}

interface Follow {
  readonly logs: CloudWatchLogsClient;
  readonly names: EnvNames;
  readonly sources: readonly LogSource[];
  readonly filter: LogFilter;
  readonly deps: Deps;
  readonly emit: (line: LogLine) => void;
}

/**
 * New lines until Ctrl-C: a CloudWatch Logs Live Tail session (StartLiveTail), and polling
 * FilterLogEvents every 2 s where Live Tail is refused or unavailable (no permission, an emulator
 * without it, a broken stream). A session that times out (Live Tail ends them after 3 hours) is
 * started again.
 */
export async function followLogs(f: Follow): Promise<Followed> {
  let since = f.deps.clock().getTime();
  let lines = 0;
  const emit = (l: LogLine) => {
    lines++;
    // Polling after a session that broke goes on after the last line shown, not from the start again.
    since = Math.max(since, l.timestamp + 1);
    f.emit(l);
  };
  const live = await liveTail({ ...f, emit }).catch((error: unknown) => ({ failed: error }));
  if ('sampled' in live) return { via: 'live-tail', lines, sampled: live.sampled };
  if (f.deps.signal.aborted) return { via: 'live-tail', lines, sampled: false };
  const e = live.failed as Error;
  // What happened, not the SDK's parse error: an endpoint without Live Tail answers with a page that is no event stream.
  const unreadable = unreadableAnswer(e);
  f.deps.io.notify({ level: 'warn', code: 'logs.live-tail-unavailable', data: { error: e.name, message: unreadable ? `StartLiveTail got ${unreadable}` : e.message, pollMs: POLL_MS } });
  await poll({ ...f, emit }, since);
  return { via: 'polling', lines, sampled: false };
}

/** Live Tail names log groups by ARN: the partition and account from STS, the region from the client. */
async function groupArns(f: Follow): Promise<Map<string, LogSource>> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const { Arn = '', Account } = await (await f.deps.aws.sts()).send(new GetCallerIdentityCommand({}));
  const partition = Arn.split(':')[1] || 'aws';
  const region = await f.logs.config.region();
  return new Map(f.sources.map((s) => [`arn:${partition}:logs:${region}:${Account}:log-group:${logGroupOf(f.names, s)}`, s]));
}

async function liveTail(f: Follow): Promise<{ sampled: boolean }> {
  const { StartLiveTailCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const arns = await groupArns(f);
  // One pattern for the session: sent when every group's pattern is the same; else tap's own check filters.
  const patterns = new Set(f.sources.map((s) => patternFor(s, f.filter)));
  const pattern = patterns.size === 1 ? [...patterns][0] : undefined;
  let sampled = false;
  for (;;) {
    const { responseStream } = await f.logs.send(
      new StartLiveTailCommand({ logGroupIdentifiers: [...arns.keys()], ...(pattern ? { logEventFilterPattern: pattern } : {}) }),
      { abortSignal: f.deps.signal },
    );
    if (!responseStream) throw Object.assign(new Error('the answer had no event stream'), { name: 'NoStream' });
    f.deps.io.notify({ level: 'info', code: 'logs.follow', data: { via: 'live-tail' } });
    const ended = await readStream(responseStream, f.deps.signal, (item) => {
      for (const e of item.sessionUpdate?.sessionResults ?? []) {
        // Live Tail names each event's group as it was asked for: by its ARN.
        const source = arns.get(String(e.logGroupIdentifier));
        if (!source) continue;
        const line = parseEvent(source, { logStreamName: e.logStreamName, message: e.message, timestamp: e.timestamp });
        if (matches(line, f.filter)) f.emit(line);
      }
      if (item.sessionUpdate?.sessionMetadata?.sampled && !sampled) {
        sampled = true;
        f.deps.io.notify({ level: 'warn', code: 'logs.sampled', data: {} });
      }
      if (item.SessionStreamingException) throw Object.assign(new Error(String(item.SessionStreamingException.message)), { name: 'SessionStreamingException' });
      return item.SessionTimeoutException !== undefined;
    });
    if (f.deps.signal.aborted) return { sampled };
    if (ended !== 'timeout') throw Object.assign(new Error('the session ended'), { name: 'SessionEnded' });
    f.deps.io.notify({ level: 'info', code: 'logs.live-tail-restart', data: {} });
  }
}

/** Reads the event stream until it ends, `onItem` says the session timed out, or Ctrl-C. */
async function readStream(
  stream: AsyncIterable<StartLiveTailResponseStream>,
  signal: AbortSignal,
  onItem: (item: StartLiveTailResponseStream) => boolean,
): Promise<'timeout' | 'ended' | 'aborted'> {
  const it = stream[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next === 'aborted') return 'aborted';
      if (next.done) return 'ended';
      if (onItem(next.value)) return 'timeout';
    }
  } finally {
    // Closes the session's stream (the SDK ends the HTTP/2 request); its answer is not waited for.
    void it.return?.().catch(() => {});
  }
}

/** Polls FilterLogEvents until Ctrl-C; each event once (by event id), in time order per look. */
async function poll(f: Follow, since: number): Promise<void> {
  const seen = new Map<string, number>();
  let sources = [...f.sources];
  let from = since;
  const pace = new LookPace(POLL_MS, POLL_MAX_MS, f.deps.aws.maxAttempts);
  f.deps.io.notify({ level: 'info', code: 'logs.follow', data: { via: 'polling' } });
  while (!f.deps.signal.aborted) {
    const now = f.deps.clock().getTime();
    // A look's lines are marked seen only once they are shown: a look that fails half way shows
    // nothing, and the next one reads them again.
    const fresh = new Map<string, LogLine>();
    try {
      for (const source of sources) {
        const keep = (l: LogLine) => {
          const id = String(l.eventId); // FilterLogEvents gives every event its id
          if (!seen.has(id)) fresh.set(id, l);
        };
        try {
          await readGroup(f.logs, { group: logGroupOf(f.names, source), source, start: from, end: now, pattern: patternFor(source, f.filter), filter: f.filter, budget: Number.MAX_SAFE_INTEGER }, keep);
        } catch (error) {
          if (!isMissingGroup(error)) throw error;
          f.deps.io.notify({ level: 'warn', code: 'logs.missing-group', data: { group: logGroupOf(f.names, source), source, during: 'follow' } });
          sources = sources.filter((s) => s !== source);
        }
      }
      for (const [id, l] of [...fresh].sort(([, a], [, b]) => a.timestamp - b.timestamp)) {
        seen.set(id, l.timestamp);
        f.emit(l);
      }
      from = Math.max(since, now - LOOKBACK_MS);
      for (const [id, at] of seen) if (at < from) seen.delete(id);
      pace.ok();
    } catch (error) {
      f.deps.io.notify({ level: 'warn', code: 'logs.look-failed', data: pace.failed(error) });
    }
    if (!sources.length) throw new JobFailed(`none of the log groups to follow exists (env ${f.names.env}): nothing to follow`, { hint: 'is the env deployed in this account and region? (`tap list`)' });
    await f.deps.sleep(pace.intervalMs);
  }
}
