import { awsError } from './errors.js';

/**
 * One page of `items` after the opaque `token` (the fake's tokens are offsets; AWS's are opaque). A
 * token the fake did not hand out is refused as the services refuse one (`InvalidNextToken`-like).
 */
export function page<T>(items: readonly T[], token: string | undefined, size: number): { items: T[]; NextToken?: string } {
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0) throw awsError('InvalidRequestException', `Invalid pagination token: ${token}`);
  const end = start + size;
  return { items: items.slice(start, end), NextToken: end < items.length ? String(end) : undefined };
}
