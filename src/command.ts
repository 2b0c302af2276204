import type { Deps } from './deps.js';
import { type ExitCode, UsageError } from './errors.js';
import type { GitHubActions } from './io/github.js';
import type { Style } from './messages/types.js';
import type { EnvNames } from './stack/naming.js';
import { type Instant, parseDuration, parseInstant } from './time.js';

export type { Instant } from './time.js';

/**
 * How a command defines itself (in the manner of wrangler's `createCommand`): its name, options with
 * their parsers and defaults, help, examples, permissions, and `run`/`render`/`exitCode`. `cli.ts`
 * only registers definitions. The options `run` receives are typed from the definition, already
 * parsed, with `--env` turned into the env's names.
 */
export interface OptionSpec<T> {
  /** The value's name in help (`--timeout <seconds>`); none for a flag. */
  readonly value?: string;
  readonly help: string;
  /** Turns the text given into the value, or throws a UsageError; `previous` for repeatable options. */
  parse?(text: string, flag: string, previous: T | undefined): T;
  /** The value when the option is not given (commander shows it in help unless `defaultHelp` says it). */
  readonly default?: T;
  /** How help names the default when the value itself would not say it, e.g. "now". */
  readonly defaultHelp?: string;
  /** `--no-<name>`: true unless given. */
  readonly negatable?: boolean;
  /** A tristate's help for `--no-<name>`. */
  readonly helpOff?: string;
  /** A one-letter alias, e.g. 'y' for --yes. */
  readonly short?: string;
  /** The values it takes, for shell completion (the command still checks them); `list`: comma-separated. */
  readonly choices?: Choices;
}

/** Values given as they are, or read when asked (a list that would cost every run a module load to build). */
export interface Choices {
  readonly values: readonly string[] | (() => Promise<readonly string[]>);
  readonly list?: boolean;
}

type Options = Record<string, OptionSpec<unknown>>;
type Values<O extends Options> = { -readonly [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never };

/** What `run` receives: the parsed options, the env's names when the command takes --env, and positional arguments. */
export type Input<O extends Options, E extends EnvMode> = Values<O> & (E extends 'required' ? { env: EnvNames } : E extends 'optional' | 'inherited' ? { env?: EnvNames } : unknown) & {
  args: Record<string, string | undefined>;
};
/** `inherited`: a subcommand that reads its parent's --env (`tap replay-archive list --env prod`). */
export type EnvMode = 'required' | 'optional' | 'inherited' | 'none';

export interface CommandDefinition<O extends Options = Options, E extends EnvMode = EnvMode, R = unknown> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for `tap --help`. */
  readonly summary: string;
  /** Whether the command takes `--env NAME` (parsed once into the env's names). */
  readonly env: E;
  /** Positional arguments, in order; one with `choices` is refused unless it is one of them, also when missing (exit 2). */
  readonly args?: readonly { readonly name: string; readonly help: string; readonly choices?: readonly string[] }[];
  readonly options: O;
  /** Writes to AWS: refused when tap.config.json pins the env to another account (read-only commands warn). */
  readonly writes?: boolean;
  /** Makes no AWS call at all (synth, config): the account pin is not checked, the AWS profile not read. */
  readonly offline?: boolean;
  /** An offline command that shows the AWS setup (`tap config`): the profile is read all the same. */
  readonly showsAwsSetup?: boolean;
  /** Sets of options that cannot be given together (exit 2); `defineCommand` checks the names. */
  readonly conflicts?: readonly (readonly string[])[];
  /** `tap ...  # what it does`. */
  readonly examples: readonly string[];
  /** Extra help paragraphs (behaviour). */
  readonly notes?: string;
  /**
   * What the command's exit codes mean for it, where that says more than the common meaning (help lists
   * 0, 2, 130, 143 for every command, and 1 and 3 for every command that calls AWS). @default the common meanings
   */
  readonly exits?: Readonly<Partial<Record<ExitCode, string>>>;
  /** The IAM actions the command needs, for help and the README. */
  readonly permissions: string;
  // Methods, not function properties: any definition is then a CommandDefinition for registration.
  run(input: Input<O, E>, deps: Deps): Promise<R>;
  render(result: R, style: Style): string;
  /** @default 0 */
  exitCode?(result: R, input: Input<O, E>): number;
  /** Under GitHub Actions (`GITHUB_ACTIONS=true`): annotations, the job summary, step outputs. */
  github?(result: R, gh: GitHubActions): void;
  /** Subcommands, which take this command's --env. */
  readonly subcommands?: readonly CommandDefinition[];
}

