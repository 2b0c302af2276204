import type * as Synth from '../../src/stack/synth.js';

/**
 * For `vi.mock('../src/stack/synth.js', ...)`: the real synthesizer, run once per env and file, so
 * that tests of deploy logic do not spend seconds re-synthesizing the same stack.
 */
export async function memoSynth(importOriginal: () => Promise<typeof Synth>): Promise<typeof Synth> {
  const actual = await importOriginal();
  const cache = new Map<string, ReturnType<typeof actual.synthesize>>();
  return {
    ...actual,
    synthesize: (env: string, version: string) => {
      if (!cache.has(env)) cache.set(env, actual.synthesize(env, version));
      return cache.get(env)!;
    },
  };
}
