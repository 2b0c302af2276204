import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layers of src/ (docs/ARCHITECTURE.md draws them) and the imports that may never be made,
// read from the code's own import statements (static, type-only and dynamic).
const root = fileURLToPath(new URL('..', import.meta.url));

const PARTS: [part: string, paths: string[]][] = [
  ['Face', ['src/cli.ts', 'src/program.ts', 'src/help.ts', 'src/command.ts', 'src/completion.ts']],
  ['Commands', ['src/commands/']],
  ['Checks', ['src/checks/']],
  ['Synth', ['src/synth/']],
  ['Deploy', ['src/deploy/']],
  ['Observe', ['src/trace/', 'src/logs/', 'src/replay/']],
  ['Io', ['src/io/']],
  ['Messages', ['src/messages/']],
  ['Aws', ['src/aws/', 'src/deps.ts']],
  ['Config', ['src/config.ts']],
  ['Stack', ['src/stack/']],
  ['Base', ['src/errors.ts', 'src/network-failure.ts', 'src/time.ts', 'src/version.ts']],
];
const DOMAIN = ['Synth', 'Checks', 'Deploy', 'Observe', 'Stack', 'Config', 'Aws', 'Io', 'Messages', 'Base'];

/** [from, to, why]: an import from a file of `from` of a file of `to` breaks the layering. */
const NEVER: [string, string, string][] = [
  ...DOMAIN.map((from): [string, string, string] => [from, 'Commands', 'a domain module never reaches a command']),
  ...DOMAIN.map((from): [string, string, string] => [from, 'Face', 'nothing below the face knows it']),
  ['Io', 'Deploy', 'reporters draw payloads; they know no domain code'],
  ['Io', 'Checks', 'reporters know no domain code'],
  ['Messages', 'Deploy', 'message payloads are defined where the messages are'],
  ['Messages', 'Checks', 'message payloads are defined where the messages are'],
  ['Messages', 'Io', 'the message types are below the reporters'],
  ['Messages', 'Aws', 'the message types are below the AWS layer'],
  ['Aws', 'Io', 'the AWS layer emits through deps (message types), not reporters'],
  ['Aws', 'Deploy', 'the AWS layer reads and writes; deploying is above it'],
  ['Aws', 'Checks', 'the AWS layer knows no check'],
  ['Checks', 'Deploy', 'checks read AWS, not deploy internals'],
  ['Stack', 'Config', 'the stack takes settings as values'],
  ...['Synth', 'Checks', 'Deploy', 'Observe', 'Io', 'Messages', 'Aws', 'Config', 'Stack'].map((to): [string, string, string] => ['Base', to, 'the ground knows nothing above it']),
];

const partOf = (file: string): string | undefined => PARTS.find(([, paths]) => paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)))?.[0];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/** Every relative import of a file (`from '...'`, `import('...')`, `export ... from '...'`), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

const files = sources('src');
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe('the layering of src/', () => {
  it('places every source file in a part (a new file or folder is placed here, and drawn in docs/ARCHITECTURE.md)', () => {
    expect(files.filter((f) => !partOf(f) && f !== 'src/proxy-from-env.d.ts')).toEqual([]);
  });

  it('reads the imports it judges (a sanity check on the reading itself)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'src/program.ts', to: 'src/commands/index.ts' });
    expect(edges).toContainEqual({ from: 'src/checks/runner.ts', to: 'src/aws/stacks.ts' });
  });

  it.each(NEVER)('never %s -> %s: %s', (from, to) => {
    const broken = edges.filter((e) => partOf(e.from) === from && partOf(e.to) === to).map((e) => `${e.from} -> ${e.to}`);
    expect(broken).toEqual([]);
  });

  it('no command imports another (src/commands/index.ts lists them all; a command with subcommands is a folder of its own)', () => {
    const command = (file: string): string | undefined => /^src\/commands\/([^/.]+)/.exec(file)?.[1];
    const broken = edges.filter((e) => e.from !== 'src/commands/index.ts' && command(e.from) && command(e.to) && command(e.from) !== command(e.to)).map((e) => `${relative('src', e.from)} -> ${relative('src', e.to)}`);
    expect(broken).toEqual([]);
  });
});
