import { Command, Help, type HelpConfiguration, Option } from 'commander';
import type { CommandDefinition, OptionSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './errors.js';
import { describeOption, helpAfter, helpJson, textHelp } from './help.js';
import type { Streams } from './messages/types.js';
import { MAX_ENV_LENGTH, namesFor } from './stack/naming.js';
import { VERSION } from './version.js';
import { checkedUrl, NETWORK_DEFAULTS } from './aws/network.js';

/** What registration needs from the CLI: how to run a definition once commander has parsed it. */
export type RunDefinition = (definition: CommandDefinition, command: Command) => Promise<void>;

const EXAMPLES = [
  'tap synth --env dev                      summary of the template, offline',
  'tap synth --env dev --out cdk.out        write TapStack-dev.template.json',
  'tap diff --env staging --fail            exit 1 when staging differs from the code',
  'tap deploy --env staging                 change-set deploy with live progress',
  'tap verify --env ci --junit report.xml   post-deploy checks with an end-to-end canary',
  'tap status --env prod                    is the env healthy? (exit 1 when anything is red)',
  'tap trace --env prod --faults --detail   X-Ray traces of the env, as waterfalls',
  'tap replay --env prod --from "2h ago"    replay archived events, with proof of processing',
  'tap destroy --env dev                    confirmed teardown',
].map((e) => `$ ${e}`);

const PROGRAM_HELP = `
Examples:
${EXAMPLES.map((e) => `  ${e}`).join('\n')}

Exit codes: 0 ok, 1 the job failed, 2 bad input or usage, 3 AWS access or environment problem, 130 interrupted, 143 terminated.`;

/** Programs created for `--json`: their help and version are one JSON line each. */
const jsonPrograms = new WeakSet<Command>();
const isJson = (cmd: Command): boolean => {
  let root = cmd;
  while (root.parent) root = root.parent;
  return jsonPrograms.has(root);
};

/** Help settings of every command: global options shown; under --json the help is one JSON object. */
function helpSettings(more: HelpConfiguration = {}): HelpConfiguration {
  return {
    showGlobalOptions: true,
    formatHelp: (cmd, helper) => (isJson(cmd) ? `${JSON.stringify(helpJson(cmd, helper, definitions.get(cmd), EXAMPLES))}\n` : textHelp(cmd, helper)),
    // `completion <shell>` in the list of commands: an argument with choices is optional only to commander (`register`).
    subcommandTerm: (cmd) => (definitions.get(cmd)?.args ?? []).reduce((term, a) => (a.choices ? term.replace(`[${a.name}]`, `<${a.name}>`) : term), Help.prototype.subcommandTerm.call(undefined, cmd)),
    ...more,
  };
}

/**
 * The program with its global options; commands are added by `register`. Parse errors are not
 * printed by commander: the CLI reports them as it reports every error (coloured on a terminal, JSON with --json).
 */
export function createProgram(streams: Pick<Streams, 'stdout' | 'stderr'>, json: boolean): Command {
  // Settings before the subcommands: commander copies them into each subcommand as it is created.
  const program = new Command('tap')
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => json || streams.stderr.write(s), outputError: () => {} })
    .configureHelp(helpSettings())
    .description('Deploy, verify and diagnose the tap serverless stack (API Gateway, Lambda, EventBridge, X-Ray) on AWS.')
    .version(json ? JSON.stringify({ kind: 'version', version: VERSION }) : VERSION, '-V, --version')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE)')
    .addOption(parsedLater(new Option('--endpoint-url <url>', 'send every AWS call to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)'), endpointUrl))
    .addOption(parsedLater(new Option('--connect-timeout <seconds>', `give up a connection not made within this (default: ${NETWORK_DEFAULTS.connectTimeoutMs / 1000})`), seconds('--connect-timeout')))
    .addOption(parsedLater(new Option('--read-timeout <seconds>', `give up a call on which nothing arrives for this long; the SDK then tries again (default: ${NETWORK_DEFAULTS.readTimeoutMs / 1000})`), seconds('--read-timeout')))
    .option('--config <file>', 'settings per env (default: tap.config.json in this directory or a parent)')
    .option('--json', 'one JSON object per line on stdout: progress events, then the result or the error')
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .option('--verbose', 'print debug messages and stack traces')
    .option('--quiet', 'print only warnings, errors and the result (not with --verbose)')
    .addHelpText('after', (context) => (isJson(context.command) ? '' : PROGRAM_HELP));
  if (json) jsonPrograms.add(program);
  return program;
}

