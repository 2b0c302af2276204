import { defineCommand } from '../command.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionResult {
  readonly kind: 'completion';
  readonly shell: Shell;
  readonly script: string;
}

export default defineCommand({
  name: 'completion',
  summary: "print a shell completion script (bash, zsh or fish) for tap's commands, options and their values",
  env: 'none',
  offline: true,
  args: [{ name: 'shell', help: 'bash, zsh or fish', choices: SHELLS }],
  options: {},
  examples: [
    'tap completion bash > /etc/bash_completion.d/tap',
    'source <(tap completion bash)              # in ~/.bashrc',
    'tap completion zsh > "${fpath[1]}/_tap"    # then restart zsh',
    'tap completion fish > ~/.config/fish/completions/tap.fish',
  ],
  notes: `Generated from tap's own command definitions, so it completes what this version of tap takes:
commands and subcommands, each one's options and the global ones, and the values of options that take a
fixed set (such as logs --function). Only the script goes to stdout; with --json the result carries it
as "script".`,
  permissions: 'none (offline).',
  run: async ({ args }) => {
    // Imported here, not above: the generator builds tap's program, whose command list includes this module.
    const { completionScript } = await import('../completion.js');
    const shell = args.shell as Shell; // checked against SHELLS before the command runs
    return { kind: 'completion' as const, shell, script: await completionScript(shell) };
  },
  render: (r: CompletionResult) => r.script,
});
