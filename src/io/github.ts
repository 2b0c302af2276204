import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Streams } from '../messages/types.js';

/**
 * GitHub Actions' side channels, used only when `GITHUB_ACTIONS=true`: annotations (workflow
 * commands), the job summary (`$GITHUB_STEP_SUMMARY`, Markdown appended), step outputs
 * (`$GITHUB_OUTPUT`) and log groups. Workflow commands go to stderr: the runner reads them from both
 * streams (its ScriptHandler subscribes to the step's standard output and standard error alike),
 * and stdout stays the result's, JSON with --json. Escaping as @actions/core does it.
 */
export interface GitHubActions {
  annotate(level: 'error' | 'warning' | 'notice', message: string, title?: string): void;
  /** Appends Markdown to the job summary. */
  summary(markdown: string): void;
  /** Sets a step output, readable as `steps.<id>.outputs.<name>`. */
  output(name: string, value: string): void;
  group(title: string): void;
  endGroup(): void;
}

const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** The channels, or undefined outside GitHub Actions (then nothing changes). */
export function githubActions(streams: Streams): GitHubActions | undefined {
  const env = streams.env;
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  const command = (name: string, message: string, props = ''): void => void streams.stderr.write(`::${name}${props}::${data(message)}\n`);
  return {
    annotate: (level, message, title) => command(level, message, title ? ` title=${property(title)}` : ''),
    summary: (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    },
    output: (name, value) => {
      // The multi-line form with a delimiter that the value cannot contain, as @actions/core writes it.
      const delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
      if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
    },
    group: (title) => command('group', title),
    endGroup: () => command('endgroup', ''),
  };
}

/** A Markdown table cell: pipes escaped, lines joined. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
