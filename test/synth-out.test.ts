import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
});
