import { createHash, createHmac } from 'node:crypto';
import type { Deps } from '../deps.js';

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, in the shape @smithy/signature-v4 takes. */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Uint8Array => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

export class Sha256 {
  private hash;
  constructor(private readonly secret?: Data) {
    this.hash = this.fresh();
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
}

/**
 * A `fetch` request to an IAM-authorized API Gateway method, signed with SigV4 (service
 * `execute-api`) from the caller's credentials, as any AWS client would sign it.
 */
export async function signedRequest(url: string, body: string, deps: Deps): Promise<RequestInit> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const cfn = await deps.aws.cloudFormation();
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'execute-api', region: await cfn.config.region(), credentials: cfn.config.credentials, sha256: Sha256 });
  const request = {
    method: 'POST',
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: u.pathname,
    query: Object.fromEntries(u.searchParams),
    headers: { host: u.host, 'content-type': 'application/json' },
    body,
  };
  // Signed at tap's clock: the one every other time in the run comes from.
  const signed = await signer.sign(request, { signingDate: deps.clock() });
  return { method: 'POST', headers: signed.headers, body };
}
