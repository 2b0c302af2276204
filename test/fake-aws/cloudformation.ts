import type { Change, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { validationError } from './errors.js';
import { Resolver, type ResourceHooks, type TemplateResource } from './resources.js';

type Template = { Resources?: Record<string, TemplateResource>; Outputs?: Record<string, { Value: unknown }>; Mappings?: Record<string, Record<string, Record<string, unknown>>> };

/** A deployed resource with its properties resolved, as the other fake services see it. */
export interface LiveResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly arn: string;
  readonly properties: Record<string, unknown>;
}

interface Resource {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: unknown;
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
  polls: number;
  clientToken?: string;
  rollbackTriggers?: { Arn?: string; Type?: string }[];
}

export interface FakeCloudFormationOptions {
  /** Events CloudFormation "makes" between two polls. */
  readonly eventsPerPoll: number;
  /** Page size of DescribeStackEvents, small so that tests cross pages. */
  readonly eventPageSize: number;
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

  constructor(
    private readonly hooks: ResourceHooks,
    private readonly now: () => Date,
    readonly region: string,
    readonly account: string,
    private readonly options: FakeCloudFormationOptions,
  ) {
    this.resolver = new Resolver(region, account);
  }

  // ---- API ----

  describeStacks(input: { StackName?: string; NextToken?: string }): { Stacks: Stack[]; NextToken?: string } {
    if (!input.StackName) {
      // Every stack that is not deleted, one page of two at a time (AWS pages at 100).
      const live = this.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
      const start = Number(input.NextToken ?? 0);
      const page = live.slice(start, start + 2).flatMap((s) => this.describeStacks({ StackName: s.id }).Stacks);
      return { Stacks: page, NextToken: start + 2 < live.length ? String(start + 2) : undefined };
    }
    const stack = this.find(input.StackName);
    this.tick(stack);
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
    if (!input.NextToken) this.tick(stack);
    const newestFirst = [...stack.events].reverse();
    const start = Number(input.NextToken ?? 0);
    const end = start + this.options.eventPageSize;
    return { StackEvents: newestFirst.slice(start, end), NextToken: end < newestFirst.length ? String(end) : undefined };
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
    if (body.length > 51_200 && input.TemplateBody) throw validationError(`1 validation error detected: Value '...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200`);
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
    const cs: FakeChangeSet = { id, name: input.ChangeSetName ?? '', stack, type: input.ChangeSetType ?? 'UPDATE', templateBody: body, tags, status: 'CREATE_PENDING', changes, polls: 0, clientToken: input.ClientToken, rollbackTriggers: input.RollbackConfiguration?.RollbackTriggers };
    this.changeSetsCreated++;
    this.changeSetsByStack.set(stack.name, (this.changeSetsByStack.get(stack.name) ?? 0) + 1);
    if (input.ClientToken) this.byClientToken.set(input.ClientToken, { Id: id, StackId: stack.id });
    if (changes.length === 0) {
      cs.statusReason = "The submitted information didn't contain changes. Submit different information to create a change set.";
    }
    this.changeSets.set(id, cs);
    return { Id: id, StackId: stack.id };
  }

  describeChangeSet(input: { ChangeSetName?: string; StackName?: string }) {
    const cs = this.changeSet(input.ChangeSetName ?? '', input.StackName);
    // Computed in the background: pending, in progress, then its final state.
    cs.polls++;
    if (cs.polls === 1) cs.status = 'CREATE_IN_PROGRESS';
    else if (cs.status === 'CREATE_IN_PROGRESS') cs.status = cs.statusReason ? 'FAILED' : 'CREATE_COMPLETE';
    return {
      ChangeSetId: cs.id,
      ChangeSetName: cs.name,
      StackId: cs.stack.id,
      StackName: cs.stack.name,
      Status: cs.status,
      StatusReason: cs.status === 'FAILED' ? cs.statusReason : undefined,
      ExecutionStatus: cs.status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
      Changes: cs.status === 'CREATE_COMPLETE' ? cs.changes : [],
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
    if (cs.status !== 'CREATE_COMPLETE') throw validationError(`ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`);
    const stack = cs.stack;
    // AWS deletes every change set of the stack once one is executed.
    for (const [id, other] of this.changeSets) if (other.stack === stack) this.changeSets.delete(id);
    const old = stack.templateBody;
    stack.templateBody = cs.templateBody;
    stack.tags = cs.tags;
    stack.updated = this.now();
    stack.token = input.ClientRequestToken;
    stack.operation = this.deploy(stack, cs, old, !input.DisableRollback);
    this.tick(stack, 1);
    return {};
  }

  deleteStack(input: { StackName?: string; ClientRequestToken?: string }) {
    const stack = this.find(input.StackName ?? '');
    if (stack.status === 'DELETE_COMPLETE') return {};
    if (input.ClientRequestToken && input.ClientRequestToken === stack.token) return {};
    if (stack.terminationProtection) throw validationError(`Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`);
    if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'REVIEW_IN_PROGRESS') throw validationError(`Stack [${stack.name}] is in ${stack.status} state`);
    stack.token = input.ClientRequestToken;
    stack.operation = this.remove(stack);
    this.tick(stack, 1);
    return {};
  }

