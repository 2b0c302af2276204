import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTemplate } from '../src/stack/build.js';
import { startValidator } from '../src/stack/cfn-validate.js';
import { buildKey, CACHE_LIMITS, cacheDir, SynthCache } from '../src/stack/synth-cache.js';
import { synthesize } from '../src/stack/synth.js';
import { runTap } from './helpers/run-tap.js';

// The real build, counted; validation is test/helpers/setup.ts's stand-in (a vi.fn).
vi.mock('../src/stack/build.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/stack/build.js')>();
  return { ...actual, buildTemplate: vi.fn(actual.buildTemplate) };
});

const scratch = mkdtempSync(join(tmpdir(), 'tap-cache-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(scratch, `cache-${n++}`);
  vi.mocked(buildTemplate).mockClear();
  vi.mocked(startValidator).mockClear();
});
const entries = () => (existsSync(dir) ? readdirSync(dir).sort() : []);
const validations = () => vi.mocked(startValidator).mock.results.map((r) => r.value as { validate: ReturnType<typeof vi.fn> });

describe('validation beside cdk-nag', () => {
  it('the template goes to the validation engine as soon as it is written, before the build (cdk-nag) has ended, and it is the template synth returns', async () => {
    const sent: string[] = [];
    vi.mocked(startValidator).mockImplementationOnce(() => ({ validate: vi.fn((path: string) => (sent.push(readFileSync(path, 'utf8')), Promise.resolve([]))), close: () => Promise.resolve() }));
    let sentBeforeBuildEnded: number | undefined;
    const original = vi.mocked(buildTemplate).getMockImplementation()!;
    vi.mocked(buildTemplate).mockImplementationOnce(async (...a) => {
      const built = await original(...a);
      await new Promise((resolve) => setImmediate(resolve)); // the hand-off reads the file on a later tick
      sentBeforeBuildEnded = sent.length;
      return built;
    });
    const result = await synthesize('early', '1.0.0');
    expect(sentBeforeBuildEnded).toBe(1);
    expect(sent).toEqual([result.templateBody]);
  });

  it('a template handed on that is not the one the build returns is validated again', async () => {
    const sent: string[] = [];
    vi.mocked(startValidator).mockImplementationOnce(() => ({ validate: vi.fn((path: string) => (sent.push(readFileSync(path, 'utf8')), Promise.resolve([]))), close: () => Promise.resolve() }));
    const original = vi.mocked(buildTemplate).getMockImplementation()!;
    vi.mocked(buildTemplate).mockImplementationOnce(async (env, version, outdir, settings, onTemplate) => {
      const built = await original(env, version, outdir, settings, onTemplate);
      return { ...built, template: { ...built.template, Description: 'changed after the hand-off' } };
    });
    const result = await synthesize('early2', '1.0.0');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(result.templateBody);
    expect(result.templateBody).toContain('changed after the hand-off');
  });

  it('a build that fails after the hand-off reports the build error, and nothing is left unhandled', async () => {
    const original = vi.mocked(buildTemplate).getMockImplementation()!;
    vi.mocked(buildTemplate).mockImplementationOnce(async (...a) => {
      await original(...a);
      throw new Error('cdk-nag blew up');
    });
    await expect(synthesize('early3', '1.0.0')).rejects.toThrow('cdk-nag blew up');
  });
});

