import type { Change, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { validationError } from './errors.js';
import { page } from './paging.js';
import type { FakeClock } from './clock.js';
import { Resolver, type ResourceHooks, type TemplateResource } from './resources.js';
import { deploy, remove, type OperationContext, type Resource } from './stack-operations.js';

type Template = { Resources?: Record<string, TemplateResource>; Outputs?: Record<string, { Value: unknown }>; Mappings?: Record<string, Record<string, Record<string, unknown>>> };

/** A deployed resource with its properties resolved, as the other fake services see it. */
export interface LiveResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly arn: string;
  readonly properties: Record<string, unknown>;
}

interface FakeStack {
  id: string;
  name: string;
  status: string;
  statusReason?: string;
  templateBody: string;
  tags: Record<string, string>;
  terminationProtection: boolean;
  resources: Map<string, Resource>;
  events: StackEvent[]; // oldest first; served newest first
  created: Date;
  updated?: Date;
  operation?: Generator<void, void, void>;
  /** When the operation's next step falls due (the fake's clock, in ms). */
  nextStepAt?: number;
  /** The ClientRequestToken of the latest operation; its events carry it. */
  token?: string;
}

interface FakeChangeSet {
  id: string;
  name: string;
  stack: FakeStack;
  type: string;
  templateBody: string;
  tags: Record<string, string>;
  status: string;
  statusReason?: string;
  changes: Change[];
  /** When it was created (the fake's clock, in ms): it is computed `changeSetMs` later. */
  createdAt: number;
  clientToken?: string;
  rollbackTriggers?: { Arn?: string; Type?: string }[];
}

export interface FakeCloudFormationOptions {
  /** Fake time between two events of a stack operation (AWS documents none; the fake's choice). */
  readonly eventMs: number;
  /** Fake time a change set takes to be computed (the fake's choice). */
  readonly changeSetMs: number;
  /** Page size of DescribeStackEvents, small so that tests cross pages (AWS documents none). */
  readonly eventPageSize: number;
  /** Changes per DescribeChangeSet page (AWS pages by size and documents no count). */
  readonly changeSetPageSize: number;
  /** Stacks per DescribeStacks page when no stack is named (AWS documents no page size). */
  readonly stackPageSize: number;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * CloudFormation as tap drives it, following the AWS API reference: stacks made by CREATE change
 * sets start in REVIEW_IN_PROGRESS; change sets are computed asynchronously and fail with "The
 * submitted information didn't contain changes" when empty; executing one runs the operation in
 * the background, one event at a time, newest events first in DescribeStackEvents; a failed
 * resource cancels the others and rolls back (or stops, with DisableRollback); DeleteStack refuses
 * termination-protected stacks and ends DELETE_FAILED when a resource cannot be deleted (a bucket
 * that is not empty); a deleted stack is found by its ARN only, as DELETE_COMPLETE.
 */
export class FakeCloudFormation {
  readonly stacks: FakeStack[] = [];
  private readonly changeSets = new Map<string, FakeChangeSet>();
  /** The stack name of every change set created, in order (tests read which stack went first). */
  readonly changeSetLog: string[] = [];
  private readonly resolver: Resolver;
  private seq = 0;
  /** Change sets made, by ClientToken when one was given: a repeated CreateChangeSet with a token gets the first answer. */
  private readonly byClientToken = new Map<string, { Id: string; StackId: string }>();
  /** Every change set ever created (a retried request that CloudFormation recognised is not counted twice). */
  changeSetsCreated = 0;
  /** The same, by stack name. */
  readonly changeSetsByStack = new Map<string, number>();
  /** Make this resource fail on its next create or update, with this reason. */
  failNext?: { logicalId: string; reason: string };
  /** A rollback trigger's alarm state by ARN (undefined: no such alarm); FakeAws reads its CloudWatch. */
  alarmState?: (arn: string) => string | undefined;
  private readonly now: () => Date;
  private readonly operations: OperationContext;

