import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTap } from './helpers/run-tap.js';

// The command surface: what every command's help shows, and the --json contract on every way out.
const help = await runTap(['--help']);
const listed = help.stdout.slice(help.stdout.indexOf('Commands:'), help.stdout.indexOf('Examples:'));
const COMMANDS = [...listed.matchAll(/^ {2}([a-z-]+)(?:\|[a-z]+)? /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
const GLOBAL = ['--json', '--region', '--profile', '--endpoint-url', '--no-color', '--verbose', '--quiet'];

describe('help', () => {
  it('lists every command', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['synth', 'diff', 'deploy', 'verify', 'replay-archive', 'trace', 'status', 'list', 'destroy']));
  });

  it.each(COMMANDS)('tap %s --help shows the global options it takes, and no default twice or for a flag', async (command) => {
    const r = await runTap([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Global Options:');
    for (const flag of GLOBAL) expect(r.stdout).toContain(`  ${flag}`);
    expect(r.stdout).not.toContain('(default: false)');
    expect(r.stdout).not.toMatch(/\(default: [^)]*\)\s*\(default:/);
  });
});

describe('--json: one JSON object per line on stdout, the last one the result or the error, nothing on stderr', () => {
  const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it.each(COMMANDS.filter((c) => c !== 'list'))('%s: an unknown option and a missing --env are errors in JSON (exit 2)', async (command) => {
    for (const args of [[command, '--env', 'dev', '--bogus', '--json'], [command, '--json']]) {
      const r = await runTap(args);
      if (command === 'replay-archive' && args.length === 2) continue; // its subcommands take --env too; checked below
      expect([args, r.code, r.stderr]).toEqual([args, 2, '']);
      expect(lines(r.stdout)).toEqual([{ kind: 'error', error: 'UsageError', code: 'BadInput', message: expect.any(String), hint: expect.any(String), exitCode: 2 }]);
    }
  });

  it('list: an unknown option is an error in JSON', async () => {
    const r = await runTap(['list', '--bogus', '--json']);
    expect([r.code, r.stderr, lines(r.stdout)]).toEqual([2, '', [expect.objectContaining({ kind: 'error', message: "unknown option '--bogus'" })]]);
  });

  it('a result is one line', async () => {
    const r = await runTap(['synth', '--env', 'dev', '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([expect.objectContaining({ kind: 'synthesized' })]);
  });
});

describe('input is checked before the AWS setup', () => {
  it('tap diff --env Bad_Env with no region: exit 2 for the name, not 3', async () => {
    const r = await runTap(['diff', '--env', 'Bad_Env'], { env: { AWS_REGION: '' } });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/invalid env name 'Bad_Env'/)]);
  });

  it("a subcommand refuses its parent's options: replay-archive list --from", async () => {
    const r = await runTap(['replay-archive', 'list', '--env', 'dev', '--from', '1h ago']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--from: not an option of `tap replay-archive list`/)]);
    // --env is tap's, which every replay-archive subcommand takes (status and cancel: to check the replay is the env's).
    const named = await runTap(['replay-archive', 'status', 'dev-replay-1', '--env', 'dev', '--to', 'now']);
    expect([named.code, named.stderr]).toEqual([2, expect.stringMatching(/--to: not an option of `tap replay-archive status`/)]);
    // ...even when its value would be refused too: which options a command takes is said first.
    const bad = await runTap(['replay-archive', 'list', '--env', 'dev', '--from', '1h']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--from: not an option of `tap replay-archive list`/)]);
    const help = await runTap(['replay-archive', 'list', '--help']);
    expect(help.stdout).not.toContain('--from');
    expect(help.stdout).toContain('--env');
    expect(help.stdout).toContain('--json');
  });

  it('options that cannot go together are said before a bad value of one of them', async () => {
    const r = await runTap(['trace', '--env', 'dev', '--id', 'abc', '--follow']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--id and --follow cannot be given together/)]);
    const alone = await runTap(['trace', '--env', 'dev', '--id', 'abc']);
    expect([alone.code, alone.stderr]).toEqual([2, expect.stringMatching(/invalid --id 'abc'/)]);
  });

  it('--endpoint-url that is not an http(s) URL: exit 2, naming the option', async () => {
    const r = await runTap(['list', '--endpoint-url', 'notaurl', '--json']);
    expect([r.code, JSON.parse(r.stdout)]).toEqual([2, expect.objectContaining({ kind: 'error', message: "invalid --endpoint-url 'notaurl': expected an http:// or https:// URL, e.g. http://localhost:4566" })]);
  });

  it('no command under --json: the error says so', async () => {
    const r = await runTap(['--json']);
    expect([r.code, JSON.parse(r.stdout.trim().split('\n').at(-1)!)]).toEqual([2, expect.objectContaining({ kind: 'error', message: 'no command given' })]);
  });

  it('replay-archive says which of --env and --from is missing', async () => {
    const r = await runTap(['replay-archive', '--env', 'dev', '--to', '1h ago']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/replay-archive needs --from \(or a subcommand/)]);
  });

  it('a list option with no item: exit 2', async () => {
    const r = await runTap(['verify', '--env', 'dev', '--only', ' , ']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/invalid --only ' , ': expected a comma-separated list/)]);
  });

  it('verify --only/--skip that leave no check: exit 2', async () => {
    const r = await runTap(['verify', '--env', 'dev', '--only', 'dlq', '--skip', 'dlq,stack']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--only and --skip leave no check to run/)]);
  });
});

