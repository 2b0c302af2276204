import { Chalk, type ChalkInstance } from 'chalk';
import type ora from 'ora';
import type { Ora } from 'ora';
import { interruption } from '../errors.js';
import { type GitHubActions, githubActions } from './github.js';
import { sentence } from '../messages/index.js';
import type { ErrorReport, Io, Level, Message, ReporterOptions, Streams, Style } from '../messages/types.js';

/**
 * Colour for one stream: NO_COLOR (set and not empty, no-color.org) turns it off and wins;
 * FORCE_COLOR turns it on (`0` or `false`: off), as chalk's supports-color reads it; otherwise only
 * on a terminal. `--no-color` turns it off everywhere.
 */
export function colorFor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>, wanted: boolean): boolean {
  if (!wanted || (env.NO_COLOR ?? '') !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR);
  return Boolean(stream.isTTY);
}

/**
 * Whether stderr is a terminal a spinner can draw on: not under CI, and not one of the CI
 * pseudo-terminals that report 0 columns (a spinner cannot clear its line there).
 */
export function isLive(streams: Streams): boolean {
  const { stderr } = streams;
  return Boolean(stderr.isTTY) && !streams.env.CI && (stderr.columns ?? 80) > 0;
}

const SYMBOLS: Record<Level, string> = { debug: '·', info: 'ℹ', progress: '…', success: '✔', warn: '!', error: '✖' };

/**
 * Draws messages for a person on stderr: a spinner for progress on a TTY (not under CI), plain lines
 * otherwise. Results go to stdout so that `tap synth > summary.txt` captures only the result.
 */
export class HumanReporter implements Io {
  readonly interactive: boolean;
  /** Colour on stderr (messages); the result on stdout decides its own (`resultColor`). */
  readonly color: boolean;
  private readonly resultColor: boolean;
  private readonly chalk: ChalkInstance;
  private readonly live: boolean;
  private spinner?: Ora;
  private readonly gh: GitHubActions | undefined;
  private grouped = false;

  /** `spinnerOf` is ora, which `createReporter` loads only for a live terminal; without it, lines are drawn as on a pipe. */
  constructor(
    private readonly streams: Streams,
    private readonly options: ReporterOptions,
    private readonly spinnerOf?: typeof ora,
  ) {
    this.color = colorFor(streams.stderr, streams.env, options.color);
    this.resultColor = colorFor(streams.stdout, streams.env, options.color);
    this.gh = githubActions(streams);
    this.chalk = new Chalk({ level: this.color ? 1 : 0 });
    this.live = isLive(streams);
    this.interactive = this.live && Boolean(streams.stdin.isTTY);
    // Ctrl-C on a terminal echoes `^C` where the cursor is; what tap says next (a summary, an error)
    // starts on a line of its own. A spinner needs none: it clears its line as it draws or stops.
    options.signal?.addEventListener(
      'abort',
      () => {
        if (options.signal?.reason === 'SIGINT' && streams.stderr.isTTY && !this.spinner?.isSpinning) streams.stderr.write('\n');
      },
      { once: true },
    );
  }

  notify(message: Message, options: { stream?: boolean; output?: boolean } = {}): void {
    const { level } = message;
    if (options.output) {
      this.spinner?.clear();
      this.streams.stdout.write(`${sentence(message)}\n`);
      return;
    }
    // Under GitHub Actions a command's streamed lines (deploy's and destroy's stack events) fold into one log group.
    if (options.stream && this.gh && !this.grouped) {
      this.grouped = true;
      this.gh.group(message.code);
    }
    if (level === 'debug' && !this.options.verbose) return;
    if (this.options.quiet && (level === 'info' || level === 'progress' || level === 'success')) return;
    const text = sentence(message);
    if (level === 'progress' && this.live && this.spinnerOf) {
      // discardStdin off: ora would put the terminal in raw mode, and then Ctrl-C sends no SIGINT.
      this.spinner ??= this.spinnerOf({ stream: this.streams.stderr as NodeJS.WritableStream, color: 'cyan', isEnabled: true, discardStdin: false });
      this.spinner.text = text;
      // Drawn now, not at the next frame: work that holds the event loop (a synthesis) would leave the old phase up.
      if (!this.spinner.isSpinning) this.spinner.start();
      else this.spinner.render();
      return;
    }
    const line = `${this.paint(level, SYMBOLS[level])} ${level === 'error' ? this.chalk.red(text) : text}\n`;
    if (this.spinner?.isSpinning) {
      this.spinner.clear();
      this.streams.stderr.write(line);
      this.spinner.render();
    } else {
      this.streams.stderr.write(line);
    }
  }

  result<R>(value: R, render: (value: R, style: Style) => string): void {
    this.close();
    // A terminal's width (stdout's, else stderr's: the same terminal); a pipe or a file gets full lines.
    const { stdout, stderr } = this.streams;
    const width = stdout.isTTY ? stdout.columns || stderr.columns || undefined : undefined;
    const text = render(value, { color: this.resultColor, ...(width ? { width } : {}) });
    if (text) this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  async ask(question: string): Promise<string> {
    this.close();
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: this.streams.stdin, output: this.streams.stderr as NodeJS.WritableStream, terminal: false });
    // End of input (Ctrl-D, a closed pipe) counts as no answer rather than waiting forever.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const { signal } = this.options;
    try {
      return (await Promise.race([rl.question(`${this.chalk.yellow('?')} ${question} `, signal ? { signal } : {}), closed])).trim();
    } catch (error) {
      // Ctrl-C at the prompt: the terminal sends SIGINT to tap, which aborts the signal.
      if (signal?.aborted) throw interruption(signal);
      throw error;
    } finally {
      rl.close();
    }
  }

  fail(e: ErrorReport): void {
    this.notify({ level: 'error', code: 'error', data: e });
  }

  close(): void {
    this.spinner?.stop();
    this.spinner = undefined;
    if (this.grouped) this.gh?.endGroup();
    this.grouped = false;
  }

  private paint(level: Level, text: string): string {
    switch (level) {
      case 'success':
        return this.chalk.green(text);
      case 'warn':
        return this.chalk.yellow(text);
      case 'error':
        return this.chalk.red(text);
      case 'debug':
        return this.chalk.gray(text);
      default:
        return this.chalk.cyan(text);
    }
  }
}
