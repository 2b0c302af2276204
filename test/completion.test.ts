import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';
import { runTap } from './helpers/run-tap.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
const runs = Object.fromEntries(await Promise.all(SHELLS.map(async (shell) => [shell, await runTap(['completion', shell])] as const)));
const dir = mkdtempSync(join(tmpdir(), 'tap-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script in a file, for a shell to read. */
const file = (shell: (typeof SHELLS)[number]): string => {
  const path = join(dir, `tap.${shell}`);
  writeFileSync(path, runs[shell]!.stdout);
  return path;
};
const installed = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const names = COMMANDS.flatMap((d) => [d.name, ...(d.aliases ?? []), ...(d.subcommands ?? []).map((s) => s.name)]);

describe('tap completion', () => {
  it.each(SHELLS)('%s: the script alone on stdout, with every command, the global options and fixed values', (shell) => {
    const r = runs[shell]!;
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^(#compdef tap\n)?# ${shell} completion for tap`));
    expect(r.stdout.endsWith('\n')).toBe(true);
    for (const name of names) expect(r.stdout).toContain(name);
    // fish names a long option without its dashes: `-l env`.
    for (const option of ['--env', '--region', '--profile', '--json', '--verbose', '--no-wait', '--alert-email']) expect(r.stdout).toContain(shell === 'fish' ? `-l ${option.slice(2)} ` : option);
    // Values from the definitions: logs --function's sources, verify's check ids, the shells themselves.
    for (const value of ['processor', 'canary-trace', 'lambda-config', 'fish']) expect(r.stdout).toContain(value);
  });

  it('--json: one line, whose script is what a person gets', async () => {
    const r = await runTap(['completion', 'zsh', '--json']);
    expect([r.code, r.stderr, r.stdout.split('\n').length]).toEqual([0, '', 2]);
    expect(JSON.parse(r.stdout)).toEqual({ kind: 'completion', shell: 'zsh', script: runs.zsh!.stdout });
  });

  it.each([[[]], [['ksh']], [['BASH']]])('tap completion %j: exit 2 naming the three shells, nothing on stdout', async (args) => {
    const r = await runTap(['completion', ...args]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^✖ (no shell given|unknown shell '\w+') \(expected bash, zsh or fish\)\n {2}hint: see `tap completion --help`\n$/);
    const json = await runTap(['completion', ...args, '--json']);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([2, expect.objectContaining({ kind: 'error', error: 'UsageError', message: expect.stringContaining('bash, zsh or fish') })]);
  });

  it('help names the argument as required, also in the list of commands', async () => {
    expect((await runTap(['completion', '--help'])).stdout).toContain('Usage: tap completion [options] <shell>');
    expect((await runTap(['--help'])).stdout).toMatch(/^ {2}completion <shell> /m);
  });
});

describe('the scripts in real shells', () => {
  it('bash -n', () => {
    const r = spawnSync('bash', ['-n', file('bash')], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it.for(['zsh', 'fish'] as const)('%s -n', (shell, ctx) => {
    ctx.skip(!installed(shell), `${shell} is not installed: its syntax is not checked`);
    const r = spawnSync(shell, ['-n', file(shell)], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  /** What bash's completion function offers for `line` (the cursor at its end). */
  const bash = (line: string): string[] => {
    const script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tap; printf "%s\\n" "${COMPREPLY[@]}"';
    const r = spawnSync('bash', ['-c', script, 'bash', file('bash'), ...line.split(' ')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  };

  it.each([
    ['tap dep', ['deploy']],
    ['tap deploy --e', ['--env', '--endpoint-url']],
    ['tap --region eu-west-1 de', ['deploy', 'destroy']],
    ['tap deploy --env dev --y', ['--yes']],
    ['tap deploy -e dev --no-w', ['--no-wait']],
    ['tap replay ', ['list', 'status', 'cancel']],
    ['tap replay-archive list --e', ['--env', '--endpoint-url']],
    ['tap replay-archive status --e', ['--env', '--endpoint-url']],
    ['tap logs --function handler,p', ['handler,processor']],
    ['tap logs --function = pr', ['processor']],
    ['tap verify --env dev --skip canary-', ['canary-delivery', 'canary-trace']],
    ['tap completion ', ['bash', 'zsh', 'fish']],
    ['tap deploy --env ', []],
  ])('bash completes `%s`', (line, offered) => {
    expect(bash(line)).toEqual(offered);
  });

  it('fish completes commands, options and values', (ctx) => {
    ctx.skip(!installed('fish'), 'fish is not installed: its completions are not checked');
    const fish = (line: string) => spawnSync('fish', ['-c', `source ${file('fish')}; complete -C '${line}'`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    expect(fish('tap dep')).toEqual(['deploy']);
    expect(fish('tap deploy --e')).toEqual(['--endpoint-url', '--env']);
    expect(fish('tap replay-archive status --e')).toEqual(['--endpoint-url', '--env']);
    expect(fish('tap logs --function handler,p')).toEqual(['handler,processor']);
    expect(fish('tap completion ')).toEqual(['bash', 'fish', 'zsh']);
  });
});