/** Types a command's definition (the identity at run time). */
export function defineCommand<O extends Options, E extends EnvMode, R>(
  definition: CommandDefinition<O, E, R> & { readonly conflicts?: readonly (readonly (keyof O & string)[])[] },
): CommandDefinition<O, E, R> {
  return definition;
}


/** A whole number within [min, max]. */
function int(value: string, help: string, range: { min: number; max: number; default: number }): OptionSpec<number>;
function int(value: string, help: string, range: { min: number; max: number }): OptionSpec<number | undefined>;
function int(value: string, help: string, range: { min: number; max: number; default?: number }): OptionSpec<number> | OptionSpec<number | undefined> {
  return {
    value,
    help,
    default: range.default,
    parse: (text, flag) => {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < range.min || n > range.max) throw new UsageError(`invalid ${flag} '${text}': a whole number from ${range.min} to ${range.max}`);
      return n;
    },
  };
}

/** `90s`, `30m`, `6h`, `2d`, as milliseconds. */
function duration(help: string, more: { default: string }): OptionSpec<number>;
function duration(help: string): OptionSpec<number | undefined>;
function duration(help: string, more: { default?: string } = {}): OptionSpec<number> | OptionSpec<number | undefined> {
  return {
    value: 'duration',
    help,
    parse: (text, flag) => parseDuration(text, flag),
    default: more.default === undefined ? undefined : parseDuration(more.default, 'default'),
    defaultHelp: more.default,
  };
}

/** Option builders: each parses its text with one error format, `invalid --flag 'text': what was expected`. */
export const option = {
  /** `--name`: false unless given. */
  flag: (help: string, more: { short?: string } = {}): OptionSpec<boolean> => ({ help, default: false, ...more }),
  /** `--no-name`: true unless `--no-name` is given. */
  negatable: (help: string): OptionSpec<boolean> => ({ help, negatable: true, default: true }),
  /** `--name` or `--no-name`; undefined when neither is given (then the command leaves the setting as it is). */
  tristate: (help: string, helpOff: string): OptionSpec<boolean | undefined> => ({ help, negatable: true, helpOff }),
  string: (value: string, help: string, more: { short?: string; check?: (text: string, flag: string) => void } = {}): OptionSpec<string | undefined> => ({
    value,
    help,
    short: more.short,
    parse: (text, flag) => (more.check?.(text, flag), text),
  }),
  int,
  duration,
  /** ISO 8601 (UTC when no zone), `now`, or a duration ago (`2h ago`). */
  time: (help: string, more: { defaultHelp?: string } = {}): OptionSpec<Instant | undefined> => ({
    value: 'time',
    help,
    defaultHelp: more.defaultHelp,
    parse: (text, flag) => {
      parseInstant(text, flag, new Date()); // the syntax is checked now, the time when the command runs
      return { text, at: (now: Date) => parseInstant(text, flag, now) };
    },
  }),
  /** Comma-separated values, checked by the command (which knows the valid ones; `choices` only completes them). */
  csv: (value: string, help: string, more: { choices?: Choices['values'] } = {}): OptionSpec<string[] | undefined> => ({
    value,
    help,
    ...(more.choices ? { choices: { values: more.choices, list: true } } : {}),
    parse: (text, flag) => {
      const items = text.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw new UsageError(`invalid ${flag} '${text}': expected a comma-separated list`);
      return items;
    },
  }),
  /** Given any number of times; each value checked by `check`. */
  repeatable: (value: string, help: string, more: { short?: string; check?: (text: string, flag: string) => void } = {}): OptionSpec<string[]> => ({
    value,
    help: `${help} (repeatable)`,
    short: more.short,
    default: [],
    parse: (text, flag, previous) => (more.check?.(text, flag), [...(previous ?? []), text]),
  }),
};
