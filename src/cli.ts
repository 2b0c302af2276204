import { type Command, CommanderError } from 'commander';
import { checkAccount } from './aws/account.js';
import { AwsClients } from './aws/clients.js';
import { NETWORK_DEFAULTS, networkFetch } from './aws/network.js';
import { awsSetup } from './aws/setup.js';
import type { CommandDefinition } from './command.js';
import { abortableSleep, type Deps } from './deps.js';
import { EXIT, interruption, type StopSignal, toTapError, untilInterrupted, UsageError } from './errors.js';
import { githubActions } from './io/github.js';
import { createReporter } from './io/reporter.js';
import type { Io, Streams } from './messages/types.js';
import { findConfig, loadConfig } from './config.js';
import { checkInput, tapProgram, valuesOf } from './program.js';
import type { EnvNames } from './stack/naming.js';
import { cacheDir } from './stack/synth-cache.js';

/** Options every command takes. */
interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  connectTimeout?: number;
  readTimeout?: number;
  config?: string;
  json?: boolean;
  color: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** What tests replace: the process handles, the AWS factory, time. */
export interface Overrides {
  readonly streams?: Streams;
  readonly aws?: (config: ConstructorParameters<typeof AwsClients>[0]) => AwsClients;
  readonly clock?: () => Date;
  readonly sleep?: Deps['sleep'];
  /** Stands in for Ctrl-C and SIGTERM (its reason 'SIGINT' or 'SIGTERM'). @default aborted by those signals */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

/** Runs tap with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], overrides: Overrides = {}): Promise<number> {
  const streams: Streams = overrides.streams ?? { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  // Read before parsing, so that a parse error is reported in the format asked for.
  const json = argv.includes('--json');
  let io: Io | undefined;
  let verbose = argv.includes('--verbose');
  let code: number = EXIT.ok;
  // Ctrl-C and SIGTERM abort the signal instead of killing the process: until a command claims them
  // (before its first write), the command ends at once; after, it says what it left running.
  // The handlers stay installed for the whole run (a once-handler would be gone while the signal is
  // still being handled, and signal-exit, which ora brings, would then re-raise it and kill tap). A
  // second Ctrl-C ends tap at once; a second SIGTERM is ignored: `timeout` signals tap and then its
  // process group, so tap gets it twice.
  const interrupt = new AbortController();
  const stop = (name: StopSignal) => (): void => {
    if (!interrupt.signal.aborted) interrupt.abort(name);
    else if (name === 'SIGINT') process.exit(EXIT.interrupted);
  };
  const onSigint = stop('SIGINT');
  const onSigterm = stop('SIGTERM');
  const signal = overrides.signal ?? interrupt.signal;
  if (!overrides.signal) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
  let claimed = false;
  const claimInterrupts = (): void => {
    if (signal.aborted) throw interruption(signal);
    claimed = true;
  };

  /** Deps and the reporter for the command `cmd`, from the global options and the env's settings in tap.config.json. */
  const setUp = async (cmd: Command, d: CommandDefinition): Promise<Deps> => {
    const g = cmd.optsWithGlobals<GlobalOptions & { env?: EnvNames }>();
    verbose = g.verbose ?? false;
    io = await createReporter(streams, { json: g.json ?? false, color: g.color, verbose, quiet: g.quiet ?? false, signal });
    const envName = g.env?.env;
    const file = g.config ?? findConfig(process.cwd());
    const loaded = file ? loadConfig(file) : undefined; // a file found is checked even when no env is named
    const settings = loaded && envName ? loaded.settingsFor(envName) : {};
    const reporter = io;
    // --profile NAME acts as AWS_PROFILE=NAME does: awsSetup reads the profile's region, endpoint_url,
    // ca_bundle and retry settings, and the one credential chain is given the name.
    // An offline command needs no profile: reading one loads the SDK's config loader (~40 ms).
    const readProfile = !d.offline || d.showsAwsSetup === true;
    const { config: found, resolvedRegion, setup } = await awsSetup(g, streams.env, settings.region, (m) => reporter.notify(m), readProfile);
    reporter.notify({ level: 'debug', code: 'aws.setup', data: setup });
    // A profile with mfa_serial: the code is asked for on the terminal (once: the clients share one credential chain).
    const config = { ...found, ...(reporter.interactive ? { mfaCode: (serial: string) => askMfaCode(reporter, serial) } : {}) };
    const deps: Deps = {
      aws: overrides.aws ? overrides.aws(config) : new AwsClients(config),
      io,
      clock: overrides.clock ?? (() => new Date()),
      sleep: overrides.sleep ?? abortableSleep(signal),
      signal,
      claimInterrupts,
      settings: { ...settings, resolvedRegion, aws: setup },
      cacheDir: cacheDir(streams.env),
      fetch: overrides.fetch ?? networkFetch(config.network ?? NETWORK_DEFAULTS),
    };
    return deps;
  };

  const runDefinition = async (d: CommandDefinition, cmd: Command): Promise<void> => {
    checkInput(d, cmd);
    const { values, args } = valuesOf(d, cmd);
    const env = cmd.optsWithGlobals<{ env?: EnvNames }>().env;
    const input = { ...values, env, args } as Parameters<CommandDefinition['run']>[0];
    const deps = await setUp(cmd, d);
    const work = async (): Promise<unknown> => {
      if (env && !d.offline) await checkAccount(deps, env.env, d.writes ? 'refuse' : 'warn');
      return d.run(input, deps);
    };
    const result = await untilInterrupted(work(), signal, () => claimed);
    // GitHub's side channels before the result, so that the result stays the last line; best-effort.
    const gh = githubActions(streams);
    try {
      if (gh) d.github?.(result, gh);
    } catch (error) {
      deps.io.notify({ level: 'warn', code: 'github.write', data: { error: (error as Error).message } });
    }
    deps.io.result(result, (r, style) => d.render(r, style));
    code = d.exitCode?.(result, input) ?? EXIT.ok;
  };
  const program = tapProgram(streams, json, runDefinition);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return signal.reason === 'SIGTERM' ? EXIT.terminated : code;
  } catch (error) {
    // --help and --version end here with 0; `tap` alone has had its help on stderr (a person's; --json says so).
    if (error instanceof CommanderError && (error.exitCode === 0 || (error.code === 'commander.help' && !json))) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const parseMessage = (e: CommanderError): string => (e.code === 'commander.help' ? 'no command given' : e.message.replace(/^error: /, ''));
    const tapError = error instanceof CommanderError ? new UsageError(parseMessage(error), { hint: 'run with --help for usage' }) : toTapError(error);
    const exitCode = signal.reason === 'SIGTERM' ? EXIT.terminated : tapError.exitCode;
    const reporter = io ?? (await createReporter(streams, { json, color: !argv.includes('--no-color'), verbose, quiet: false }));
    reporter.close();
    const detail = verbose && tapError.cause instanceof Error ? tapError.cause.stack : undefined;
    reporter.fail({ error: tapError.name, code: signal.reason === 'SIGTERM' ? 'Interrupted' : tapError.code, message: tapError.message, hint: tapError.hint, exitCode, detail });
    return exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
    io?.close();
  }
}

/** The code of an MFA device: six digits (STS's TokenCode), asked for on the terminal; anything else is refused before STS is called. */
async function askMfaCode(io: Io, serial: string): Promise<string> {
  const code = (await io.ask(`MFA code for ${serial}:`)).trim();
  if (!/^\d{6}$/.test(code)) throw new UsageError(`an MFA code is the six digits ${serial} shows, not '${code}'`);
  return code;
}