  constructor(
    private readonly hooks: ResourceHooks,
    private readonly clock: FakeClock,
    readonly region: string,
    readonly account: string,
    private readonly options: FakeCloudFormationOptions,
  ) {
    this.resolver = new Resolver(region, account);
    this.now = clock.stamp;
    this.operations = {
      hooks: { ...hooks, rollbackTrigger: (triggers) => this.trippedTrigger(triggers) },
      resolver: this.resolver,
      event: (stack, resource, status, reason) => this.event(stack as FakeStack, resource, status, reason),
      takeFailure: (id) => {
        if (this.failNext?.logicalId !== id) return undefined;
        const { reason } = this.failNext;
        this.failNext = undefined;
        return reason;
      },
    };
    // Operations move with the clock: every step that has fallen due by `now` happens.
    clock.onAdvance((now) => {
      for (const stack of this.stacks) while (stack.operation && (stack.nextStepAt ?? Infinity) <= now) this.step(stack);
    });
  }

  // ---- API ----

  describeStacks(input: { StackName?: string; NextToken?: string }): { Stacks: Stack[]; NextToken?: string } {
    if (!input.StackName) {
      // Every stack that is not deleted, in pages (AWS documents no page size; the fake's is small).
      const { items, NextToken } = page(this.stacks.filter((s) => s.status !== 'DELETE_COMPLETE'), input.NextToken, this.options.stackPageSize);
      return { Stacks: items.flatMap((s) => this.describeStacks({ StackName: s.id }).Stacks), NextToken };
    }
    const stack = this.find(input.StackName);
    const template = JSON.parse(stack.templateBody) as Template;
    const physical = new Map([...stack.resources.values()].map((r) => [r.logicalId, r]));
    const mappings = template.Mappings ?? {};
    return {
      Stacks: [
        {
          StackId: stack.id,
          StackName: stack.name,
          StackStatus: stack.status as Stack["StackStatus"],
          StackStatusReason: stack.statusReason,
          CreationTime: stack.created,
          LastUpdatedTime: stack.updated,
          EnableTerminationProtection: stack.terminationProtection,
          Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
          Parameters: [],
          Outputs: /COMPLETE$/.test(stack.status)
            ? Object.entries(template.Outputs ?? {}).map(([OutputKey, o]) => ({ OutputKey, OutputValue: String(this.resolver.resolve(o.Value, physical, mappings)) }))
            : [],
        },
      ],
    };
  }

  describeStackEvents(input: { StackName?: string; NextToken?: string }) {
    const stack = this.find(input.StackName ?? '');
    // Newest first. The token marks a place in the history, not an offset from the newest, so that
    // events added while the pages are read do not shift them (as AWS's tokens do not).
    const end = input.NextToken === undefined ? stack.events.length : Number(input.NextToken);
    const start = Math.max(0, end - this.options.eventPageSize);
    return { StackEvents: stack.events.slice(start, end).reverse(), NextToken: start > 0 ? String(start) : undefined };
  }

  describeStackResources(input: { StackName?: string; PhysicalResourceId?: string }) {
    // By a physical id: the resources of the live stack that holds it (AWS: "Stack for <id> does not exist").
    const stack = input.PhysicalResourceId
      ? this.stacks.find((s) => s.status !== 'DELETE_COMPLETE' && [...s.resources.values()].some((r) => r.physicalId === input.PhysicalResourceId))
      : this.find(input.StackName ?? '');
    if (!stack) throw validationError(`Stack for ${input.PhysicalResourceId} does not exist`);
    return {
      StackResources: [...stack.resources.values()].map((r) => ({
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        ResourceStatus: 'CREATE_COMPLETE',
        StackName: stack.name,
        StackId: stack.id,
        Timestamp: this.now(),
      })),
    };
  }

  getTemplate(input: { StackName?: string }) {
    const stack = this.find(input.StackName ?? '');
    if (stack.status === 'DELETE_COMPLETE') throw validationError(`Stack with id ${input.StackName} does not exist`);
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }

  createChangeSet(input: { StackName?: string; ChangeSetName?: string; ChangeSetType?: string; TemplateBody?: string; TemplateURL?: string; Tags?: { Key?: string; Value?: string }[]; ClientToken?: string; RollbackConfiguration?: { RollbackTriggers?: { Arn?: string; Type?: string }[] } }, templateFromUrl: (url: string) => string) {
    const repeated = input.ClientToken ? this.byClientToken.get(input.ClientToken) : undefined;
    if (repeated) return repeated;
    const name = input.StackName ?? '';
    this.changeSetLog.push(name);
    if (!NAME_RE.test(input.ChangeSetName ?? '')) throw validationError(`1 validation error detected: Value '${input.ChangeSetName}' at 'changeSetName' failed to satisfy constraint`);
    const body = input.TemplateBody ?? (input.TemplateURL ? templateFromUrl(input.TemplateURL) : undefined);
    if (!body) throw validationError('Either Template URL or Template Body must be specified.');
    // CloudFormation's quotas are bytes: TemplateBody 51,200; a template read from S3 "1 MB" in the
    // quotas table, which its error names as 1,000,000 ("Template may not exceed 1000000 bytes in size.").
    if (input.TemplateBody && Buffer.byteLength(body) > 51_200) throw validationError(`1 validation error detected: Value '...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200`);
    if (Buffer.byteLength(body) > 1_000_000) throw validationError('Template may not exceed 1000000 bytes in size.');
    let stack = this.live(name);
    if (input.ChangeSetType === 'CREATE') {
      if (stack && stack.status !== 'REVIEW_IN_PROGRESS') throw validationError(`Stack [${name}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`);
      if (!stack) {
        stack = this.newStack(name);
        this.event(stack, undefined, 'REVIEW_IN_PROGRESS', 'User Initiated');
      }
    } else {
      if (!stack) throw validationError(`Stack [${name}] does not exist`);
      if (stack.status === 'REVIEW_IN_PROGRESS' || stack.status.endsWith('_IN_PROGRESS')) throw validationError(`Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    const tags = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const id = `arn:aws:cloudformation:${this.region}:${this.account}:changeSet/${input.ChangeSetName}/${this.uuid()}`;
    const changes = this.diff(stack, body, tags);
    if ([...this.changeSets.values()].some((c) => c.stack === stack && c.name === input.ChangeSetName)) {
      throw Object.assign(validationError(`ChangeSet ${input.ChangeSetName} already exists`), { name: 'AlreadyExistsException' });
    }
    const cs: FakeChangeSet = { id, name: input.ChangeSetName ?? '', stack, type: input.ChangeSetType ?? 'UPDATE', templateBody: body, tags, status: 'CREATE_PENDING', changes, createdAt: this.clock.ms, clientToken: input.ClientToken, rollbackTriggers: input.RollbackConfiguration?.RollbackTriggers };
    this.changeSetsCreated++;
    this.changeSetsByStack.set(stack.name, (this.changeSetsByStack.get(stack.name) ?? 0) + 1);
    if (input.ClientToken) this.byClientToken.set(input.ClientToken, { Id: id, StackId: stack.id });
    if (changes.length === 0) {
      cs.statusReason = "The submitted information didn't contain changes. Submit different information to create a change set.";
    }
    this.changeSets.set(id, cs);
    return { Id: id, StackId: stack.id };
  }

  describeChangeSet(input: { ChangeSetName?: string; StackName?: string; NextToken?: string }) {
    const cs = this.changeSet(input.ChangeSetName ?? '', input.StackName);
    this.compute(cs);
    const rows = page(cs.status === 'CREATE_COMPLETE' ? cs.changes : [], input.NextToken, this.options.changeSetPageSize);
    return {
      ChangeSetId: cs.id,
      ChangeSetName: cs.name,
      StackId: cs.stack.id,
      StackName: cs.stack.name,
      Status: cs.status,
      StatusReason: cs.status === 'FAILED' ? cs.statusReason : undefined,
      ExecutionStatus: cs.status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
      Changes: rows.items,
      NextToken: rows.NextToken,
    };
  }

  deleteChangeSet(input: { ChangeSetName?: string; StackName?: string }) {
    const cs = this.changeSet(input.ChangeSetName ?? '', input.StackName);
    this.changeSets.delete(cs.id);
    return {};
  }

  executeChangeSet(input: { ChangeSetName?: string; StackName?: string; DisableRollback?: boolean; ClientRequestToken?: string }) {
    // The same request again (same token): CloudFormation knows it and starts nothing new.
    if (input.ClientRequestToken && this.stacks.some((st) => st.token === input.ClientRequestToken)) return {};
    const cs = this.changeSet(input.ChangeSetName ?? '', input.StackName);
    this.compute(cs);
    if (cs.status !== 'CREATE_COMPLETE') throw validationError(`ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`);
    const stack = cs.stack;
    // AWS deletes every change set of the stack once one is executed.
    for (const [id, other] of this.changeSets) if (other.stack === stack) this.changeSets.delete(id);
    const old = stack.templateBody;
    stack.templateBody = cs.templateBody;
    stack.tags = cs.tags;
    stack.updated = this.now();
    stack.token = input.ClientRequestToken;
    this.start(stack, deploy(this.operations, stack, cs, old, !input.DisableRollback));
    return {};
  }

  deleteStack(input: { StackName?: string; ClientRequestToken?: string }) {
    const stack = this.find(input.StackName ?? '');
    if (stack.status === 'DELETE_COMPLETE') return {};
    if (input.ClientRequestToken && input.ClientRequestToken === stack.token) return {};
    if (stack.terminationProtection) throw validationError(`Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`);
    if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS') throw validationError(`Stack [${stack.name}] is in ${stack.status} state`);
    stack.token = input.ClientRequestToken;
    this.start(stack, remove(this.operations, stack));
    return {};
  }

  updateTerminationProtection(input: { StackName?: string; EnableTerminationProtection?: boolean }) {
    const stack = this.find(input.StackName ?? '');
    stack.terminationProtection = Boolean(input.EnableTerminationProtection);
    return { StackId: stack.id };
  }

  /** What drift detection finds: IN_SYNC, or DRIFTED with this many resources. */
  drift: { status: 'IN_SYNC' | 'DRIFTED'; resources: number } = { status: 'IN_SYNC', resources: 0 };
  /** Drift detections by id: when each started (the fake's clock, ms); each takes a second (the fake's choice). */
  private readonly detections = new Map<string, number>();

  detectStackDrift(input: { StackName?: string }) {
    this.find(input.StackName ?? '');
    const id = this.uuid();
    this.detections.set(id, this.clock.ms);
    return { StackDriftDetectionId: id };
  }

  /** In progress for a second of the fake's clock, then complete. */
  describeStackDriftDetectionStatus(input: { StackDriftDetectionId?: string }) {
    const started = this.detections.get(input.StackDriftDetectionId ?? '') ?? 0;
    if (this.clock.ms - started < 1000) return { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_IN_PROGRESS' };
    return { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: this.drift.status, DriftedStackResourceCount: this.drift.resources };
  }

  // ---- helpers for tests ----

  /** Runs the stack's current operation to its end, as if time passed. */
  settle(name: string): void {
    const stack = this.find(name);
    while (stack.operation) this.step(stack);
  }

  stack(name: string): FakeStack | undefined {
    return this.live(name);
  }

  /** Every deployed resource of a type, across live stacks, with resolved properties. */
  resources(type: string): LiveResource[] {
    return this.stacks
      .filter((s) => s.status !== 'DELETE_COMPLETE')
      .flatMap((stack) => {
        const mappings = (JSON.parse(stack.templateBody) as Template).Mappings ?? {};
        return [...stack.resources.values()]
          .filter((r) => r.type === type)
          .map((r) => ({
            stackName: stack.name,
            logicalId: r.logicalId,
            physicalId: r.physicalId,
            arn: this.resolver.arn(r.type, r.physicalId),
            properties: (this.resolver.resolve(r.properties ?? {}, stack.resources, mappings) ?? {}) as Record<string, unknown>,
          }));
      });
  }

  // ---- behaviour ----

  /**
   * Rollback triggers: a trigger whose alarm is in ALARM, or missing, during an update rolls it back
   * (CloudFormation User Guide, "Roll back a CloudFormation stack ... rollback triggers"). AWS documents
   * that it does, not the event's sentence; the fake's names the alarm by ARN.
   */
  private trippedTrigger(triggers: readonly { Arn?: string }[]): string | undefined {
    for (const t of triggers) {
      const state = this.alarmState?.(t.Arn ?? '');
      if (state === undefined) return `Rollback trigger ${t.Arn} does not exist`;
      if (state === 'ALARM') return `Received ALARM state from rollback trigger ${t.Arn}`;
    }
    return undefined;
  }

  /** Resource changes between the stack's template and `body`, as a change set lists them. */
  private diff(stack: FakeStack, body: string, tags: Record<string, string>): Change[] {
    const before = stack.status === 'REVIEW_IN_PROGRESS' ? {} : ((JSON.parse(stack.templateBody) as Template).Resources ?? {});
    const after = (JSON.parse(body) as Template).Resources ?? {};
    const tagsChanged = JSON.stringify(stack.tags) !== JSON.stringify(tags);
    const row = (Action: string, id: string, r: TemplateResource, Replacement?: string): Change => ({
      Type: 'Resource',
      ResourceChange: { Action: Action as never, LogicalResourceId: id, ResourceType: r.Type, Replacement: Replacement as never },
    });
    const changes: Change[] = [];
    for (const [id, r] of Object.entries(after)) {
      const old = before[id];
      if (!old) changes.push(row('Add', id, r));
      else if (JSON.stringify(old) !== JSON.stringify(r)) changes.push(row('Modify', id, r, this.resolver.replaces(old, r) ? 'True' : 'False'));
      else if (tagsChanged) changes.push(row('Modify', id, r, 'False'));
    }
    for (const [id, r] of Object.entries(before)) if (!after[id]) changes.push(row('Remove', id, r));
    return changes;
  }

  /** A change set is computed in the background: in progress until `changeSetMs` has passed, then its final state. */
  private compute(cs: FakeChangeSet): void {
    if (cs.status !== 'CREATE_PENDING' && cs.status !== 'CREATE_IN_PROGRESS') return;
    cs.status = this.clock.ms - cs.createdAt < this.options.changeSetMs ? 'CREATE_IN_PROGRESS' : cs.statusReason ? 'FAILED' : 'CREATE_COMPLETE';
  }

  /** Starts an operation: its first event at once (the stack is *_IN_PROGRESS when the call returns), the rest with the clock. */
  private start(stack: FakeStack, operation: Generator<void, void, void>): void {
    stack.operation = operation;
    stack.nextStepAt = this.clock.ms;
    this.step(stack);
  }

  private step(stack: FakeStack): void {
    stack.operation?.next();
    stack.nextStepAt = (stack.nextStepAt ?? this.clock.ms) + this.options.eventMs;
  }

  private event(stack: FakeStack, resource: Resource | undefined, status: string, reason?: string): void {
    stack.events.push({
      StackId: stack.id,
      StackName: stack.name,
      EventId: resource ? `${resource.logicalId}-${status}-${this.uuid()}` : this.uuid(),
      LogicalResourceId: resource?.logicalId ?? stack.name,
      PhysicalResourceId: resource ? resource.physicalId : stack.id,
      ResourceType: resource?.type ?? 'AWS::CloudFormation::Stack',
      ResourceStatus: status as never,
      ResourceStatusReason: reason,
      Timestamp: this.now(),
      // Every event of an operation carries the token it was started with (none for a change set's REVIEW_IN_PROGRESS).
      ...(stack.token && stack.operation ? { ClientRequestToken: stack.token } : {}),
    });
  }

  private newStack(name: string): FakeStack {
    const stack: FakeStack = {
      id: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${name}/${this.uuid()}`,
      name,
      status: 'REVIEW_IN_PROGRESS',
      templateBody: '{}',
      tags: {},
      terminationProtection: false,
      resources: new Map(),
      events: [],
      created: this.now(),
    };
    this.stacks.push(stack);
    return stack;
  }

  /** A stack by name (not deleted) or by ARN (also deleted), or CloudFormation's "does not exist". */
  private find(nameOrId: string): FakeStack {
    const stack = nameOrId.startsWith('arn:') ? this.stacks.find((s) => s.id === nameOrId) : this.live(nameOrId);
    if (!stack) throw validationError(`Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  private live(name: string): FakeStack | undefined {
    return this.stacks.find((s) => s.name === name && s.status !== 'DELETE_COMPLETE');
  }

  private changeSet(nameOrId: string, stackName?: string): FakeChangeSet {
    const cs = this.changeSets.get(nameOrId) ?? [...this.changeSets.values()].find((c) => c.name === nameOrId && (c.stack.name === stackName || c.stack.id === stackName));
    if (!cs) throw Object.assign(validationError(`ChangeSet [${nameOrId}] does not exist`), { name: 'ChangeSetNotFoundException' });
    return cs;
  }

  private uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}`;
  }
}