/** The program as tap runs it: the global options and every command (`tap completion` reads it too). */
export function tapProgram(streams: Pick<Streams, 'stdout' | 'stderr'>, json: boolean, run: RunDefinition): Command {
  const program = createProgram(streams, json);
  for (const d of COMMANDS) register(program, d, run);
  return program;
}

/** An http(s) URL, checked as it is read (exit 2), not when the first call fails. */
function endpointUrl(text: string): string {
  return checkedUrl(text, '--endpoint-url', 'http://localhost:4566');
}

/** A number of seconds above 0 and at most an hour: a timeout that never ends is what these options prevent. */
function seconds(flag: string): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0) || value > 3600) throw new UsageError(`invalid ${flag} '${text}': expected seconds, more than 0 and at most 3600, e.g. 10 or 2.5`);
    return value;
  };
}

/** `--env NAME`, parsed into the env's names as it is read: a bad name is exit 2 before anything else. */
function envOption(mandatory: boolean): Option {
  const env = parsedLater(new Option('-e, --env <name>', `environment name (lowercase, digits, hyphens; at most ${MAX_ENV_LENGTH})`), (text) => namesFor(text));
  return mandatory ? env.makeOptionMandatory() : env;
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What an option's parser refused, kept for `checkInput` (which first checks whether the option may be given at all). */
const refusedValues = new WeakMap<Option, unknown>();

/** The option's value parsed as it is read; a refusal is kept (the text stands in) and raised by `checkInput`. */
function parsedLater(option: Option, parse: (text: string, previous: unknown) => unknown): Option {
  return option.argParser((text: string, previous: unknown) => {
    try {
      return parse(text, previous);
    } catch (error) {
      if (!refusedValues.has(option)) refusedValues.set(option, error);
      return text;
    }
  });
}

/** Commander options for one spec: `--no-x` for negatable ones, `--x` and `--no-x` for tristates. */
function commanderOptions(key: string, spec: OptionSpec<unknown>): Option[] {
  const flag = flagOf(key);
  const short = spec.short ? `-${spec.short}, ` : '';
  // Defaults are applied by `valuesOf`, and shown here only where they say something ("(default: 60)").
  const shown = spec.defaultHelp ?? (typeof spec.default === 'number' || typeof spec.default === 'string' ? String(spec.default) : undefined);
  const help = shown ? `${spec.help} (default: ${shown})` : spec.help;
  const main = describeOption(new Option(`${short}${spec.negatable && spec.default === true ? flag.replace(/^--/, '--no-') : flag}${spec.value ? ` <${spec.value}>` : ''}`, help), spec.help, shown);
  const parse = spec.parse?.bind(spec);
  if (parse) parsedLater(main, (text, previous) => parse(text, flag, previous));
  if (spec.negatable && spec.default === undefined) return [new Option(flag, spec.help), new Option(flag.replace(/^--/, '--no-'), spec.helpOff ?? `not ${flag}`)];
  return [main];
}

/** Adds a command (and its subcommands) from its definition. */
export function register(parent: Command, d: CommandDefinition, run: RunDefinition): Command {
  const cmd = parent.command(d.name).description(d.summary);
  // A subcommand's help lists tap's global options, not its parent's own (which it refuses).
  const own = new Set(Object.keys(definitions.get(parent)?.options ?? {}));
  if (own.size && d.env === 'none') own.add('env'); // and one that names its replay takes no --env
  if (own.size) cmd.configureHelp(helpSettings({ visibleGlobalOptions: (c) => parent.options.filter((o) => !own.has(o.attributeName())).concat(c.parent?.parent?.options ?? []).filter((o) => !o.hidden) }));
  for (const alias of d.aliases ?? []) cmd.alias(alias);
  // An argument with choices is optional to commander: `checkInput` refuses it missing too, naming the choices.
  for (const a of d.args ?? []) cmd.argument(a.choices ? `[${a.name}]` : `<${a.name}>`, a.help);
  if (d.args?.some((a) => a.choices)) cmd.usage(`[options] ${d.args.map((a) => `<${a.name}>`).join(' ')}`);
  if (d.env === 'required' || d.env === 'optional') cmd.addOption(envOption(d.env === 'required'));
  for (const [key, spec] of Object.entries(d.options)) for (const o of commanderOptions(key, spec)) cmd.addOption(o);
  // As wide as commander draws the options: the terminal's width, 80 in a pipe.
  cmd.addHelpText('after', (context) => (isJson(context.command) ? '' : helpAfter(d, context.command.configureOutput().getOutHelpWidth?.() ?? 80)));
  // A command with subcommands takes no argument of its own: a stray word is an unknown subcommand (checkInput).
  if (d.subcommands?.length) cmd.allowExcessArguments(true);
  cmd.action((...parsed: unknown[]) => run(d, parsed.at(-1) as Command));
  definitions.set(cmd, d);
  for (const sub of d.subcommands ?? []) register(cmd, sub, run);
  return cmd;
}

const definitions = new WeakMap<Command, CommandDefinition>();

/** The definition a command was registered from (none for the program and commander's `help`). */
export const definitionOf = (cmd: Command): CommandDefinition | undefined => definitions.get(cmd);

/** The parsed values of a definition's options, with its defaults, and its positional arguments by name. */
export function valuesOf(d: CommandDefinition, cmd: Command): { values: Record<string, unknown>; args: Record<string, string> } {
  const given = cmd.opts<Record<string, unknown>>();
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(d.options)) values[key] = given[key] ?? spec.default;
  const args = Object.fromEntries((d.args ?? []).map((a, i) => [a.name, cmd.args[i] ?? '']));
  return { values, args };
}

