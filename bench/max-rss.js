// Runs the built CLI in this process (as bin/tap.js's child does, with the GC flag given to node)
// and prints its peak resident memory, worker threads included, as the last line on stderr.
const { main } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2));
process.stderr.write(`BENCH maxrss_kb=${process.resourceUsage().maxRSS}\n`);
process.exit(code);
