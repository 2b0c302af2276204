import { sentence } from '../messages/index.js';
import type { ErrorReport, Io, Message, ReporterOptions, Streams } from '../messages/types.js';

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
    // `text` is the sentence a person would read; `data` is the code's payload (src/messages/).
    const { level, code, data } = message;
    if (options.stream || options.output || level === 'warn' || level === 'error') {
      this.streams.stdout.write(`${JSON.stringify({ type: 'event', level, code, text: sentence(message), data })}\n`);
    } else if (this.options.verbose && level !== 'progress') {
      this.streams.stderr.write(`${JSON.stringify({ level, code, text: sentence(message), data })}\n`);
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
