import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/io/reporter.js';
import type { Level, Message, Streams } from '../src/messages/types.js';

// What ora needs of a terminal stream besides write().
const cursor = { cursorTo: () => true, clearLine: () => true, moveCursor: () => true, columns: 80 };

function streams(tty: boolean, env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const s: Streams = {
    stdout: { write: (c: string) => (out.stdout += c), isTTY: tty },
    stderr: { write: (c: string) => (out.stderr += c), isTTY: tty, ...(tty ? cursor : {}) },
    stdin: Object.assign(Readable.from([]), { isTTY: tty }),
    env,
  };
  return { s, out };
}
const opts = { json: false, color: true, verbose: false, quiet: false };
/** A message whose sentence is `line` as it is (the SDK's own lines are drawn so). */
const msg = (level: Level, line: string): Message => ({ level, code: 'aws.sdk', data: { line } });

describe('colour, per stream', () => {
  it('a result piped to a file has no ANSI codes while stderr, a terminal, has colour', async () => {
    const { s, out } = streams(true);
    const io = await createReporter({ ...s, stdout: { write: (c: string) => s.stdout.write(c), isTTY: false } }, opts);
    io.notify(msg('warn', 'careful'));
    io.result({}, (_r, style) => (style.color ? '\u001b[31mred\u001b[39m' : 'plain'));
    expect(out.stderr).toContain('\u001b[33m!\u001b[39m careful');
    expect(out.stdout).toBe('plain\n');
  });

  it.each([
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
  ])('%j on a %s terminal: colour %s', async (env, tty, color) => {
    const { s, out } = streams(tty, env);
    const io = await createReporter(s, opts);
    io.result({}, (_r, style) => String(style.color));
    expect([io.color, out.stdout]).toEqual([color, `${color}\n`]);
  });

  it('a terminal that reports 0 columns gets plain lines, not a spinner', async () => {
    const { s, out } = streams(true);
    const io = await createReporter({ ...s, stderr: { ...s.stderr, columns: 0 } }, opts);
    io.notify(msg('progress', 'working'));
    io.notify(msg('progress', 'still working'));
    io.close();
    expect(out.stderr).toBe('\u001b[36m…\u001b[39m working\n\u001b[36m…\u001b[39m still working\n');
    expect(io.interactive).toBe(false);
  });
});

describe('reporters', () => {
  it('human, not a TTY: plain lines on stderr, result on stdout, no colour, never interactive', async () => {
    const { s, out } = streams(false);
    const io = await createReporter(s, opts);
    io.notify(msg('progress', 'working'));
    io.notify(msg('warn', 'careful'));
    io.notify(msg('debug', 'hidden without --verbose'));
    io.result({ n: 1 }, (r) => `n=${r.n}`);
    expect(out.stderr).toBe('… working\n! careful\n');
    expect(out.stdout).toBe('n=1\n');
    expect(io.interactive).toBe(false);
    expect(io.color).toBe(false);
  });

  it('human on a TTY: colour unless NO_COLOR, interactive unless CI, and the spinner stops before the result', async () => {
    const tty = streams(true);
    const io = await createReporter(tty.s, opts);
    expect(io.color).toBe(true);
    expect(io.interactive).toBe(true);
    io.notify(msg('progress', 'working'));
    io.notify(msg('error', 'bad'));
    io.result('done', (r) => r);
    expect(tty.out.stderr).toMatch(/\u001b\[31m✖\u001b\[39m \u001b\[31mbad/);
    expect(tty.out.stdout).toBe('done\n');

    const noColor = await createReporter(streams(true, { NO_COLOR: '1' }).s, opts);
    expect(noColor.color).toBe(false);
    const ci = await createReporter(streams(true, { CI: 'true' }).s, opts);
    expect(ci.interactive).toBe(false);
  });

  it('--quiet keeps warnings and errors only', async () => {
    const { s, out } = streams(false);
    const io = await createReporter(s, { ...opts, quiet: true });
    io.notify(msg('info', 'noise'));
    io.notify(msg('warn', 'careful'));
    expect(out.stderr).toBe('! careful\n');
  });

  it('--json: streamed events and warnings, then the result or the error, one JSON object per line on stdout; progress nowhere', async () => {
    const { s, out } = streams(false);
    const io = await createReporter(s, { ...opts, json: true });
    io.notify(msg('progress', 'working'));
    io.notify({ level: 'progress', code: 'stack.event', data: { eventId: 'e1', logicalId: 'Queue', type: 'AWS::SQS::Queue', status: 'CREATE_COMPLETE' } }, { stream: true });
    io.notify(msg('warn', 'careful'));
    io.result({ kind: 'ok' }, () => 'ignored');
    io.fail({ error: 'JobFailed', code: 'JobFailed', message: 'it broke', hint: 'try again', exitCode: 1, detail: 'a stack trace' });
    expect(out.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'event', level: 'progress', code: 'stack.event', text: 'Queue CREATE_COMPLETE', data: { eventId: 'e1', logicalId: 'Queue', type: 'AWS::SQS::Queue', status: 'CREATE_COMPLETE' } },
      { type: 'event', level: 'warn', code: 'aws.sdk', text: 'careful', data: { line: 'careful' } },
      { kind: 'ok' },
      { kind: 'error', error: 'JobFailed', code: 'JobFailed', message: 'it broke', hint: 'try again', exitCode: 1 },
    ]);
    expect(out.stderr).toBe('');
  });

  it('--verbose: debug lines for a person, info lines on stderr for --json; a spinner line keeps its place', async () => {
    const human = streams(true);
    const io = await createReporter(human.s, { ...opts, verbose: true });
    io.notify(msg('progress', 'working'));
    io.notify(msg('debug', 'GetTemplate 120 ms'));
    io.result('two lines\n', (r) => r);
    expect(human.out.stderr).toMatch(/\u001b\[90m·\u001b\[39m GetTemplate 120 ms\n/);
    expect(human.out.stdout).toBe('two lines\n');

    const json = streams(false);
    const jio = await createReporter(json.s, { ...opts, json: true, verbose: true });
    jio.notify(msg('info', 'shown'));
    jio.notify(msg('progress', 'never'));
    expect(json.out.stderr.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ level: 'info', code: 'aws.sdk', text: 'shown', data: { line: 'shown' } }]);
    await expect(jio.ask('?')).rejects.toThrow(/--json never asks a question/);
  });
});