describe('the synth cache', () => {
  it('an unchanged stack is read back whole: no build, no validation engine', async () => {
    const first = await synthesize('cache', '1.0.0', { cacheDir: dir });
    expect([vi.mocked(buildTemplate).mock.calls.length, vi.mocked(startValidator).mock.calls.length]).toEqual([1, 1]);
    expect(entries()).toEqual([expect.stringMatching(/^build-[0-9a-f]{64}\.json$/), expect.stringMatching(/^validation-[0-9a-f]{64}\.json$/)]);

    const again = await synthesize('cache', '1.0.0', { cacheDir: dir });
    expect(again).toEqual({ ...first, cache: { build: 'hit', validation: 'hit' } });
    expect(first.cache).toEqual({ build: 'miss', validation: 'miss' });
    expect([vi.mocked(buildTemplate).mock.calls.length, vi.mocked(startValidator).mock.calls.length]).toEqual([1, 1]);
    expect((await synthesize('cache', '1.0.0')).cache).toEqual({ build: 'off', validation: 'off' });
  });

  it('another env, another tap version or other CDK context is another build', async () => {
    const key = buildKey('cache', '1.0.0');
    expect(buildKey('cache', '1.0.0')).toBe(key);
    expect(buildKey('cache2', '1.0.0')).not.toBe(key);
    expect(buildKey('cache', '1.0.1')).not.toBe(key);
    vi.stubEnv('CDK_CONTEXT_JSON', '{"@aws-cdk/core:newStyleStackSynthesis":false}');
    try {
      expect(buildKey('cache', '1.0.0')).not.toBe(key);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a template validated before is not validated again, even when its code changed', async () => {
    await synthesize('cache', '1.0.0', { cacheDir: dir });
    rmSync(join(dir, entries().find((f) => f.startsWith('build-'))!));
    vi.mocked(startValidator).mockClear();
    await synthesize('cache', '1.0.0', { cacheDir: dir });
    expect(vi.mocked(buildTemplate)).toHaveBeenCalledTimes(2);
    // The engine is started beside the build (the template is not known yet), then never asked.
    expect(validations()).toHaveLength(1);
    expect(validations()[0]!.validate).not.toHaveBeenCalled();
  });

  it('a corrupt, truncated or foreign entry is a miss, and is written anew', async () => {
    const first = await synthesize('cache', '1.0.0', { cacheDir: dir });
    const [build, validation] = entries().map((f) => join(dir, f)) as [string, string];
    writeFileSync(build, '{"format":1,"key":"');
    writeFileSync(validation, JSON.stringify({ format: 1, key: 'another', value: [] }));
    const again = await synthesize('cache', '1.0.0', { cacheDir: dir });
    expect(again).toEqual(first);
    expect(vi.mocked(buildTemplate)).toHaveBeenCalledTimes(2);
    expect(vi.mocked(startValidator)).toHaveBeenCalledTimes(2);
    expect(JSON.parse(readFileSync(build, 'utf8'))).toMatchObject({ format: 1, key: buildKey('cache', '1.0.0'), value: { stackName: 'TapStack-cache' } });
    expect(JSON.parse(readFileSync(validation, 'utf8'))).toMatchObject({ format: 1, value: [] });
  });

  it('runs side by side leave whole entries and no temporary files', async () => {
    // Which of them finds another's entry is a race: what the cache answered is left out.
    const runs = (await Promise.all([1, 2, 3].map(() => synthesize('cache', '1.0.0', { cacheDir: dir })))).map((r) => ({ ...r, cache: undefined }));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(entries()).toHaveLength(2);
    for (const f of entries()) expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown).not.toThrow();
  });

  it('a cache that cannot be written is only a slower next run', async () => {
    writeFileSync(join(scratch, 'a-file'), '');
    const s = await synthesize('cache', '1.0.0', { cacheDir: join(scratch, 'a-file', 'below') });
    expect(s.stackName).toBe('TapStack-cache');
  });

  it('lives in TAP_CACHE_DIR, else $XDG_CACHE_HOME/tap, else ~/.cache/tap', () => {
    expect(cacheDir({ TAP_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/tap');
    expect(cacheDir({ HOME: '/h' })).toBe('/h/.cache/tap');
  });

  it('tap synth --no-cache neither reads nor writes it', async () => {
    const r = await runTap(['synth', '--env', 'cache', '--no-cache', '--json'], { env: { TAP_CACHE_DIR: dir } });
    expect(r.code).toBe(0);
    expect(entries()).toEqual([]);
    expect(vi.mocked(buildTemplate)).toHaveBeenCalledTimes(1);
    const cached = await runTap(['synth', '--env', 'cache', '--json'], { env: { TAP_CACHE_DIR: dir } });
    expect(JSON.parse(cached.stdout)).toEqual(JSON.parse(r.stdout));
    expect(entries()).toHaveLength(2);
  });
});

describe('the synth cache stays small', () => {
  const DAY = 86_400_000;
  const key = (i: number) => i.toString(16).padStart(64, '0');
  /** Writes `count` entries as a run would have (without pruning meanwhile), entry i last used `usedDaysAgo(i)`. */
  function fill(cache: SynthCache, count: number, usedDaysAgo: (i: number) => number): void {
    const file = (i: number) => join(dir, `validation-${key(i)}.json`);
    cache.put('validation', key(0), []);
    const body = readFileSync(file(0), 'utf8');
    for (let i = 0; i < count; i++) {
      writeFileSync(file(i), body.replace(key(0), key(i)));
      const when = new Date(Date.now() - usedDaysAgo(i) * DAY);
      utimesSync(file(i), when, when);
    }
  }

  it('a write removes entries unused for 30 days; a hit counts as a use', () => {
    const cache = new SynthCache(dir);
    fill(cache, 3, () => CACHE_LIMITS.maxAgeDays + 1);
    mkdirSync(join(dir, 'keep-me'));
    expect(cache.get('validation', key(1), (v): v is [] => Array.isArray(v))).toEqual([]);
    cache.put('build', key(9), {});
    expect(entries()).toEqual([`build-${key(9)}.json`, 'keep-me', `validation-${key(1)}.json`]);
    expect(Date.now() - statSync(join(dir, `validation-${key(1)}.json`)).mtimeMs).toBeLessThan(DAY);
  });

  it(`keeps at most ${CACHE_LIMITS.maxEntries} entries, the most recently used`, () => {
    const cache = new SynthCache(dir);
    fill(cache, CACHE_LIMITS.maxEntries + 5, (i) => i / 100); // entry 0 is the newest
    cache.put('build', key(999), {});
    const kept = entries();
    expect(kept).toHaveLength(CACHE_LIMITS.maxEntries);
    expect(kept).toContain(`build-${key(999)}.json`);
    expect(kept).toContain(`validation-${key(0)}.json`);
    expect(kept).not.toContain(`validation-${key(CACHE_LIMITS.maxEntries - 1)}.json`);
  });
});