  updateTerminationProtection(input: { StackName?: string; EnableTerminationProtection?: boolean }) {
    const stack = this.find(input.StackName ?? '');
    stack.terminationProtection = Boolean(input.EnableTerminationProtection);
    return { StackId: stack.id };
  }

  /** What drift detection finds: IN_SYNC, or DRIFTED with this many resources. */
  drift: { status: 'IN_SYNC' | 'DRIFTED'; resources: number } = { status: 'IN_SYNC', resources: 0 };
  private readonly detections = new Map<string, number>();

  detectStackDrift(input: { StackName?: string }) {
    this.find(input.StackName ?? '');
    const id = this.uuid();
    this.detections.set(id, 0);
    return { StackDriftDetectionId: id };
  }

  /** In progress on the first read, complete on the next. */
  describeStackDriftDetectionStatus(input: { StackDriftDetectionId?: string }) {
    const reads = (this.detections.get(input.StackDriftDetectionId ?? '') ?? 0) + 1;
    this.detections.set(input.StackDriftDetectionId ?? '', reads);
    if (reads === 1) return { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_IN_PROGRESS' };
    return { StackDriftDetectionId: input.StackDriftDetectionId, DetectionStatus: 'DETECTION_COMPLETE', StackDriftStatus: this.drift.status, DriftedStackResourceCount: this.drift.resources };
  }

  // ---- helpers for tests ----

  /** Runs the stack's current operation to its end, as if time passed. */
  settle(name: string): void {
    const stack = this.find(name);
    while (stack.operation) this.tick(stack, 1);
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

  private *deploy(stack: FakeStack, cs: FakeChangeSet, oldBody: string, rollback: boolean): Generator<void, void, void> {
    const creating = cs.type === 'CREATE';
    const verb = creating ? 'CREATE' : 'UPDATE';
    const template = JSON.parse(cs.templateBody) as Template;
    const before = new Map(stack.resources);
    stack.status = `${verb}_IN_PROGRESS`;
    yield this.event(stack, undefined, stack.status, 'User Initiated');
    const done: { change: Change; resource: Resource }[] = [];
    const changes = cs.changes.filter((c) => c.ResourceChange?.Action !== 'Remove');
    for (const [i, change] of changes.entries()) {
      const tripped = this.trippedTrigger(cs);
      if (tripped && !creating) return yield* this.rollBackOnAlarm(stack, done, before, oldBody, tripped);
      const id = change.ResourceChange?.LogicalResourceId ?? '';
      const add = change.ResourceChange?.Action === 'Add';
      const op = add ? 'CREATE' : 'UPDATE';
      const declared = template.Resources?.[id] ?? { Type: change.ResourceChange?.ResourceType ?? '' };
      yield this.event(stack, { logicalId: id, type: declared.Type, physicalId: '', properties: {} }, `${op}_IN_PROGRESS`);
      const physical = new Map([...stack.resources.values()].map((r) => [r.logicalId, r]));
      const resolved = this.resolver.resolve(declared.Properties ?? {}, physical);
      const refusal = this.failNext?.logicalId === id ? this.failNext.reason : this.hooks.refuse?.({ type: declared.Type, properties: resolved });
      if (refusal !== undefined) {
        const reason = refusal;
        if (this.failNext?.logicalId === id) this.failNext = undefined;
        const next = changes[i + 1]?.ResourceChange;
        if (next) yield this.event(stack, { logicalId: next.LogicalResourceId ?? '', type: next.ResourceType ?? '', physicalId: '', properties: {} }, `${next.Action === 'Add' ? 'CREATE' : 'UPDATE'}_IN_PROGRESS`);
        yield this.event(stack, { logicalId: id, type: declared.Type, physicalId: '', properties: {} }, `${op}_FAILED`, reason);
        if (next) yield this.event(stack, { logicalId: next.LogicalResourceId ?? '', type: next.ResourceType ?? '', physicalId: '', properties: {} }, `${next.Action === 'Add' ? 'CREATE' : 'UPDATE'}_FAILED`, `Resource ${next.Action === 'Add' ? 'creation' : 'update'} cancelled`);
        const failed = `The following resource(s) failed to ${op.toLowerCase()}: [${id}]. `;
        if (!rollback) {
          stack.status = `${verb}_FAILED`;
          stack.statusReason = failed;
          yield this.event(stack, undefined, stack.status, failed);
          stack.operation = undefined;
          return;
        }
        stack.status = creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
        stack.statusReason = `${failed}${creating ? 'Rollback requested by user.' : ''}`;
        yield this.event(stack, undefined, stack.status, stack.statusReason);
        for (const { change: c, resource } of done.reverse()) {
          if (c.ResourceChange?.Action === 'Add') {
            yield this.event(stack, resource, 'DELETE_IN_PROGRESS');
            this.hooks.delete(resource);
            stack.resources.delete(resource.logicalId);
            yield this.event(stack, resource, 'DELETE_COMPLETE');
          } else {
            yield this.event(stack, resource, 'UPDATE_COMPLETE');
          }
        }
        stack.templateBody = oldBody;
        stack.resources = creating ? new Map() : before;
        stack.status = creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
        yield this.event(stack, undefined, stack.status);
        stack.operation = undefined;
        return;
      }
      const resource = add
        ? { logicalId: id, type: declared.Type, physicalId: this.resolver.physicalId(id, declared, physical, stack.name), properties: declared.Properties }
        : { ...(stack.resources.get(id) as Resource), properties: declared.Properties };
      if (add) this.hooks.create({ ...resource, properties: resolved });
      stack.resources.set(id, resource);
      done.push({ change, resource });
      yield this.event(stack, resource, `${op}_COMPLETE`);
    }
    const removals = cs.changes.filter((c) => c.ResourceChange?.Action === 'Remove');
    if (!creating) {
      stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      yield this.event(stack, undefined, stack.status);
    }
    for (const c of removals) {
      const resource = stack.resources.get(c.ResourceChange?.LogicalResourceId ?? '');
      if (!resource) continue;
      yield this.event(stack, resource, 'DELETE_IN_PROGRESS');
      this.hooks.delete(resource);
      stack.resources.delete(resource.logicalId);
      yield this.event(stack, resource, 'DELETE_COMPLETE');
    }
    stack.status = `${verb}_COMPLETE`;
    stack.statusReason = undefined;
    yield this.event(stack, undefined, stack.status);
    stack.operation = undefined;
  }

  /**
   * Rollback triggers (a small hook beside the state machine): a trigger whose alarm is in ALARM, or
   * missing, during an update rolls it back. AWS documents that it does, not the event's sentence;
   * the fake's names the alarm by ARN.
   */
  private trippedTrigger(cs: FakeChangeSet): string | undefined {
    for (const t of cs.rollbackTriggers ?? []) {
      const state = this.alarmState?.(t.Arn ?? '');
      if (state === undefined) return `Rollback trigger ${t.Arn} does not exist`;
      if (state === 'ALARM') return `Received ALARM state from rollback trigger ${t.Arn}`;
    }
    return undefined;
  }

  private *rollBackOnAlarm(stack: FakeStack, done: { change: Change; resource: Resource }[], before: Map<string, Resource>, oldBody: string, reason: string): Generator<void, void, void> {
    stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    stack.statusReason = reason;
    yield this.event(stack, undefined, stack.status, reason);
    for (const { change, resource } of done.reverse()) {
      if (change.ResourceChange?.Action !== 'Add') yield this.event(stack, resource, 'UPDATE_COMPLETE');
      else {
        this.hooks.delete(resource);
        yield this.event(stack, resource, 'DELETE_COMPLETE');
      }
    }
    stack.templateBody = oldBody;
    stack.resources = before;
    stack.status = 'UPDATE_ROLLBACK_COMPLETE';
    yield this.event(stack, undefined, stack.status);
    stack.operation = undefined;
  }

  private *remove(stack: FakeStack): Generator<void, void, void> {
    stack.status = 'DELETE_IN_PROGRESS';
    yield this.event(stack, undefined, stack.status, 'User Initiated');
    const failed: string[] = [];
    for (const resource of [...stack.resources.values()].reverse()) {
      yield this.event(stack, resource, 'DELETE_IN_PROGRESS');
      try {
        this.hooks.delete(resource);
        stack.resources.delete(resource.logicalId);
        yield this.event(stack, resource, 'DELETE_COMPLETE');
      } catch (error) {
        failed.push(resource.logicalId);
        yield this.event(stack, resource, 'DELETE_FAILED', `${(error as Error).message} (Service: S3, Status Code: 409)`);
      }
    }
    stack.status = failed.length ? 'DELETE_FAILED' : 'DELETE_COMPLETE';
    stack.statusReason = failed.length ? `The following resource(s) failed to delete: [${failed.join(', ')}]. ` : undefined;
    yield this.event(stack, undefined, stack.status, stack.statusReason);
    stack.operation = undefined;
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

  private tick(stack: FakeStack, steps = this.options.eventsPerPoll): void {
    for (let i = 0; i < steps && stack.operation; i++) stack.operation.next();
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
