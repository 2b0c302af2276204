import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The synth cache every test shares (never the user's ~/.cache/tap): one build per env per run. */
    tapCacheDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tap-test-cache-'));
  project.provide('tapCacheDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