/** Global options that cannot be given together. */
const GLOBAL_CONFLICTS = [['quiet', 'verbose']] as const;

/**
 * Refuses input that commander lets through (exit 2), before anything runs: a word that names no
 * subcommand, a parent's own option given to a subcommand (`replay-archive list --from`; --env is
 * tap's), options that cannot be given together (the definition's `conflicts`, and the global ones),
 * and then a value an option's parser refused (so `list --from 1h` says --from is not list's option).
 */
export function checkInput(d: CommandDefinition, cmd: Command): void {
  const path = commandPath(cmd);
  const hint = { hint: `see \`tap ${path} --help\`` };
  const subcommands = (d.subcommands ?? []).map((s) => s.name);
  if (subcommands.length && cmd.args.length) {
    throw new UsageError(`unknown subcommand '${cmd.args[0]}' (expected ${either(subcommands)})`, hint);
  }
  for (const [i, a] of (d.args ?? []).entries()) {
    const given = cmd.args[i];
    if (a.choices && !a.choices.includes(given ?? '')) throw new UsageError(`${given === undefined ? `no ${a.name} given` : `unknown ${a.name} '${given}'`} (expected ${either(a.choices)})`, hint);
  }
  const parent = cmd.parent ? definitions.get(cmd.parent) : undefined;
  const parentOwn = [...Object.keys(parent?.options ?? {}), ...(d.env === 'none' && parent?.env && parent.env !== 'none' ? ['env'] : [])];
  const foreign = parentOwn.filter((key) => cmd.parent?.getOptionValueSource(key) === 'cli');
  if (parent && foreign.length) throw new UsageError(`${foreign.map(flagOf).join(', ')}: not an option of \`tap ${path}\``, hint);
  const sets = [...(d.conflicts ?? []).map((set) => set.map((key) => ({ key, source: cmd.getOptionValueSource(key) }))), ...GLOBAL_CONFLICTS.map((set) => set.map((key) => ({ key, source: cmd.getOptionValueSourceWithGlobals(key) })))];
  for (const set of sets) {
    const given = set.filter((o) => o.source === 'cli');
    if (given.length > 1) throw new UsageError(`${given.map((o) => flagOf(o.key)).join(' and ')} cannot be given together`, hint);
  }
  for (let c: Command | null = cmd; c; c = c.parent) for (const o of c.options) if (refusedValues.has(o)) throw refusedValues.get(o);
}

/** `a, b or c`. */
const either = (words: readonly string[]): string => `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** `replay-archive list`: the command's words below `tap`. */
export function commandPath(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
