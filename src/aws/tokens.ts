import { randomUUID } from 'node:crypto';

/**
 * An idempotency token for one write of one command run (CloudFormation's `ClientToken` /
 * `ClientRequestToken`: 1-128 characters, `[a-zA-Z0-9][-a-zA-Z0-9]*`). Made once and sent with every
 * try of that write, by the SDK's retries and tap's own, so CloudFormation knows a retried request
 * from a new one; a new operation (the second DeleteStack after DELETE_FAILED) gets a new token.
 */
export const requestToken = (operation: string): string => `tap-${operation}-${randomUUID()}`;
