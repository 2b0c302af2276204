import { AwsClients } from '../../src/aws/clients.js';
import type { Deps } from '../../src/deps.js';
import type { Io, Message } from '../../src/messages/types.js';

/** Deps for calling logic directly: real SDK clients (for aws-sdk-client-mock), messages collected. */
export function testDeps(): Deps & { messages: Message[] } {
  const messages: Message[] = [];
  const io: Io = {
    notify: (m) => void messages.push(m),
    result: () => {},
    ask: () => Promise.reject(new Error('no terminal in tests')),
    fail: () => {},
    close: () => {},
    interactive: false,
    color: false,
  };
  return {
    aws: new AwsClients({ region: 'us-east-1' }),
    io,
    clock: () => new Date('2026-11-25T12:00:00Z'),
    sleep: async () => {},
    signal: new AbortController().signal,
    claimInterrupts: () => {},
    settings: {},
    fetch: (input, init) => fetch(input, init),
    messages,
  };
}
