/** What logic emits: typed messages (./messages/), never printed text. Reporters decide how to draw them. */
export type Level = 'debug' | 'info' | 'progress' | 'success' | 'warn' | 'error';

export type { Code, Message, Payloads } from './index.js';
export type { ErrorReport } from './run.js';
import type { ErrorReport, Message } from './index.js';

/** How a renderer may style its text. */
export interface Style {
  readonly color: boolean;
  /** The terminal's columns when the result goes to a terminal; undefined in a pipe or a file (full lines). */
  readonly width?: number;
}

export interface Io {
  /**
   * Progress and diagnostics: stderr for humans; NDJSON on stdout for `--json` only when `stream` is set.
   * `output`: a line of the command's output itself (`tap logs`' lines), drawn on stdout for humans too.
   */
  notify(message: Message, options?: { stream?: boolean; output?: boolean }): void;
  /** The command's result: drawn by `render` for humans, as one JSON document with `--json`. */
  result<R>(value: R, render: (value: R, style: Style) => string): void;
  /** Asks the person a question and returns the answer line; only call when `interactive`. Ctrl-C rejects it (Aborted). */
  ask(question: string): Promise<string>;
  /** The error that ended the command: `✖ message` and its hint for a person, the final JSON line with --json. */
  fail(error: ErrorReport): void;
  /** Ends any spinner; called once when the command ends, however it ends. */
  close(): void;
  /** Whether a person can answer a question (stdin and stderr are TTYs, not CI, not --json). */
  readonly interactive: boolean;
  /** Whether colour is on, for renderers that colour text themselves. */
  readonly color: boolean;
}

/** The process-level handles a reporter writes to; tests pass in-memory ones. */
export interface Streams {
  readonly stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Record<string, string | undefined>;
}

export interface ReporterOptions {
  readonly json: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Ctrl-C or SIGTERM: a question being asked ends with the interruption. @default never */
  readonly signal?: AbortSignal;
}
