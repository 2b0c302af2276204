import { JsonReporter } from './json.js';
import type { Io, ReporterOptions, Streams } from './types.js';

/** The reporter for this run: JSON with `--json`, otherwise the human one (loaded only when needed). */
export async function createReporter(streams: Streams, options: ReporterOptions): Promise<Io> {
  if (options.json) return new JsonReporter(streams, options);
  const { HumanReporter } = await import('./human.js');
  return new HumanReporter(streams, options);
}