describe('help and errors that tell all', () => {
  const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it.each(COMMANDS)('tap %s --help lists its exit codes; under --json help is one JSON line', async (command) => {
    const text = await runTap([command, '--help']);
    // A meaning longer than the line goes on under itself.
    expect(text.stdout).toMatch(/\nExit codes:\n {2}0 +\S.*\n(?: {2}\d+ +\S.*\n| {5,}\S.*\n)* {2}2 +bad input/);
    expect(Math.max(...text.stdout.split('\n').filter((l) => !l.startsWith('  $ ')).map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(text.stdout).toContain('  143  terminated (SIGTERM)');
    const json = await runTap([command, '--help', '--json']);
    expect([json.code, json.stderr]).toEqual([0, '']);
    const [help, ...rest] = lines(json.stdout);
    expect(rest).toEqual([]);
    expect(help).toMatchObject({ kind: 'help', command: `tap ${command}`, usage: expect.any(String), options: expect.any(Array), examples: expect.any(Array), exitCodes: expect.objectContaining({ 0: expect.any(String), 2: expect.any(String) }) });
  });

  it('tap --json --help lists the commands; --json --version is one JSON line', async () => {
    const help = lines((await runTap(['--json', '--help'])).stdout);
    expect(help).toEqual([expect.objectContaining({ kind: 'help', command: 'tap', commands: expect.arrayContaining([expect.objectContaining({ name: 'deploy' })]) })]);
    const version = await runTap(['--json', '--version']);
    expect([version.code, lines(version.stdout)]).toEqual([0, [{ kind: 'version', version: expect.stringMatching(/^\d+\.\d+\.\d+/) }]]);
    expect((await runTap(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('an option from the definition shows its help and default in JSON', async () => {
    const help = lines((await runTap(['trace', '--help', '--json'])).stdout)[0] as { options: { flags: string; help: string; default?: string }[] };
    expect(help.options).toContainEqual({ flags: '--limit <n>', help: 'at most this many traces, newest first', default: '20' });
  });

  it('replay-archive <word>: an unknown subcommand, exit 2, also under --json', async () => {
    const r = await runTap(['replay-archive', 'bogus']);
    expect([r.code, r.stderr]).toEqual([2, "✖ unknown subcommand 'bogus' (expected list, status or cancel)\n  hint: see `tap replay-archive --help`\n"]);
    const j = await runTap(['replay-archive', 'bogus', '--json']);
    expect([j.code, lines(j.stdout)]).toEqual([2, [expect.objectContaining({ kind: 'error', message: "unknown subcommand 'bogus' (expected list, status or cancel)" })]]);
  });

  it('--quiet with --verbose: refused, exit 2', async () => {
    const r = await runTap(['list', '--quiet', '--verbose']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^✖ --quiet and --verbose cannot be given together\n/)]);
  });

  it("commander's parse errors look like tap's: red on a terminal, plain in a pipe or with NO_COLOR", async () => {
    const tty = await runTap(['list', '--bogus'], { tty: true });
    expect([tty.code, tty.stderr]).toEqual([2, expect.stringMatching(/^\u001b\[31m✖\u001b\[39m \u001b\[31munknown option '--bogus'.*\n.*hint: run with --help for usage/)]);
    const pipe = await runTap(['list', '--bogus']);
    expect(pipe.stderr).toBe("✖ unknown option '--bogus'\n  hint: run with --help for usage\n");
    expect((await runTap(['list', '--bogus'], { tty: true, env: { NO_COLOR: '1' } })).stderr).toBe(pipe.stderr);
  });
});

describe('the README matches --help', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = (c: string) => {
    const rest = readme.slice(readme.search(new RegExp(`^### \`tap ${c}\``, 'm')) + 4);
    return rest.slice(0, rest.search(/^##+ /m));
  };
  it.each(COMMANDS)("every option of tap %s --help is in the command's README section", async (command) => {
    const help = JSON.parse((await runTap([command, '--help', '--json'])).stdout) as { options: { flags: string }[] };
    const flags = help.options.map((o) => /--[a-z-]+/.exec(o.flags)?.[0] ?? '').filter((f) => f !== '--help');
    expect(flags.filter((f) => !section(command).includes(f))).toEqual([]);
  });
});
