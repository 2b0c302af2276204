import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CFN_LIMITS, synthesize } from '../src/stack/synth.js';
import { VERSION } from '../src/version.js';
import { runTap } from './helpers/run-tap.js';

const out = mkdtempSync(join(tmpdir(), 'tap-synth-out-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tap synth --out', () => {
  it('writes exactly the body it measured against the TemplateBody limit, which is what deploy sends', async () => {
    const r = await runTap(['synth', '--env', 'dev', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { templateBytes: number; templateFile: string; needsStaging: boolean };
    expect(result.templateFile).toBe(join(out, 'TapStack-dev.template.json'));
    expect(statSync(result.templateFile).size).toBe(result.templateBytes);
    expect(readFileSync(result.templateFile, 'utf8')).toBe((await synthesize('dev', VERSION)).templateBody);
    expect(result.needsStaging).toBe(result.templateBytes > CFN_LIMITS.templateBodyBytes);
  });

  it('makes the directory and its missing parents', async () => {
    const nested = join(out, 'a', 'b');
    const r = await runTap(['synth', '--env', 'dev', '--json', '--out', nested]);
    expect(r.code).toBe(0);
    expect(existsSync(join(nested, 'TapStack-dev.template.json'))).toBe(true);
  });

  it('refuses a directory it cannot make, or a file, with exit 2 before synthesizing', async () => {
    const file = join(out, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      ['', /^--out needs a directory; it was given an empty value$/],
      [file, /^--out .*a-file is not a directory$/],
      [join(file, 'sub'), /^--out .*a-file\/sub: cannot create directory .*a-file\/sub \(ENOTDIR\)$/],
    ];
    // Under /proc, Node 20's recursive mkdirSync loops forever (and Ctrl-C cannot end it): one level at a time.
    if (existsSync('/proc/self')) cases.push(['/proc/tap-out', /^--out \/proc\/tap-out: cannot create directory \/proc\/tap-out \(ENOENT\)$/]);
    for (const [dir, message] of cases) {
      const r = await runTap(['synth', '--env', 'dev', '--no-cache', '--out', dir]);
      expect(r.code, dir).toBe(2);
      expect(r.stderr, dir).not.toMatch(/Synthesizing/);
      expect(r.stderr.trim().split('\n').at(-1)?.replace(/^✖ /, ''), dir).toMatch(message);
    }
  });
});
