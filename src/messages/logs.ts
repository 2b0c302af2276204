import { drawLine, type LogLine, type LogSource } from '../logs/lines.js';
import type { Sentences } from './index.js';
import { namesSomething } from './run.js';

/** Messages of `tap logs` (and `trace --logs`): the lines themselves, searches, Live Tail and its fall-back. */
export interface LogsMessages {
  /** One log line, written to stdout as the command's output. */
  'logs.line': LogLine;
  'logs.search': { sources: LogSource[]; from: string; to: string };
  /** A source the filter cannot match, left out of the search. */
  'logs.skipped': { source: LogSource; reason: string; missing?: true };
  /** `search`: the window's search goes on without it; `follow`: it is no longer followed. */
  'logs.missing-group': { group: string; source: LogSource; during: 'search' | 'follow' };
  'logs.truncated': { scanned: number };
  'logs.follow': { via: 'live-tail' | 'polling' };
  'logs.live-tail-unavailable': { error: string; message: string; pollMs: number };
  /** Live Tail samples above 500 lines a second (CloudWatch Logs' documented limit). */
  'logs.sampled': Record<string, never>;
  /** Live Tail ends a session after 3 hours. */
  'logs.live-tail-restart': Record<string, never>;
  'logs.look-failed': { error: string; throttled: boolean; nextMs: number };
}

export const logsSentences: Sentences<LogsMessages> = {
  'logs.line': (l) => drawLine(l),
  'logs.search': (d) => `Searching ${d.sources.join(', ')} logs from ${d.from} to ${d.to}`,
  'logs.skipped': (d) => `${d.source}: ${d.reason}`,
  'logs.missing-group': (d) => (d.during === 'search' ? `log group ${d.group} does not exist (is the env deployed, and has the ${d.source} run yet?)` : `log group ${d.group} does not exist; not following it`),
  'logs.truncated': (d) => `stopped after reading ${d.scanned} log events: the newest lines found are shown; narrow the window or add a filter`,
  'logs.follow': (d) => `Following new log lines${d.via === 'live-tail' ? ' with Live Tail' : ''} (Ctrl-C to stop)`,
  'logs.live-tail-unavailable': (d) => `Live Tail is not available (${namesSomething(d.error) ? `${d.error}: ` : ''}${d.message}); polling FilterLogEvents every ${d.pollMs / 1000} s instead`,
  'logs.sampled': () => 'Live Tail is sampling (more than 500 lines a second): not every line is shown',
  'logs.live-tail-restart': () => 'Live Tail ended its session (3 hours); starting a new one',
  'logs.look-failed': (d) => `${d.throttled ? 'CloudWatch Logs is throttling' : 'CloudWatch Logs failed'} (${d.error}); next look in ${d.nextMs / 1000} s`,
};
