import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';

/**
 * The account pin of tap.config.json: the caller's account (sts:GetCallerIdentity) must be the env's.
 * Commands that write refuse another account before anything is sent (exit 2); read-only ones warn.
 */
export async function checkAccount(deps: Deps, env: string, mode: 'refuse' | 'warn'): Promise<void> {
  const pinned = deps.settings.account;
  if (!pinned) return;
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  let Account: string | undefined;
  try {
    ({ Account } = await (await deps.aws.sts()).send(new GetCallerIdentityCommand({})));
  } catch (error) {
    if (mode === 'refuse') throw error;
    // A read-only command goes on; it meets the same problem with its own calls and says so there.
    deps.io.notify({ level: 'warn', code: 'config.account', data: { env, pinned: pinned.value, unchecked: (error as Error).message } });
    return;
  }
  if (Account === pinned.value) return;
  if (mode === 'refuse') {
    throw new UsageError(`env ${env} lives in account ${pinned.value} (${pinned.from}), but these credentials are for account ${Account ?? 'unknown'}; nothing was changed`, {
      hint: 'use a profile or credentials for that account (--profile), or correct the account in the config file',
    });
  }
  deps.io.notify({ level: 'warn', code: 'config.account', data: { env, pinned: pinned.value, from: pinned.from, caller: Account } });
}
