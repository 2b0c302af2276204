import { AwsClients } from '../../src/aws/clients.js';
import { main } from '../../src/cli.js';

export interface TapRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry in-process with in-memory streams (no TTY unless asked). */
export async function runTap(
  argv: string[],
  options: { env?: Record<string, string>; tty?: boolean } = {},
): Promise<TapRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    streams: {
      stdout: { write: (s: string) => (stdout += s), isTTY: options.tty },
      stderr: { write: (s: string) => (stderr += s), isTTY: options.tty },
      stdin: { isTTY: options.tty },
      env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...options.env },
    },
    aws: (config) => new AwsClients(config),
    sleep: async () => {},
  });
  return { code, stdout, stderr };
}
