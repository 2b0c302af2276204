import { createHash } from 'node:crypto';
import { Sha256 } from '../../src/aws/sigv4.js';

/**
 * API Gateway's IAM authorization as the fake's `fetch` applies it: the SigV4 signature is computed
 * again with `@smithy/signature-v4` from the fake's credentials and compared. The answers are the
 * ones AWS's knowledge-center article "troubleshoot SigV4 signature mismatch errors with IAM
 * authentication for API Gateway" quotes: no signature, "Missing Authentication Token"; an unknown
 * access key, "The security token included in the request is invalid."; a wrong secret or any
 * signed part changed, "The request signature we calculated does not match...". A signature is
 * valid within 15 minutes of its X-Amz-Date (IAM User Guide, "Signing AWS API requests"); the
 * wording of that answer is the fake's.
 */
export async function authorizationError(
  request: { method: string; url: URL; headers: Headers; body: string },
  secrets: ReadonlyMap<string, string>,
  nowMs: number,
): Promise<string | undefined> {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(request.headers.get('authorization') ?? '');
  if (!auth) return 'Missing Authentication Token';
  const [, accessKeyId = '', scopeDate = '', region = '', service = '', signedHeaders = '', signature] = auth;
  const secretAccessKey = secrets.get(accessKeyId);
  if (secretAccessKey === undefined) return 'The security token included in the request is invalid.';
  // The credential scope must be the API's: its region (from the execute-api host) and the service.
  // (The wording of these two is the fake's.)
  const apiRegion = /\.execute-api\.([a-z0-9-]+)\./.exec(request.url.hostname)?.[1];
  if (apiRegion && region !== apiRegion) return `Credential should be scoped to a valid region, not '${region}'.`;
  if (service !== 'execute-api') return "Credential should be scoped to correct service: 'execute-api'.";
  if (!signedHeaders.split(';').includes('host')) return "'Host' must be a signed header.";

  const amzDate = request.headers.get('x-amz-date') ?? '';
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (Number.isNaN(signedAt)) return 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.';
  if (!amzDate.startsWith(scopeDate)) return `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}', not '${scopeDate}'.`;
  const skewMs = nowMs - signedAt;
  if (Math.abs(skewMs) > 15 * 60_000) {
    return skewMs > 0 ? `Signature expired: ${amzDate} is now earlier than ${stamp(nowMs - 15 * 60_000)} (${stamp(nowMs)} - 15 min.)` : `Signature not yet current: ${amzDate} is still later than ${stamp(nowMs + 15 * 60_000)} (${stamp(nowMs)} + 15 min.)`;
  }

  const computed = await signatureOf(request, signedHeaders.split(';'), { accessKeyId, secretAccessKey }, region, service, new Date(signedAt));
  if (computed !== signature) {
    return 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  }
  return undefined;
}

/**
 * The signature of `request` over exactly the headers it names as signed, as the service computes it:
 * the payload hash from the body received (so a changed body does not match). Checked against AWS's
 * published SigV4 test-suite example (get-vanilla) in test/fake-sigv4.test.ts.
 */
export async function signatureOf(
  request: { method: string; url: URL; headers: Headers; body: string },
  signedHeaders: readonly string[],
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  service: string,
  signedAt: Date,
): Promise<string | undefined> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256, applyChecksum: false });
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  // The date goes in as the signing date; the payload hash is the body's, whatever the header says.
  const headers = Object.fromEntries(signedHeaders.filter((n) => n !== 'x-amz-date').map((n) => [n, n === 'x-amz-content-sha256' ? bodyHash : (request.headers.get(n) ?? '')]));
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams),
      headers,
      body: request.body,
    },
    { signingDate: signedAt },
  );
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** A POST signed as any AWS client signs it (for tests that call the fake API themselves). */
export async function signedPost(url: string, body: string, credentials: { accessKeyId: string; secretAccessKey: string }, at: Date, signingRegion?: string): Promise<RequestInit> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const u = new URL(url);
  const region = signingRegion ?? /\.execute-api\.([a-z0-9-]+)\./.exec(u.hostname)?.[1] ?? 'us-east-1';
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const request = { method: 'POST', protocol: u.protocol, hostname: u.hostname, path: u.pathname, query: {}, headers: { host: u.host, 'content-type': 'application/json' }, body };
  const signed = await signer.sign(request, { signingDate: at });
  return { method: 'POST', headers: signed.headers, body };
}
