import { Readable } from 'node:stream';
import { inject } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import { main } from '../../src/cli.js';
import { FakeAws } from '../fake-aws/index.js';

export interface TapRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry in-process with in-memory streams (no TTY unless asked). */
export async function runTap(
  argv: string[],
  options: { env?: Record<string, string>; tty?: boolean; columns?: number; answers?: string[]; stdin?: NodeJS.ReadableStream; credentials?: boolean; signal?: AbortSignal; sleep?: (ms: number, options?: { uninterruptible?: boolean }) => Promise<void>; fetch?: typeof fetch; clock?: () => Date } = {},
): Promise<TapRun> {
  // What ora needs of a terminal besides write(); `columns`: the terminal's width, which both streams report on one.
  const columns = options.columns ?? 100;
  const cursor = { cursorTo: () => true, clearLine: () => true, moveCursor: () => true, columns };
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    streams: {
      stdout: { write: (s: string) => (stdout += s), isTTY: options.tty, ...(options.tty ? { columns } : {}) },
      stderr: { write: (s: string) => (stderr += s), isTTY: options.tty, ...cursor },
      stdin: Object.assign(options.stdin ?? Readable.from((options.answers ?? []).map((a) => `${a}\n`)), { isTTY: options.tty }),
      env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', TAP_CACHE_DIR: inject('tapCacheDir'), ...options.env },
    },
    // Static test credentials unless a test checks what happens without any.
    aws: (config) => new AwsClients(options.credentials === false ? config : { ...config, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    // With a fake installed, tap's sleeps let the fake's time pass (its stacks and replays move with it).
    sleep: options.sleep ?? ((ms: number) => FakeAws.current?.advance(ms) ?? Promise.resolve()),
    signal: options.signal,
    fetch: options.fetch,
    // ...and tap's clock is the fake's, as a real account's clock is the one AWS keeps (SigV4 signatures are checked against it).
    clock: options.clock ?? (FakeAws.current ? () => new Date(FakeAws.current!.clock.ms) : undefined),
  });
  return { code, stdout, stderr };
}
