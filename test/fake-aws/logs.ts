import { awsError } from './errors.js';
import { compilePattern } from './filter-pattern.js';

export interface FakeLogEvent {
  readonly eventId: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** One invocation as Lambda's Node.js runtime writes it in the text log format (the functions' default). */
export interface Invocation {
  readonly requestId: string;
  /** When it started (ms); each line is 1 ms after the one before. */
  readonly at: number;
  /** The console lines: `json` as the functions log it (console.log / console.error of JSON.stringify), or plain text. */
  readonly lines?: readonly ({ json: Record<string, unknown>; error?: boolean } | { text: string; error?: boolean })[];
  /** Active tracing: the REPORT line's `XRAY TraceId: ... SegmentId: ... Sampled: true`. */
  readonly traceId?: string;
  /** An uncaught error (`Invoke Error`) or a timeout (`Task timed out after 3.00 seconds`, REPORT `Status: timeout`). */
  readonly failed?: 'error' | 'timeout';
  readonly stream?: string;
}

interface Session {
  readonly groups: Set<string>;
  readonly match: (m: string) => boolean;
  readonly queue: { group: string; e: FakeLogEvent }[];
  wake?: () => void;
}

/**
 * CloudWatch Logs: log groups of streams of events. FilterLogEvents as its API reference says: one
 * group (`logGroupName` or `logGroupIdentifier`, not both), events with startTime <= timestamp <=
 * endTime, interleaved across streams by time, at most `limit` (default and maximum 10,000) or 1 MB
 * a page, `nextToken` while more remain; it may answer a page with no events and a token
 * (`emptyPages` makes it do so first). StartLiveTail: up to 10 groups by ARN, a stream of
 * `sessionStart`, then a `sessionUpdate` with the events written since; `liveTail` scripts its end.
 */
