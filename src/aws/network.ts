import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { getProxyForUrl } from 'proxy-from-env';
import { AwsError, UsageError, withCallContext } from '../errors.js';
import type { Sourced } from '../config.js';

/**
 * One network layer for every AWS call (the SDK's request handler) and every `fetch` of tap's own
 * (the API probe, the canary): the same timeouts, proxy and trusted certificates for both.
 */
export interface NetworkSettings {
  /** A TCP (or proxy tunnel) connection not made within this is given up. @default 5000 */
  readonly connectTimeoutMs: number;
  /** A connection on which no byte moves for this long is given up (the SDK then tries again). @default 15000 */
  readonly readTimeoutMs: number;
  /** A PEM file whose certificates replace the default trusted ones (AWS_CA_BUNDLE, a profile's ca_bundle). @default Node's */
  readonly caBundle?: Sourced<string>;
}

/**
 * tap's defaults. 5 s to connect, as the SDK's own "standard" defaults mode allows 3.1 s (a proxy
 * tunnel takes a round trip more); 15 s without a byte: AWS's control-plane answers come within a few
 * seconds, API Gateway's integrations end by 29 s with a first byte long before, and Live Tail sends
 * an update every second ("Every second, a LiveTailSessionUpdate object is sent", StartLiveTail API
 * reference). The SDK's handler starts counting a read timeout of 6 s or more 3 s after the request,
 * so with 5 attempts a stalled endpoint ends within 5 × 18 s plus the backoff: measured 91 s, the
 * README states 95 s.
 */
export const NETWORK_DEFAULTS = { connectTimeoutMs: 5_000, readTimeoutMs: 15_000 } as const;

/**
 * The proxy for a URL as the AWS CLI chooses it: HTTPS_PROXY for https, HTTP_PROXY for http, none for
 * a host NO_PROXY names; lower case wins over upper case ("if you specify a variable twice using
 * different cases, the lowercase letters take precedence", AWS CLI User Guide, "Using an HTTP proxy").
 */
export function proxyFor(url: URL): string | undefined {
  return getProxyForUrl(url) || undefined;
}

/** An http(s) URL, or a usage error naming where it was given and an example (exit 2, before any call). */
export function checkedUrl(text: string, from: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new UsageError(`invalid ${from} '${text}': expected an http:// or https:// URL, e.g. ${example}`);
  return text;
}

/** The proxy variables that are set, each checked as a URL (proxy-from-env would take `host:port` as a scheme). */
export function checkProxyVariables(env: Record<string, string | undefined>): void {
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']) {
    if (env[name]) checkedUrl(env[name], name, 'http://proxy.example.com:3128');
  }
}

/** The CA bundle's certificates, read once; an unreadable file is the user's to fix (exit 3). */
function caOf(settings: NetworkSettings): Buffer | undefined {
  const bundle = settings.caBundle;
  if (!bundle) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(bundle.value);
  } catch (error) {
    throw new AwsError(`cannot read the CA bundle ${bundle.value} (${bundle.from}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
      code: 'CaBundleUnreadable',
      hint: 'point AWS_CA_BUNDLE (or the profile\'s ca_bundle) at a PEM file of the certificates to trust',
    });
  }
  // Node takes a file without a certificate in it and then trusts nothing: say so here, not as every server's fault.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AwsError(`the CA bundle ${bundle.value} (${bundle.from}) holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      code: 'CaBundleUnreadable',
      hint: 'point it at the PEM file of your CA (e.g. exported from the proxy that inspects TLS)',
    });
  }
  return pem;
}

/**
 * The SDK's request handler: a NodeHttpHandler per proxy (and one for direct connections), chosen
 * per request, each with tap's timeouts and the CA bundle. The SDK's retry strategy runs above it.
 */
