export interface LoopbackStack {
  readonly stackName: string;
  /** The template GetTemplate answers with. */
  readonly template: string;
  readonly tags: Record<string, string>;
  /** Per action, the faults to answer the next calls with, in order: Throttling, ServiceUnavailable, InternalFailure. */
  readonly faults?: Record<string, string[]>;
}
export function startLoopbackCloudFormation(stack: LoopbackStack): Promise<{ url: string; requests: string[]; close(): Promise<void> }>;
