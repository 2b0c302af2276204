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

  private streamed = false;

  notify(message: Message, options: { stream?: boolean } = {}): void {
    if (options.stream) {
      this.streamed = true;
      this.streams.stdout.write(`${JSON.stringify({ type: 'event', ...message })}\n`);
    } else if (message.level === 'warn' || message.level === 'error' || (this.options.verbose && message.level !== 'progress')) {
      this.streams.stderr.write(`${JSON.stringify(message)}\n`);
    }
  }

  /** Pretty JSON; one line after streamed events, so the whole of stdout stays NDJSON. */
  result<R>(value: R): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, this.streamed ? undefined : 2)}\n`);
  }

  ask(): Promise<string> {
    return Promise.reject(new Error('--json never asks a question; pass --yes'));
  }

  close(): void {}
}
