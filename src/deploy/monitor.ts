import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import type { Deps } from '../deps.js';
import { retryTransient } from '../aws/retry.js';
import { Aborted, JobFailed } from '../errors.js';
import { describeStack, stateOf, type StackInfo } from '../aws/stacks.js';
import type { StackEventRecord } from '../messages/deploy.js';

export type { StackEventRecord };

/** How often the stack's events are read. @default 2 s, as the issue and the console do */
export const POLL_MS = 2000;

/** One stack event, in the shape tap prints and streams. */

export interface Outcome {
  /** The stack's status when the operation ended. */
  readonly status: string;
  /** The first resource that failed for a reason of its own (not a cancellation caused by another). */
  readonly rootCause?: StackEventRecord;
  /** Every failed event, oldest first. */
  readonly failures: StackEventRecord[];
  /** Why the stack rolled back: the reason on its own first *ROLLBACK_IN_PROGRESS event. */
  readonly rollbackReason?: string;
  readonly events: number;
}

const toRecord = (e: StackEvent): StackEventRecord => ({
  eventId: e.EventId ?? '',
  timestamp: e.Timestamp?.toISOString(),
  logicalId: e.LogicalResourceId ?? '',
  type: e.ResourceType ?? '',
  status: e.ResourceStatus ?? '',
  reason: e.ResourceStatusReason,
});

const isFailure = (e: StackEventRecord): boolean => e.status.endsWith('_FAILED');
const isCancellation = (e: StackEventRecord): boolean => /cancell?ed/i.test(e.reason ?? '');

/** The stack to follow and, for an operation tap started, the `ClientRequestToken` it was sent with. */
export interface MonitoredStack {
  readonly id: string;
  readonly name: string;
  readonly token?: string;
}

/**
 * Follows one stack operation through `DescribeStackEvents`, like toolkit-lib's activity monitor:
 * events older than `start()` are ignored, each event is emitted once (by EventId), oldest first,
 * and the operation ends with the stack's own event in a status that is not `*_IN_PROGRESS`.
 * It emits `stack.event` messages; reporters draw them (spinner, lines, or NDJSON).
 */
export class StackMonitor {
  private readonly seen = new Set<string>();
  private readonly done = new Set<string>();
  private readonly events: StackEventRecord[] = [];

  private constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stack: MonitoredStack,
    private readonly deps: Deps,
  ) {}

  /** Call before the operation starts: what the stack's events hold now is history, not progress. */
  static async start(cfn: CloudFormationClient, stack: MonitoredStack, deps: Deps): Promise<StackMonitor> {
    const monitor = new StackMonitor(cfn, stack, deps);
    const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
    const page = await retryTransient(deps, POLL_MS, () => cfn.send(new DescribeStackEventsCommand({ StackName: stack.id })));
    for (const e of page.StackEvents ?? []) monitor.seen.add(e.EventId ?? '');
    return monitor;
  }

  /**
   * Polls until the operation ends. `total` is the number of resources it touches, for "N/M".
   * Ctrl-C stops the watching only: the stack operation goes on in CloudFormation.
   */
  async follow(total?: number): Promise<Outcome> {
    for (;;) {
      this.checkInterrupt();
      const fresh = await retryTransient(this.deps, POLL_MS, () => this.poll());
      for (const e of fresh) {
        const end = this.record(e, total);
        if (end) return this.outcome(end);
      }
      this.checkInterrupt();
      await this.deps.sleep(POLL_MS);
    }
  }

  private checkInterrupt(): void {
    if (this.deps.signal.aborted) {
      throw new Aborted(`Stopped watching ${this.stack.name}; CloudFormation goes on with the operation.`, {
        hint: 'run the same tap command again to wait for it, or `tap status` to look at the stack',
      });
    }
  }

  /** New events, oldest first. Pages are read newest first until an event already seen. */
  private async poll(): Promise<StackEventRecord[]> {
    const { paginateDescribeStackEvents } = await import('@aws-sdk/client-cloudformation');
    const fresh: StackEvent[] = [];
    pages: for await (const page of paginateDescribeStackEvents({ client: this.cfn }, { StackName: this.stack.id })) {
      for (const e of page.StackEvents ?? []) {
        if (this.seen.has(e.EventId ?? '')) break pages;
        fresh.push(e);
      }
    }
    // Marked seen only once every page was read: a poll that failed halfway is read again whole.
    for (const e of fresh) this.seen.add(e.EventId ?? '');
    return fresh.filter((e) => this.isOurs(e)).map(toRecord).reverse();
  }

  /**
   * CloudFormation gives every event of an operation the operation's `ClientRequestToken`: an event
   * with another token belongs to another operation (someone else's update, an earlier try), not to
   * ours. An event without one is taken by the watermark alone, as emulators (moto) set none.
   */
  private isOurs(e: StackEvent): boolean {
    return this.stack.token === undefined || e.ClientRequestToken === undefined || e.ClientRequestToken === this.stack.token;
  }

  /** Emits one event; returns it when it is the stack's own event that ends the operation. */
  private record(e: StackEventRecord, total?: number): StackEventRecord | undefined {
    this.events.push(e);
    const isStack = e.type === 'AWS::CloudFormation::Stack' && e.logicalId === this.stack.name;
    if (!isStack && (e.status.endsWith('_COMPLETE') || e.status === 'DELETE_SKIPPED')) this.done.add(e.logicalId);
    const progress = total ? { done: Math.min(this.done.size, total), total } : {};
    this.deps.io.notify({ level: isFailure(e) && !isCancellation(e) ? 'warn' : 'progress', code: 'stack.event', data: { ...e, ...progress } }, { stream: true });
    return isStack && !e.status.endsWith('_IN_PROGRESS') ? e : undefined;
  }

  private outcome(end: StackEventRecord): Outcome {
    const failures = this.events.filter(isFailure);
    const resourceFailures = failures.filter((e) => e.logicalId !== this.stack.name && !isCancellation(e));
    const rollback = this.events.find((e) => e.logicalId === this.stack.name && e.status.endsWith('ROLLBACK_IN_PROGRESS'));
    return { status: end.status, rootCause: resourceFailures[0] ?? failures[0], failures, events: this.events.length, rollbackReason: rollback?.reason };
  }
}

/**
 * Waits for an operation that someone else started to settle, then reads the stack again.
 * With `wait: false` it refuses instead, naming the operation.
 */
export async function settle(cfn: CloudFormationClient, stack: StackInfo, deps: Deps, wait: boolean): Promise<StackInfo | undefined> {
  if (!wait) {
    throw new JobFailed(`${stack.name} is ${stack.status}: another operation is running on it`, {
      code: 'StackBusy',
      hint: 'run again without --no-wait to wait for it to finish',
    });
  }
  deps.io.notify({ level: 'info', code: 'stack.waiting', data: { stack: stack.name, status: stack.status } });
  const monitor = await StackMonitor.start(cfn, stack, deps);
  // Read again after the watermark: an operation that ended in between has its last event behind it.
  const now = await describeStack(cfn, stack.name);
  if (!now || stateOf(now.status) !== 'in-progress') return now;
  await monitor.follow();
  return describeStack(cfn, stack.name);
}
