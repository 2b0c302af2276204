import type { ErrorReport, Io, Message, ReporterOptions, Streams } from './types.js';

/**
 * `--json`: stdout carries only JSON, one object per line: events (`{"type":"event",...}`: the
 * messages a command streams, such as deploy's stack events, and every warning and error), then
 * exactly one final line, the result (it has a `kind`) or `{"kind":"error",...}`. stderr stays
 * empty unless --verbose, which writes the other messages there (not spinner texts), also as JSON lines.
 */
export class JsonReporter implements Io {
  readonly interactive = false;
  readonly color = false;

  constructor(
    private readonly streams: Streams,
    private readonly options: ReporterOptions,
  ) {}

  notify(message: Message, options: { stream?: boolean; output?: boolean } = {}): void {
    if (options.stream || options.output || message.level === 'warn' || message.level === 'error') {
      this.streams.stdout.write(`${JSON.stringify({ type: 'event', ...message })}\n`);
    } else if (this.options.verbose && message.level !== 'progress') {
      this.streams.stderr.write(`${JSON.stringify(message)}\n`);
    }
  }

  result<R>(value: R): void {
    this.streams.stdout.write(`${JSON.stringify(value)}\n`);
  }

  fail(e: ErrorReport): void {
    const { detail, ...rest } = e;
    this.streams.stdout.write(`${JSON.stringify({ kind: 'error', ...rest })}\n`);
    if (detail && this.options.verbose) this.streams.stderr.write(`${JSON.stringify({ detail })}\n`);
  }

  ask(): Promise<string> {
    return Promise.reject(new Error('--json never asks a question; pass --yes'));
  }

  close(): void {}
}
