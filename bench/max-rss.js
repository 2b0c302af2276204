// Runs bin/tap.js in this process (its arguments are this script's) and prints its peak resident
// memory, worker threads included, as the last line on stderr as it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `BENCH maxrss_kb=${process.resourceUsage().maxRSS}\n`));
await import('../bin/tap.js');
