import { JsonReporter } from './json.js';
import type { Io, ReporterOptions, Streams } from '../messages/types.js';

/**
 * The reporter for this run: JSON with `--json`, otherwise the human one, with ora's spinner on a live
 * terminal (each loaded only when needed: ora and its string-width cost ~20 ms to load).
 */
export async function createReporter(streams: Streams, options: ReporterOptions): Promise<Io> {
  if (options.json) return new JsonReporter(streams, options);
  const { HumanReporter, isLive } = await import('./human.js');
  const spinnerOf = isLive(streams) ? (await import('ora')).default : undefined;
  return new HumanReporter(streams, options, spinnerOf);
}
