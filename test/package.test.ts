import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What `npm pack` puts in the package users install: the file list `npm pack --dry-run --json` reports
 * (dist/ is built: `npm test` builds first). `--ignore-scripts`: prepack would build again, while
 * other test files may be reading dist/.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

/** Measured at 581,678 bytes (0.1.0: README 56 kB, npm-shrinkwrap.json 136 kB, dist/ 359 kB); the bound is about 20 % above, so growth is a decision, not an accident. */
const MAX_UNPACKED_BYTES = 700_000;

interface Packed {
  name: string;
  version: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

let packed: Packed;
let paths: string[];
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const shrinkwrap = JSON.parse(readFileSync(join(root, 'npm-shrinkwrap.json'), 'utf8'));

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = (JSON.parse(out) as Packed[])[0]!;
  paths = packed.files.map((f) => f.path).sort();
});

/** Every file below `dir` (relative to the repository root), recursively. */
function filesBelow(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(root.length).replace(/^\//, ''));
}

describe('the package', () => {
  it('is @tap-ops/cli, with the tap command and no install script', () => {
    expect(packed.name).toBe('@tap-ops/cli');
    expect(manifest.bin).toEqual({ tap: 'bin/tap.js' });
    // npm 11 warns on a global install of a package with any of these (prepare included).
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[script], script).toBeUndefined();
    expect(manifest.scripts.prepack).toBe('npm run build');
  });

  it('holds the CLI, the Lambda sources, the schema, the shrinkwrap, LICENSE, README and package.json', () => {
    for (const file of ['bin/tap.js', 'dist/cli.js', 'src/stack/functions/handler.cjs', 'src/stack/functions/processor.cjs', 'tap.config.schema.json', 'npm-shrinkwrap.json', 'LICENSE', 'README.md', 'package.json']) {
      expect(paths, file).toContain(file);
    }
    // Every compiled module of src/, and nothing compiled from a source that no longer exists (a stale dist/).
    const sources = filesBelow('src').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'));
    expect(paths.filter((p) => p.startsWith('dist/')).sort()).toEqual(sources.sort());
  });

  it('holds nothing else: no tests, no .tsbuildinfo, no source map without its source', () => {
    const allowed = /^(bin\/tap\.js|dist\/.+\.js|src\/stack\/functions\/[^/]+\.cjs|tap\.config\.schema\.json|npm-shrinkwrap\.json|LICENSE|README\.md|package\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('test/') || p.includes('.tsbuildinfo'))).toEqual([]);
    // None are shipped now; a map that is must point only at files in the package.
    for (const map of paths.filter((p) => p.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(paths, `${map} -> ${source}`).toContain(join(map, '..', source));
    }
  });

  it(`unpacks to at most ${MAX_UNPACKED_BYTES.toLocaleString('en-US')} bytes`, () => {
    expect(packed.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
  });

  it('ships the Apache-2.0 text its license field names, and says where it lives', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('Copyright 2026 the tap authors');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/tap-ops/tap.git' });
    expect(manifest.homepage).toBe('https://github.com/tap-ops/tap#readme');
    expect(manifest.bugs).toEqual({ url: 'https://github.com/tap-ops/tap/issues' });
    expect(manifest.engines.node).toBe('>=20.18.1');
  });

  it('pins each runtime dependency to the version npm-shrinkwrap.json names', () => {
    // npm honours a package's shrinkwrap only when the registry marks it (an installed tarball is not):
    // exact direct dependencies are what such an install still gets right.
    const pinned = Object.fromEntries(Object.keys(manifest.dependencies).map((name) => [name, shrinkwrap.packages[`node_modules/${name}`]?.version]));
    expect(manifest.dependencies).toEqual(pinned);
    expect(shrinkwrap.packages[''].dependencies).toEqual(manifest.dependencies);
    expect([shrinkwrap.name, shrinkwrap.version]).toEqual([manifest.name, manifest.version]);
  });
});

describe('bin/tap.js without dist/ (a clone before npm run build)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-nodist-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(root, 'bin', 'tap.js'), join(dir, 'bin', 'tap.js'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says to build, and exits 1', () => {
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'tap.js'), '--version'], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', 'tap: dist/ is not built; in a clone of tap, run `npm run build` first\n']);
  });
});
