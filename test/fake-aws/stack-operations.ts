import type { Change } from '@aws-sdk/client-cloudformation';
import type { Resolver, ResourceHooks, TemplateResource } from './resources.js';

/**
 * CloudFormation's stack operations as state machines, in one place: each is a generator that
 * yields once per stack event, and the fake's clock runs one step per `eventMs` (see clock.ts), so a
 * stack moves while time passes, whoever reads it. The states follow the CloudFormation User Guide
 * ("Stack status codes"):
 * - create: CREATE_IN_PROGRESS -> CREATE_COMPLETE; on a failure ROLLBACK_IN_PROGRESS (created
 *   resources deleted) -> ROLLBACK_COMPLETE, or CREATE_FAILED with rollback disabled;
 * - update: UPDATE_IN_PROGRESS -> UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (removed resources deleted) ->
 *   UPDATE_COMPLETE; on a failure UPDATE_ROLLBACK_IN_PROGRESS (updated resources put back) ->
 *   UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS (resources the update created deleted) ->
 *   UPDATE_ROLLBACK_COMPLETE, or UPDATE_FAILED with rollback disabled;
 * - delete: DELETE_IN_PROGRESS -> DELETE_COMPLETE, or DELETE_FAILED when a resource cannot go.
 * A rollback starts in one place (`rollBack`); `hooks.rollbackTrigger` is consulted before each
 * resource of an update, so rollback triggers (a CloudWatch alarm in ALARM) can be one hook.
 */

type Template = { Resources?: Record<string, TemplateResource> };

export interface Resource {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: unknown;
}

/** What an operation changes on its stack. */
export interface OperatedStack {
  name: string;
  status: string;
  statusReason?: string;
  templateBody: string;
  resources: Map<string, Resource>;
  operation?: Generator<void, void, void>;
}

export interface OperationContext {
  readonly hooks: ResourceHooks & {
    /** A reason to roll the update back now (one of its change set's rollback triggers in ALARM), if there is one. */
    rollbackTrigger?(triggers: readonly { Arn?: string }[]): string | undefined;
  };
  readonly resolver: Resolver;
  /** Records a stack event (`resource` undefined: the stack's own). */
  event(stack: OperatedStack, resource: Resource | undefined, status: string, reason?: string): void;
  /** A resource that fails on its next create or update, with this reason (taken once). */
  takeFailure(logicalId: string): string | undefined;
}

const stub = (logicalId: string, type: string): Resource => ({ logicalId, type, physicalId: '', properties: {} });

export function* deploy(ctx: OperationContext, stack: OperatedStack, change: { type: string; templateBody: string; changes: Change[]; rollbackTriggers?: readonly { Arn?: string }[] }, oldBody: string, rollback: boolean): Generator<void, void, void> {
  const creating = change.type === 'CREATE';
  const verb = creating ? 'CREATE' : 'UPDATE';
  const template = JSON.parse(change.templateBody) as Template;
  const before = new Map(stack.resources);
  stack.status = `${verb}_IN_PROGRESS`;
  yield ctx.event(stack, undefined, stack.status, 'User Initiated');
  const done: { change: Change; resource: Resource }[] = [];
  const changes = change.changes.filter((c) => c.ResourceChange?.Action !== 'Remove');
  for (const [i, c] of changes.entries()) {
    const id = c.ResourceChange?.LogicalResourceId ?? '';
    const add = c.ResourceChange?.Action === 'Add';
    const op = add ? 'CREATE' : 'UPDATE';
    const declared = template.Resources?.[id] ?? { Type: c.ResourceChange?.ResourceType ?? '' };
    const triggered = creating ? undefined : ctx.hooks.rollbackTrigger?.(change.rollbackTriggers ?? []);
    if (triggered !== undefined) return yield* rollBack(ctx, stack, { creating, done, before, oldBody, reason: triggered });
    yield ctx.event(stack, stub(id, declared.Type), `${op}_IN_PROGRESS`);
    const physical = new Map([...stack.resources.values()].map((r) => [r.logicalId, r]));
    const resolved = ctx.resolver.resolve(declared.Properties ?? {}, physical);
    const refusal = ctx.takeFailure(id) ?? ctx.hooks.refuse?.({ type: declared.Type, properties: resolved });
    if (refusal !== undefined) {
      const next = changes[i + 1]?.ResourceChange;
      const nextOp = next?.Action === 'Add' ? 'CREATE' : 'UPDATE';
      if (next) yield ctx.event(stack, stub(next.LogicalResourceId ?? '', next.ResourceType ?? ''), `${nextOp}_IN_PROGRESS`);
      yield ctx.event(stack, stub(id, declared.Type), `${op}_FAILED`, refusal);
      if (next) yield ctx.event(stack, stub(next.LogicalResourceId ?? '', next.ResourceType ?? ''), `${nextOp}_FAILED`, `Resource ${nextOp === 'CREATE' ? 'creation' : 'update'} cancelled`);
      const failed = `The following resource(s) failed to ${op.toLowerCase()}: [${id}]. `;
      if (rollback) return yield* rollBack(ctx, stack, { creating, done, before, oldBody, reason: `${failed}${creating ? 'Rollback requested by user.' : ''}` });
      stack.status = `${verb}_FAILED`;
      stack.statusReason = failed;
      yield ctx.event(stack, undefined, stack.status, failed);
      stack.operation = undefined;
      return;
    }
    const resource = add
      ? { logicalId: id, type: declared.Type, physicalId: ctx.resolver.physicalId(id, declared, physical, stack.name), properties: declared.Properties }
      : { ...(stack.resources.get(id) as Resource), properties: declared.Properties };
    if (add) ctx.hooks.create({ ...resource, properties: resolved });
    stack.resources.set(id, resource);
    done.push({ change: c, resource });
    yield ctx.event(stack, resource, `${op}_COMPLETE`);
  }
  if (!creating) {
    stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    yield ctx.event(stack, undefined, stack.status);
  }
  for (const c of change.changes.filter((x) => x.ResourceChange?.Action === 'Remove')) {
    const resource = stack.resources.get(c.ResourceChange?.LogicalResourceId ?? '');
    if (resource) yield* deleteResource(ctx, stack, resource);
  }
  stack.status = `${verb}_COMPLETE`;
  stack.statusReason = undefined;
  yield ctx.event(stack, undefined, stack.status);
  stack.operation = undefined;
}

