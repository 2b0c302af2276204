import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTap } from './helpers/run-tap.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });

describe('project rules', () => {
  it('no file in src/ is over 400 lines', () => {
    const long = files(join(root, 'src'))
      .map((f) => [relative(root, f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it("src/ imports aws-cdk-lib's modules, never the package root (which loads all of them: src/stack/build.ts)", () => {
    const rootImports = files(join(root, 'src'))
      .filter((f) => /from 'aws-cdk-lib'|import\('aws-cdk-lib'\)/.test(readFileSync(f, 'utf8').replace(/^(import type |\s*\*|\s*\/\/).*$/gm, '')))
      .map((f) => relative(root, f));
    expect(rootImports).toEqual([]);
  });

  it('every command in `tap --help` has a section in the README', async () => {
    const help = (await runTap(['--help'])).stdout.split('Commands:')[1] ?? '';
    const commands = [...help.matchAll(/^ {2}([a-z-]+)(?:\|[a-z-]+)?(?: \[options\])?(?: \[command\])? {2,}/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['synth', 'diff', 'deploy', 'verify', 'trace', 'status', 'list', 'replay-archive', 'destroy']));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const missing = commands.filter((c) => !new RegExp(`^### \`tap ${c}\``, 'm').test(readme));
    expect(missing).toEqual([]);
  });
});