export async function sdkRequestHandler(settings: NetworkSettings): Promise<SdkRequestHandler> {
  const { NodeHttpHandler } = await import('@smithy/node-http-handler');
  const ca = caOf(settings);
  const handlers = new Map<string, InstanceType<typeof NodeHttpHandler>>();
  const timeouts = { connectionTimeout: settings.connectTimeoutMs, socketTimeout: settings.readTimeoutMs };
  const handlerFor = async (proxy: string | undefined): Promise<InstanceType<typeof NodeHttpHandler>> => {
    let handler = handlers.get(proxy ?? '');
    if (!handler) {
      const agents = proxy ? await proxyAgents(proxy, ca) : { httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50, ...(ca ? { ca } : {}) }) };
      handler = new NodeHttpHandler({ ...timeouts, ...agents });
      handlers.set(proxy ?? '', handler);
    }
    return handler;
  };
  return {
    // What NodeHttpHandler says of itself; the SDK's event-stream middleware reads it.
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
      const port = request.port ? `:${request.port}` : '';
      const handler = await handlerFor(proxyFor(new URL(`${request.protocol}//${request.hostname}${port}`)));
      return handler.handle(request as Parameters<typeof handler.handle>[0], options);
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    destroy: () => handlers.forEach((h) => h.destroy()),
  };
}

/** Agents that tunnel https through the proxy (CONNECT) and send http to it as absolute URLs, as the AWS CLI does. */
async function proxyAgents(proxy: string, ca: Buffer | undefined): Promise<{ httpAgent: import('node:http').Agent; httpsAgent: import('node:http').Agent }> {
  const [{ HttpsProxyAgent }, { HttpProxyAgent }] = await Promise.all([import('https-proxy-agent'), import('http-proxy-agent')]);
  // HttpsProxyAgent hands the request's options to the TLS connection it makes through the tunnel,
  // but not its own: the CA bundle is added to each request's.
  class Tunnel extends HttpsProxyAgent<string> {
    override connect(req: Parameters<InstanceType<typeof HttpsProxyAgent>['connect']>[0], opts: Parameters<InstanceType<typeof HttpsProxyAgent>['connect']>[1]) {
      return super.connect(req, ca ? ({ ...opts, ca } as typeof opts) : opts);
    }
  }
  return { httpsAgent: new Tunnel(proxy, { keepAlive: true }), httpAgent: new HttpProxyAgent(proxy, { keepAlive: true }) };
}

/**
 * `fetch` with the same layer (undici's): the proxy chosen per URL, the CA bundle for the target's
 * TLS, a connect timeout and a read timeout (headers, then each chunk of the body).
 */
export function networkFetch(settings: NetworkSettings): typeof fetch {
  let loaded: Promise<{ undici: typeof import('undici'); ca: Buffer | undefined }> | undefined;
  const dispatchers = new Map<string, import('undici').Dispatcher>();
  return (async (input: string | URL | Request, init?: RequestInit) => {
    loaded ??= import('undici').then((undici) => ({ undici, ca: caOf(settings) }));
    const { undici, ca } = await loaded;
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const proxy = proxyFor(url);
    let dispatcher = dispatchers.get(proxy ?? '');
    if (!dispatcher) {
      const tls = { timeout: settings.connectTimeoutMs, ...(ca ? { ca } : {}) };
      const read = { headersTimeout: settings.readTimeoutMs, bodyTimeout: settings.readTimeoutMs };
      dispatcher = proxy ? new undici.ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: tls, ...read }) : new undici.Agent({ connect: tls, ...read });
      dispatchers.set(proxy ?? '', dispatcher);
    }
    try {
      return (await undici.fetch(url, { ...(init as import('undici').RequestInit), dispatcher })) as unknown as Response;
    } catch (error) {
      // Named as the SDK's errors are: `cannot reach the HTTPS endpoint host (POST): ECONNREFUSED ...`.
      throw withCallContext(error, { service: url.protocol.replace(':', '').toUpperCase(), call: init?.method ?? 'GET', host: url.host, ...(proxy ? { proxy } : {}) });
    }
  });
}

/** What every SDK client is given as its `requestHandler`. */
export type SdkRequestHandler = RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> & { httpHandlerConfigs(): object; updateHttpClientConfig(): void };