export class FakeLogs {
  readonly groups = new Map<string, FakeLogEvent[]>();
  /** Page size when the caller gives no `limit`. @default 10,000 (AWS's default and maximum) */
  pageLimit = 10_000;
  /** Answer this many empty pages (with a token) before each search's first events, as AWS may. */
  emptyPages = 0;
  /** StartLiveTail throws this (AccessDeniedException, an emulator's UnknownOperation...). */
  liveTailRefusal?: Error;
  /** How a Live Tail stream ends once it has delivered what was written: wait for Ctrl-C, time out (3 h), or break. */
  liveTailEnd: 'wait' | 'timeout' | 'broken' | 'close' = 'wait';
  /** Live Tail's `sessionMetadata.sampled` (it samples above 500 events a second). */
  liveTailSampled = false;
  /** Runs when a Live Tail session starts (a test writes lines "meanwhile"). */
  onLiveTailStart?: () => void;
  /** Runs each time a session has delivered everything and waits for more. */
  onLiveTailIdle?: () => void;
  liveTailSessions = 0;
  private readonly sessions = new Set<Session>();
  private seq = 0;

  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  createGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, []);
  }

  /** Writes one event (the group is created when missing). */
  put(group: string, message: string, timestamp: number, stream = '2026/11/25/[$LATEST]0123456789abcdef0123456789abcdef'): void {
    this.createGroup(group);
    const e = { eventId: String(++this.seq).padStart(56, '0'), logStreamName: stream, timestamp, ingestionTime: timestamp + 200, message };
    this.groups.get(group)!.push(e);
    for (const s of this.sessions) {
      if (!s.groups.has(group) || !s.match(message)) continue;
      s.queue.push({ group, e });
      s.wake?.();
    }
  }

  /** Writes one invocation of a function as Lambda does: START, the console lines, END, REPORT. */
  invocation(group: string, inv: Invocation): void {
    let t = inv.at;
    const put = (m: string) => this.put(group, m, t++, inv.stream);
    const iso = () => new Date(t).toISOString();
    put(`START RequestId: ${inv.requestId} Version: $LATEST\n`);
    for (const l of inv.lines ?? []) put(`${iso()}\t${inv.requestId}\t${l.error ? 'ERROR' : 'INFO'}\t${'json' in l ? JSON.stringify(l.json) : l.text}\n`);
    if (inv.failed === 'error') put(`${iso()}\t${inv.requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: 'Error', errorMessage: 'boom', stack: ['Error: boom'] })}\n`);
    if (inv.failed === 'timeout') put(`${iso()} ${inv.requestId} Task timed out after 3.00 seconds\n\n`);
    put(`END RequestId: ${inv.requestId}\n`);
    const status = inv.failed === 'timeout' ? 'Status: timeout\t' : '';
    const xray = inv.traceId ? `\nXRAY TraceId: ${inv.traceId}\tSegmentId: 3d752aa11bbe37e0\tSampled: true\t` : '';
    put(`REPORT RequestId: ${inv.requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t${status}${xray}\n`);
  }

  /** One access log line of the stage (AccessLogFormat.jsonWithStandardFields: every value a string). */
  access(group: string, r: { requestId: string; at: number; method?: string; path?: string; status: number }): void {
    const line = { requestId: r.requestId, ip: '203.0.113.7', user: '-', caller: '-', requestTime: '25/Nov/2026:12:00:00 +0000', httpMethod: r.method ?? 'POST', resourcePath: r.path ?? '/events', status: String(r.status), protocol: 'HTTP/1.1', responseLength: '52' };
    this.put(group, JSON.stringify(line), r.at);
  }

  filterLogEvents(i: { logGroupName?: string; logGroupIdentifier?: string; startTime?: number; endTime?: number; filterPattern?: string; limit?: number; nextToken?: string }) {
    if (i.logGroupName && i.logGroupIdentifier) throw awsError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.', 400);
    const name = i.logGroupName ?? this.nameOf(i.logGroupIdentifier ?? '');
    const events = this.groups.get(name);
    if (!events) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
    if (i.limit !== undefined && (i.limit < 1 || i.limit > 10_000)) throw awsError('InvalidParameterException', '1 validation error detected: Value at \'limit\' failed to satisfy constraint: Member must have value between 1 and 10000', 400);
    const match = compilePattern(i.filterPattern);
    const token = i.nextToken ? (JSON.parse(Buffer.from(i.nextToken, 'base64').toString()) as { at: number; empty: number }) : { at: 0, empty: 0 };
    const wanted = events
      .filter((e) => e.timestamp >= (i.startTime ?? 0) && e.timestamp <= (i.endTime ?? Infinity) && match(e.message))
      .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
    const next = (t: { at: number; empty: number }) => Buffer.from(JSON.stringify(t)).toString('base64');
    if (token.empty < this.emptyPages && wanted.length) return { events: [], nextToken: next({ at: token.at, empty: token.empty + 1 }) };
    const page: FakeLogEvent[] = [];
    let bytes = 0;
    for (const e of wanted.slice(token.at)) {
      bytes += Buffer.byteLength(e.message) + 26; // CloudWatch Logs counts 26 bytes per event besides its message
      if (page.length >= (i.limit ?? this.pageLimit) || (page.length && bytes > 1_048_576)) break;
      page.push(e);
    }
    const at = token.at + page.length;
    return { events: page.map((e) => ({ ...e })), searchedLogStreams: [], ...(at < wanted.length ? { nextToken: next({ at, empty: token.empty }) } : {}) };
  }

  startLiveTail(i: { logGroupIdentifiers?: string[]; logEventFilterPattern?: string }) {
    if (this.liveTailRefusal) throw this.liveTailRefusal;
    const ids = i.logGroupIdentifiers ?? [];
    if (ids.length < 1 || ids.length > 10) throw awsError('InvalidParameterException', 'logGroupIdentifiers must hold 1 to 10 log group ARNs', 400);
    const groups = new Set(ids.map((id) => this.nameOf(id, true)));
    for (const g of groups) if (!this.groups.has(g)) throw awsError('ResourceNotFoundException', `The specified log group does not exist: ${g}`, 400);
    const session: Session = { groups, match: compilePattern(i.logEventFilterPattern), queue: [] };
    this.liveTailSessions++;
    const arnOf = new Map(ids.map((id) => [this.nameOf(id, true), id]));
    return { responseStream: this.stream(session, ids, arnOf, i.logEventFilterPattern) };
  }

  /** One session's events: `sessionStart`, then each batch written since, then its scripted end. */
  private async *stream(session: Session, ids: string[], arnOf: Map<string, string>, pattern?: string) {
    this.sessions.add(session);
    yield { sessionStart: { requestId: 'req-1', sessionId: `session-${this.liveTailSessions}`, logGroupIdentifiers: ids, ...(pattern ? { logEventFilterPattern: pattern } : {}) } };
    this.onLiveTailStart?.();
    for (;;) {
      if (session.queue.length) {
        const batch = session.queue.splice(0);
        const sessionResults = batch.map(({ group, e }) => ({ logGroupIdentifier: arnOf.get(group), logStreamName: e.logStreamName, message: e.message, timestamp: e.timestamp, ingestionTime: e.ingestionTime }));
        yield { sessionUpdate: { sessionMetadata: { sampled: this.liveTailSampled }, sessionResults } };
        continue;
      }
      if (this.liveTailEnd === 'timeout') return void (yield { SessionTimeoutException: { message: 'Session timed out after 3 hours' } });
      if (this.liveTailEnd === 'broken') return void (yield { SessionStreamingException: { message: 'Internal streaming failure' } });
      if (this.liveTailEnd === 'close') return; // the stream ends with no message (a dropped connection)
      await new Promise<void>((resolve) => {
        session.wake = resolve;
        this.onLiveTailIdle?.();
      });
    }
  }

  /** A log group's name from its ARN (`arn:aws:logs:region:account:log-group:name`); StartLiveTail takes ARNs only. */
  private nameOf(id: string, arnOnly = false): string {
    const m = /^arn:aws:logs:([^:]+):(\d{12}):log-group:([^:*]+)$/.exec(id);
    if (m && (m[1] !== this.region || m[2] !== this.account)) throw awsError('ResourceNotFoundException', `The specified log group does not exist: ${id}`, 400);
    if (!m && arnOnly) throw awsError('InvalidParameterException', `logGroupIdentifiers must be log group ARNs: ${id}`, 400);
    return m?.[3] ?? id;
  }
}
