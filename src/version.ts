import { readFileSync } from 'node:fs';

/** package.json, read once (two levels up from both src/ and dist/). */
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bugs: { url: string } };

/** The package version. */
export const VERSION: string = manifest.version;

/** Where tap's defects are reported (package.json's `bugs`). */
export const BUGS_URL: string = manifest.bugs.url;
