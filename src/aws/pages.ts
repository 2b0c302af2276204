import type { Deps } from '../deps.js';
import { retryTransient } from './retry.js';

/**
 * Paged reads. Where the SDK has a paginator (`paginateDescribeStackEvents`, `paginateGetTraceSummaries`,
 * `paginateListObjectsV2`, ...) tap uses it; these two helpers are for what the paginators leave out.
 */

/**
 * The client with each `send` run through `retryTransient`, for a paginator whose pages should each
 * be tried again on a passing failure (as one page of a long read, not the whole read, is what failed).
 * The paginators check `client instanceof XClient`: the wrapper inherits from the client, so it passes.
 */
export function retrying<C extends object>(client: C, deps: Pick<Deps, 'sleep' | 'io' | 'aws'>, delayMs: number): C {
  const target = client as unknown as { send(...args: unknown[]): Promise<unknown> };
  return Object.create(client, { send: { value: (...args: unknown[]) => retryTransient(deps, delayMs, () => target.send(...args)) } }) as C;
}

/**
 * Every page of a call the SDK has no paginator for (EventBridge `ListReplays`): `read(token)` until
 * an answer carries no `NextToken`.
 */
export async function* pages<P extends { NextToken?: string }>(read: (token: string | undefined) => Promise<P>): AsyncGenerator<P, void, undefined> {
  let token: string | undefined;
  do {
    const page = await read(token);
    yield page;
    token = page.NextToken;
  } while (token);
}
