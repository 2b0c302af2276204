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
      expect(lines(r.stdout)).toEqual([{ kind: 'error', error: 'UsageError', message: expect.any(String), hint: expect.any(String), exitCode: 2 }]);
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
    const help = await runTap(['replay-archive', 'list', '--help']);
    expect(help.stdout).not.toContain('--from');
    expect(help.stdout).toContain('--env');
    expect(help.stdout).toContain('--json');
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
