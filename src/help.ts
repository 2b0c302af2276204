import { type Command, Help, type Option } from 'commander';
import type { CommandDefinition } from './command.js';
import { EXIT, type ExitCode } from './errors.js';

/**
 * What `--help` says of a command beyond commander's options: examples, notes, the exit codes it can
 * end with, its AWS permissions; as text, or under `--json` as one JSON line (`{"kind":"help",...}`),
 * so that stdout carries only JSON whatever the outcome.
 */

/** What every command can end with; a definition's `exits` says what its own codes mean. */
const COMMON: Partial<Record<ExitCode, string>> = {
  [EXIT.ok]: 'ok',
  [EXIT.usage]: 'bad input or usage (nothing was changed)',
  [EXIT.interrupted]: 'interrupted (Ctrl-C)',
  [EXIT.terminated]: 'terminated (SIGTERM)',
};
/** What only a command that calls AWS can end with. */
const ONLINE: Partial<Record<ExitCode, string>> = {
  [EXIT.failed]: 'the job failed (also an AWS call that still failed after the retries)',
  [EXIT.aws]: 'AWS access or environment problem (credentials, region, access denied, endpoint unreachable)',
};

/** The exit codes a command can end with and what each means for it, in ascending order. */
export function exitCodes(d: CommandDefinition): [ExitCode, string][] {
  const all = { ...COMMON, ...(d.offline ? {} : ONLINE), ...d.exits };
  return Object.entries(all)
    .map(([code, meaning]): [ExitCode, string] => [Number(code) as ExitCode, meaning])
    .sort(([a], [b]) => a - b);
}

/** The text under a command's options: examples, notes, exit codes, permissions, wrapped to `columns` (commander's help width). */
export function helpAfter(d: CommandDefinition, columns = 80): string {
  const codes = exitCodes(d);
  const width = Math.max(...codes.map(([c]) => String(c).length));
  return [
    '',
    'Examples:',
    ...d.examples.map((e) => `  $ ${e}`),
    ...(d.notes ? ['', ...wrap(oneLine(d.notes), columns, '')] : []),
    '',
    'Exit codes:',
    ...codes.flatMap(([c, meaning]) => wrap(`  ${String(c).padEnd(width)}  ${meaning}`, columns, ' '.repeat(width + 4))),
    '',
    ...wrap(`AWS permissions: ${oneLine(d.permissions)}`, columns, '  '),
  ].join('\n');
}

/** A definition's text as one paragraph: its line breaks are the source's, not the reader's. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** `text` in lines of at most `columns`, broken at spaces after its leading ones (a longer word stays whole), the lines after the first indented. */
function wrap(text: string, columns: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = text;
  const lead = () => (lines.length ? indent.length : (/^ */.exec(text)?.[0].length ?? 0));
  while (rest.length > columns) {
    const at = rest.lastIndexOf(' ', columns);
    const cut = at > lead() ? at : rest.indexOf(' ', columns);
    if (cut < 0) break;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = `${indent}${rest.slice(cut + 1).trimStart()}`;
  }
  return [...lines, rest];
}

/** An option's help and default as the definition has them (commander's description has the default inside). */
const specs = new WeakMap<Option, { help: string; default?: string }>();

/** Remembers what help says of an option created from a definition. */
export function describeOption(o: Option, help: string, shownDefault: string | undefined): Option {
  specs.set(o, { help, ...(shownDefault === undefined ? {} : { default: shownDefault }) });
  return o;
}

const optionJson = (o: Option) => ({ flags: o.flags, ...(specs.get(o) ?? { help: o.description }) });

/** `tap replay-archive list`: the command's words from the program's name on. */
function fullName(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/** `--json --help`: the command as one object: name, summary, usage, options, examples, exit codes. */
export function helpJson(cmd: Command, helper: Help, d: CommandDefinition | undefined, programExamples: readonly string[]): Record<string, unknown> {
  const commands = helper.visibleCommands(cmd).map((c) => ({ name: c.name(), aliases: c.aliases(), summary: c.description() }));
  return {
    kind: 'help',
    command: fullName(cmd),
    summary: cmd.description(),
    usage: helper.commandUsage(cmd),
    ...(d?.args?.length ? { arguments: d.args } : {}),
    options: helper.visibleOptions(cmd).map(optionJson),
    globalOptions: helper.visibleGlobalOptions(cmd).map(optionJson),
    ...(commands.length ? { commands } : {}),
    examples: d ? d.examples.map((e) => `$ ${e}`) : programExamples,
    ...(d?.notes ? { notes: oneLine(d.notes) } : {}),
    exitCodes: Object.fromEntries(d ? exitCodes(d) : Object.entries({ ...COMMON, ...ONLINE })),
    ...(d ? { permissions: oneLine(d.permissions) } : {}),
  };
}

/** commander's own help text, for `formatHelp` overrides that fall back to it. */
export const textHelp = (cmd: Command, helper: Help): string => Help.prototype.formatHelp.call(helper, cmd, helper);