/** Rolls a failed (or triggered) create or update back, through the documented states. */
function* rollBack(
  ctx: OperationContext,
  stack: OperatedStack,
  o: { creating: boolean; done: { change: Change; resource: Resource }[]; before: Map<string, Resource>; oldBody: string; reason: string },
): Generator<void, void, void> {
  const added = o.done.filter((d) => d.change.ResourceChange?.Action === 'Add').map((d) => d.resource).reverse();
  stack.status = o.creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS';
  stack.statusReason = o.reason;
  yield ctx.event(stack, undefined, stack.status, o.reason);
  if (!o.creating) {
    // Resources the update changed go back to their old definition first ...
    for (const { resource } of o.done.filter((d) => d.change.ResourceChange?.Action !== 'Add').reverse()) {
      yield ctx.event(stack, resource, 'UPDATE_IN_PROGRESS');
      yield ctx.event(stack, resource, 'UPDATE_COMPLETE');
    }
    stack.templateBody = o.oldBody;
    stack.status = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
    yield ctx.event(stack, undefined, stack.status);
  }
  // ... then what it created is deleted (for a create, everything it created).
  for (const resource of added) yield* deleteResource(ctx, stack, resource);
  stack.templateBody = o.oldBody;
  stack.resources = o.creating ? new Map() : o.before;
  stack.status = o.creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
  yield ctx.event(stack, undefined, stack.status);
  stack.operation = undefined;
}

function* deleteResource(ctx: OperationContext, stack: OperatedStack, resource: Resource): Generator<void, void, void> {
  yield ctx.event(stack, resource, 'DELETE_IN_PROGRESS');
  ctx.hooks.delete(resource);
  stack.resources.delete(resource.logicalId);
  yield ctx.event(stack, resource, 'DELETE_COMPLETE');
}

export function* remove(ctx: OperationContext, stack: OperatedStack): Generator<void, void, void> {
  stack.status = 'DELETE_IN_PROGRESS';
  yield ctx.event(stack, undefined, stack.status, 'User Initiated');
  const failed: string[] = [];
  for (const resource of [...stack.resources.values()].reverse()) {
    yield ctx.event(stack, resource, 'DELETE_IN_PROGRESS');
    try {
      ctx.hooks.delete(resource);
      stack.resources.delete(resource.logicalId);
      yield ctx.event(stack, resource, 'DELETE_COMPLETE');
    } catch (error) {
      failed.push(resource.logicalId);
      yield ctx.event(stack, resource, 'DELETE_FAILED', `${(error as Error).message} (Service: S3, Status Code: 409)`);
    }
  }
  stack.status = failed.length ? 'DELETE_FAILED' : 'DELETE_COMPLETE';
  stack.statusReason = failed.length ? `The following resource(s) failed to delete: [${failed.join(', ')}]. ` : undefined;
  yield ctx.event(stack, undefined, stack.status, stack.statusReason);
  stack.operation = undefined;
}
