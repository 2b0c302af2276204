import type { EnvNames } from '../stack/naming.js';

/** Where a line comes from: one of the two functions, or the API stage's access log. */
export const SOURCES = ['handler', 'processor', 'api'] as const;
export type LogSource = (typeof SOURCES)[number];

/** The log group of each source; the names come from the naming module, as the stack names its groups. */
export function logGroupOf(names: EnvNames, source: LogSource): string {
  return source === 'api' ? names.accessLogGroup : source === 'handler' ? names.handlerLogGroup : names.processorLogGroup;
}

/** One log event, with what tap reads out of it. */
export interface LogLine {
  readonly source: LogSource;
  /** The event's timestamp (ISO 8601). */
  readonly time: string;
  readonly timestamp: number;
  readonly eventId?: string;
  readonly stream?: string;
  /** The event's message as CloudWatch Logs holds it. */
  readonly message: string;
  /** Lambda's request id of the invocation (or API Gateway's, for an access log line). */
  readonly requestId?: string;
  /** `error`, `warn`, `info`, ...: the JSON line's own level, else the runtime's. */
  readonly level?: string;
  /** The JSON line's `msg` (an access log line: method, path and status). */
  readonly text?: string;
  readonly correlationId?: string;
  /** The X-Ray trace id, on a REPORT line of a traced invocation. */
  readonly traceId?: string;
  /** The invocation failed here: the runtime's `Invoke Error`, a timeout, a REPORT line with an error status. */
  readonly failed?: boolean;
}

export interface RawEvent {
  readonly eventId?: string;
  readonly logStreamName?: string;
  readonly message?: string;
  readonly timestamp?: number;
}

// Lambda's text log format (the functions keep the default): the runtime's START/END/REPORT lines, and
// each console line as `<ISO time>\t<request id>\t<LEVEL>\t<text>`; a timeout is written with spaces.
const PLATFORM = /^(START|END|REPORT) RequestId: ([0-9a-f-]+)/;
const CONSOLE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t([0-9a-f-]{36})\t([A-Z]+)\t([\s\S]*)$/;
const TIMEOUT = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z ([0-9a-f-]{36}) Task timed out after/;
const XRAY = /XRAY TraceId: (1-[0-9a-f]{8}-[0-9a-f]{24})/;
const REPORT_FAILED = /\tStatus: (error|timeout)/;

function jsonOf(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t) as Record<string, unknown>; // starts with '{': an object
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Reads one event of `source`'s log group. */
export function parseEvent(source: LogSource, e: RawEvent): LogLine {
  const message = e.message ?? '';
  const timestamp = e.timestamp ?? 0;
  const base = { source, time: new Date(timestamp).toISOString(), timestamp, eventId: e.eventId, stream: e.logStreamName, message };
  if (source === 'api') {
    // The stage's access log: one JSON object per request (AccessLogFormat.jsonWithStandardFields).
    const j = jsonOf(message);
    if (!j) return base;
    const status = Number(j.status);
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    return { ...base, requestId: str(j.requestId), level, text: [j.httpMethod, j.resourcePath, j.status].map(str).filter(Boolean).join(' '), failed: status >= 500 };
  }
  const platform = PLATFORM.exec(message);
  if (platform) {
    const report = platform[1] === 'REPORT';
    return { ...base, requestId: platform[2], traceId: report ? XRAY.exec(message)?.[1] : undefined, failed: report && REPORT_FAILED.test(message) };
  }
  const timeout = TIMEOUT.exec(message);
  if (timeout) return { ...base, requestId: timeout[1], level: 'error', failed: true };
  const line = CONSOLE.exec(message);
  if (!line) return base;
  const [, requestId, runtimeLevel = 'INFO', rest = ''] = line;
  // An uncaught error: `Invoke Error \t{"errorType":...,"errorMessage":...}`.
  if (rest.startsWith('Invoke Error')) {
    const err = jsonOf(rest.slice('Invoke Error'.length));
    return { ...base, requestId, level: 'error', text: [str(err?.errorType), str(err?.errorMessage)].filter(Boolean).join(': ') || undefined, failed: true };
  }
  const j = jsonOf(rest);
  return {
    ...base,
    requestId,
    level: str(j?.level)?.toLowerCase() ?? runtimeLevel.toLowerCase(),
    text: str(j?.msg) ?? str(j?.message),
    correlationId: str(j?.correlationId),
  };
}

/** Whether the line is an error: a JSON level `error`, the runtime's ERROR, or a failed invocation. */
export const isError = (l: LogLine): boolean => l.failed === true || l.level === 'error' || l.level === 'fatal';

export interface LinePaint {
  error(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
}

/**
 * One line for a person: a structured line as level, time, function, message and correlation id;
 * any other line as it is (after its time and function, so interleaved lines stay readable).
 */
export function drawLine(l: LogLine, paint?: LinePaint): string {
  const where = `${l.time} ${l.source.padEnd(9)}`;
  if (l.text !== undefined) {
    const level = String(l.level).toUpperCase().padEnd(5); // every line with a text has a level
    const painted = !paint ? level : isError(l) ? paint.error(level) : l.level === 'warn' ? paint.warn(level) : level;
    const cid = l.correlationId ? `  ${paint ? paint.dim(`correlationId=${l.correlationId}`) : `correlationId=${l.correlationId}`}` : '';
    return `${painted} ${where} ${l.text}${cid}`;
  }
  // Lambda ends its lines with a newline and puts REPORT's X-Ray part on a second line.
  const text = l.message.trimEnd().replace(/\n/g, `\n${' '.repeat(6 + where.length + 1)}`);
  return `${' '.repeat(5)} ${where} ${text}`;
}
