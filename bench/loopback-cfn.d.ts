export interface LoopbackStack {
  readonly stackName: string;
  /** The template GetTemplate answers with. */
  readonly template: string;
  readonly tags: Record<string, string>;
  /** Per action, the faults to answer the next calls with, in order: Throttling, ServiceUnavailable, InternalFailure. */
  readonly faults?: Record<string, string[]>;
  readonly sharedRole?: boolean;
  /** The ApiUrl output's value. @default https://api.example/dev/ */
  readonly apiUrl?: string;
  /** Serve HTTPS with this key and certificate (PEM). @default HTTP */
  readonly tls?: { key: string; cert: string };
}
export function startLoopbackCloudFormation(stack: LoopbackStack): Promise<{ url: string; requests: string[]; forms: URLSearchParams[]; close(): Promise<void> }>;
