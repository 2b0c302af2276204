import { Command, Option } from 'commander';
import type { CommandDefinition, OptionSpec } from './command.js';
import { UsageError } from './errors.js';
import type { Streams } from './io/types.js';
import { MAX_ENV_LENGTH, namesFor } from './stack/naming.js';
import { VERSION } from './version.js';

/** What registration needs from the CLI: how to run a definition once commander has parsed it. */
export type RunDefinition = (definition: CommandDefinition, command: Command) => Promise<void>;

const EXAMPLES = `
Examples:
  $ tap synth --env dev                      summary of the template, offline
  $ tap synth --env dev --out cdk.out        write TapStack-dev.template.json
  $ tap diff --env staging --fail            exit 1 when staging differs from the code
  $ tap deploy --env staging                 change-set deploy with live progress
  $ tap verify --env ci --junit report.xml   post-deploy checks with an end-to-end canary
  $ tap status --env prod                    is the env healthy? (exit 1 when anything is red)
  $ tap trace --env prod --faults --detail   X-Ray traces of the env, as waterfalls
  $ tap replay --env prod --from "2h ago"    replay archived events, with proof of processing
  $ tap destroy --env dev                    confirmed teardown

Exit codes: 0 ok, 1 the job failed, 2 bad input or usage, 3 AWS access or environment problem, 130 interrupted, 143 terminated.`;

/** The program with its global options; commands are added by `register`. */
export function createProgram(streams: Streams, quietErrors: boolean): Command {
  // Settings before the subcommands: commander copies them into each subcommand as it is created.
  return new Command('tap')
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => quietErrors || streams.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .description('Deploy, verify and diagnose the tap serverless stack (API Gateway, Lambda, EventBridge, X-Ray) on AWS.')
    .version(VERSION, '-V, --version')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE)')
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)').argParser(endpointUrl))
    .option('--config <file>', 'settings per env (default: tap.config.json in this directory or a parent)')
    .option('--json', 'one JSON object per line on stdout: progress events, then the result or the error')
    .option('--no-color', 'no colours (also when NO_COLOR is set)')
    .option('--verbose', 'print debug messages and stack traces')
    .option('--quiet', 'print only warnings, errors and the result')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);
}

/** An http(s) URL, checked as it is read (exit 2), not when the first call fails. */
function endpointUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new UsageError(`invalid --endpoint-url '${text}': expected an http:// or https:// URL, e.g. http://localhost:4566`);
  return text;
}

/** `--env NAME`, parsed into the env's names as it is read: a bad name is exit 2 before anything else. */
function envOption(mandatory: boolean): Option {
  const env = new Option('-e, --env <name>', `environment name (lowercase, digits, hyphens; at most ${MAX_ENV_LENGTH})`).argParser((text) => namesFor(text));
  return mandatory ? env.makeOptionMandatory() : env;
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Commander options for one spec: `--no-x` for negatable ones, `--x` and `--no-x` for tristates. */
function commanderOptions(key: string, spec: OptionSpec<unknown>): Option[] {
  const flag = flagOf(key);
  const short = spec.short ? `-${spec.short}, ` : '';
  // Defaults are applied by `valuesOf`, and shown here only where they say something ("(default: 60)").
  const shown = spec.defaultHelp ?? (typeof spec.default === 'number' || typeof spec.default === 'string' ? String(spec.default) : undefined);
  const help = shown ? `${spec.help} (default: ${shown})` : spec.help;
  const main = new Option(`${short}${spec.negatable && spec.default === true ? flag.replace(/^--/, '--no-') : flag}${spec.value ? ` <${spec.value}>` : ''}`, help);
  const parse = spec.parse?.bind(spec);
  if (parse) main.argParser((text: string, previous: unknown) => parse(text, flag, previous));
  if (spec.negatable && spec.default === undefined) return [new Option(flag, spec.help), new Option(flag.replace(/^--/, '--no-'), spec.helpOff ?? `not ${flag}`)];
  return [main];
}

function helpAfter(d: CommandDefinition): string {
  return [
    '',
    'Examples:',
    ...d.examples.map((e) => `  $ ${e}`),
    ...(d.notes ? ['', d.notes] : []),
    '',
    `AWS permissions: ${d.permissions}`,
  ].join('\n');
}

/** Adds a command (and its subcommands) from its definition. */
export function register(parent: Command, d: CommandDefinition, run: RunDefinition): Command {
  const cmd = parent.command(d.name).description(d.summary);
  // A subcommand's help lists tap's global options, not its parent's own (which it refuses).
  const own = new Set(Object.keys(definitions.get(parent)?.options ?? {}));
  if (own.size) cmd.configureHelp({ showGlobalOptions: true, visibleGlobalOptions: (c) => parent.options.filter((o) => !own.has(o.attributeName())).concat(c.parent?.parent?.options ?? []).filter((o) => !o.hidden) });
  for (const alias of d.aliases ?? []) cmd.alias(alias);
  for (const a of d.args ?? []) cmd.argument(`<${a.name}>`, a.help);
  if (d.env === 'required' || d.env === 'optional') cmd.addOption(envOption(d.env === 'required'));
  for (const [key, spec] of Object.entries(d.options)) for (const o of commanderOptions(key, spec)) cmd.addOption(o);
  cmd.addHelpText('after', helpAfter(d));
  cmd.action((...parsed: unknown[]) => run(d, parsed.at(-1) as Command));
  definitions.set(cmd, d);
  for (const sub of d.subcommands ?? []) register(cmd, sub, run);
  return cmd;
}

const definitions = new WeakMap<Command, CommandDefinition>();

/** The parsed values of a definition's options, with its defaults, and its positional arguments by name. */
export function valuesOf(d: CommandDefinition, cmd: Command): { values: Record<string, unknown>; args: Record<string, string> } {
  const given = cmd.opts<Record<string, unknown>>();
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(d.options)) values[key] = given[key] ?? spec.default;
  const args = Object.fromEntries((d.args ?? []).map((a, i) => [a.name, cmd.args[i] ?? '']));
  return { values, args };
}

/**
 * The first set of options of `d.conflicts` that were given together, as flags. A subcommand given
 * one of its parent's own options (`replay-archive list --from`; --env is tap's) throws a UsageError.
 */
export function conflicting(d: CommandDefinition, cmd: Command): string[] | undefined {
  const parent = cmd.parent ? definitions.get(cmd.parent) : undefined;
  const foreign = Object.keys(parent?.options ?? {}).filter((key) => cmd.parent?.getOptionValueSource(key) === 'cli');
  if (parent && foreign.length) throw new UsageError(`${foreign.map(flagOf).join(', ')}: not an option of \`tap ${parent.name} ${d.name}\``, { hint: `see \`tap ${parent.name} ${d.name} --help\`` });
  for (const set of d.conflicts ?? []) {
    const given = set.filter((key) => cmd.getOptionValueSource(key) === 'cli');
    if (given.length > 1) return given.map(flagOf);
  }
  return undefined;
}

/** `replay-archive list`: the command's words below `tap`. */
export function commandPath(cmd: Command): string {
  const words: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}
