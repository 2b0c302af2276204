import type { AwsClients } from './aws/clients.js';
import type { Io } from './io/types.js';

/** Everything a command touches outside itself; built once in cli.ts, faked in tests. */
export interface Deps {
  readonly aws: AwsClients;
  readonly io: Io;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}
