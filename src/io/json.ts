import type { Io, Message, ReporterOptions, Streams } from './types.js';

/**
 * `--json`: stdout carries only JSON: the result document, and NDJSON for messages a command marks
 * as a stream (deploy's stack events). Warnings and errors go to stderr as JSON lines.
 */
export class JsonReporter implements Io {
  readonly interactive = false;
  readonly color = false;

  constructor(
    private readonly streams: Streams,
    private readonly options: ReporterOptions,
  ) {}

  notify(message: Message, options: { stream?: boolean } = {}): void {
    if (options.stream) {
      this.streams.stdout.write(`${JSON.stringify({ type: 'event', ...message })}\n`);
    } else if (message.level === 'warn' || message.level === 'error' || (this.options.verbose && message.level !== 'progress')) {
      this.streams.stderr.write(`${JSON.stringify(message)}\n`);
    }
  }

  result<R>(value: R): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  close(): void {}
}
