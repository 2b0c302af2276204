import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FakeClock } from './clock.js';
import type { FakeCloudFormation, LiveResource } from './cloudformation.js';
import { awsError } from './errors.js';
import { page } from './paging.js';
import { authorizationError } from './sigv4.js';
import { FakeXRay, type Segment } from './xray.js';
import type { FakeLogs } from './logs.js';
import type { FakeS3 } from './s3.js';

const require = createRequire(import.meta.url);
type Handler = { handle(event: unknown, context: unknown, deps: unknown): Promise<{ statusCode: number; headers?: Record<string, string>; body: string }> };
type Processor = { handle(event: unknown, deps: unknown): Promise<unknown> };
// The real function code, run as Lambda would run it.
const handlerModule = require('../../src/stack/functions/handler.cjs') as Handler;
const processorModule = require('../../src/stack/functions/processor.cjs') as Processor;

/** An event as EventBridge delivers it to a target (and keeps it in an archive). */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  'replay-name'?: string;
}

interface FakeReplay {
  name: string;
  arn: string;
  source: string;
  bus: string;
  destination?: string;
  filter?: string[];
  from: Date;
  to: Date;
  state: string;
  reason?: string;
  queue: BusEvent[];
  last?: Date;
  started: Date;
  ended?: Date;
  failure?: string;
  /** When the replay moves on next (the fake's clock, ms); none once it has ended. */
  nextStepAt?: number;
}


/**
 * The running env behind a deployed fake stack: API Gateway stages that run the real handler code,
 * an EventBridge bus whose rules deliver (`deliveryDelayMs` of the fake's clock later, as delivery is
 * asynchronous) to the real processor code, which writes receipts into the fake S3, and X-Ray,
 * which assembles one trace from the segments of each hop. Configuration reads (Lambda, API
 * Gateway, X-Ray groups, EventBridge, SQS) answer from the deployed resources' properties, so a
 * test breaks the env by changing a property.
 */
export class FakeServerless {
  /** X-Ray, which the hops write their segments to. */
  readonly xray: FakeXRay;
  /** Events kept by each archive (by archive name), as EventBridge archives them. */
  readonly archived = new Map<string, BusEvent[]>();
  /** Archive states other than ENABLED (DISABLED, UPDATE_FAILED, ...), by archive name. */
  readonly archiveState = new Map<string, string>();
  /** Messages waiting in each queue, by queue name. */
  readonly queueDepth = new Map<string, number>();
  /** What the functions logged, as their log groups would hold it. */
  readonly logs: { fn: string; line: string }[] = [];
  /** CloudWatch Logs, where each invocation and each request through a stage with access logging is written as Lambda and API Gateway write them. */
  cloudWatchLogs?: Pick<FakeLogs, 'invocation' | 'access'>;
  /** The account's access keys and their secrets, as IAM authorization checks signatures (runTap signs with test/test). */
  readonly accessKeys = new Map([['test', 'test']]);
  /** Fake time between PutEvents and the target's invocation (delivery is asynchronous; AWS documents no figure). */
  deliveryDelayMs = 300;
  private readonly pending: { due: number; run: () => Promise<void> }[] = [];
  private seq = 0;
  private readonly now: () => Date;

  constructor(
    private readonly cfn: FakeCloudFormation,
    private readonly s3: FakeS3,
    private readonly clock: FakeClock,
  ) {
    this.now = clock.stamp;
    this.xray = new FakeXRay(cfn);
    clock.onAdvance((now) => this.runDue(now));
  }

  /** Lets a call's worth of time pass (a test's way to let deliveries happen). */
  pump(): Promise<void> {
    return this.clock.advance(this.clock.callMs);
  }

  /** What has fallen due by `now`: replay steps, then deliveries. */
  private async runDue(now: number): Promise<void> {
    for (const r of this.replays.values()) while (r.nextStepAt !== undefined && r.nextStepAt <= now) this.stepReplay(r);
    const due = this.pending.filter((p) => p.due <= now);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.due > now));
    for (const p of due) await p.run();
  }

  // ---- configuration reads ----

  functionConfiguration(name: string) {
    const fn = this.one('AWS::Lambda::Function', (r) => r.physicalId === name, 'ResourceNotFoundException', `Function not found: ${name}`);
    const p = fn.properties as { Runtime?: string; MemorySize?: number; TracingConfig?: { Mode?: string }; Layers?: string[]; Environment?: { Variables?: Record<string, string> } };
    return {
      FunctionName: fn.physicalId,
      FunctionArn: fn.arn,
      Runtime: p.Runtime,
      MemorySize: p.MemorySize ?? 128,
      TracingConfig: { Mode: p.TracingConfig?.Mode ?? 'PassThrough' },
      Layers: (p.Layers ?? []).map((Arn) => ({ Arn })),
      Environment: { Variables: p.Environment?.Variables ?? {} },
    };
  }

  stage(restApiId: string, stageName: string) {
    const stage = this.one('AWS::ApiGateway::Stage', (r) => r.properties.RestApiId === restApiId && r.physicalId === stageName, 'NotFoundException', 'Invalid stage identifier specified');
    const p = stage.properties as { TracingEnabled?: boolean; AccessLogSetting?: { DestinationArn?: string; Format?: string } };
    return { stageName, tracingEnabled: p.TracingEnabled ?? false, accessLogSettings: p.AccessLogSetting ? { destinationArn: p.AccessLogSetting.DestinationArn, format: p.AccessLogSetting.Format } : undefined };
  }

  eventBus(name: string) {
    const bus = this.one('AWS::Events::EventBus', (r) => r.physicalId === name, 'ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return { Name: name, Arn: bus.arn };
  }

  archive(name: string) {
    const a = this.one('AWS::Events::Archive', (r) => r.physicalId === name, 'ResourceNotFoundException', `Archive ${name} does not exist.`);
    const p = a.properties as { SourceArn?: string; RetentionDays?: number; EventPattern?: unknown };
    const events = this.archived.get(name) ?? [];
    return {
      ArchiveName: name,
      ArchiveArn: a.arn,
      EventSourceArn: p.SourceArn,
      State: this.archiveState.get(name) ?? 'ENABLED',
      RetentionDays: p.RetentionDays,
      EventPattern: JSON.stringify(p.EventPattern),
      EventCount: events.length,
      SizeBytes: events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0), // bytes of each event's JSON
      CreationTime: new Date('2026-11-20T00:00:00Z'),
    };
  }

  rule(name: string) {
    const r = this.one('AWS::Events::Rule', (x) => x.physicalId === name, 'ResourceNotFoundException', `Rule ${name} does not exist.`);
    const p = r.properties as { State?: string; EventPattern?: unknown; EventBusName?: string; Targets?: unknown[] };
    return { rule: { Name: name, Arn: r.arn, State: p.State, EventPattern: JSON.stringify(p.EventPattern), EventBusName: p.EventBusName }, targets: { Targets: p.Targets ?? [] } };
  }

  queueAttributes(url: string) {
    const name = url.split('/').pop() ?? '';
    this.one('AWS::SQS::Queue', (r) => r.physicalId === name, 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return { Attributes: { ApproximateNumberOfMessages: String(this.queueDepth.get(name) ?? 0) } };
  }

  // ---- the data path ----

  /** `fetch` for execute-api URLs: API Gateway in front of the real handler code. */
  async fetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    await this.pump();
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const [restApiId] = url.hostname.split('.');
    const [, stageName = '', ...rest] = url.pathname.split('/');
    const resource = `/${rest.join('/')}`;
    const method = (init.method ?? 'GET').toUpperCase();
    const api = this.cfn.resources('AWS::ApiGateway::RestApi').find((r) => r.physicalId === restApiId);
    const stage = api && this.cfn.resources('AWS::ApiGateway::Stage').find((r) => r.stackName === api.stackName && r.physicalId === stageName);
    if (!api || !stage) return Response.json({ message: 'Forbidden' }, { status: 403 });
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : '';
    // POST /events uses IAM authorization: only a request signed with the account's keys reaches the function.
    const denied = method === 'POST' ? await authorizationError({ method, url, headers, body }, this.accessKeys, this.clock.ms) : undefined;
    if (denied) return Response.json({ message: denied }, { status: 403 });
    const fn = this.functionConfiguration(`srv-handler-${stageName}`);
    const traceId = `1-${Math.floor(this.now().getTime() / 1000).toString(16)}-${this.hex(24)}`;
    const apiSegment = this.segment(traceId, `${String(api.properties.Name)}/${stageName}`, 'AWS::ApiGateway::Stage');
    const traceHeader = fn.TracingConfig.Mode === 'Active' ? this.lambdaSegments(traceId, fn.FunctionName, apiSegment.id) : undefined;
    const requestId = this.uuid();
    const reply = await this.logged(fn.FunctionName, { requestId, traceId: traceHeader && traceId }, () => handlerModule.handle(
      { httpMethod: method, resource, path: resource, body: typeof init.body === 'string' ? body : null, isBase64Encoded: false, headers: Object.fromEntries(headers) },
      { awsRequestId: requestId },
      { env: { ...fn.Environment.Variables, ...(traceHeader ? { _X_AMZN_TRACE_ID: traceHeader } : {}) }, putEvents: (entries: unknown[]) => this.putEvents(entries), randomUUID: () => this.hex(32) },
    ));
    // API Gateway's own request id: in its segment (aws.api_gateway.request_id) and its access log line ($context.requestId).
    const apiRequestId = this.uuid();
    if (stage.properties.TracingEnabled === true) {
      const aws = { api_gateway: { account_id: this.cfn.account, rest_api_id: restApiId, stage: stageName, request_id: apiRequestId } };
      this.record({ ...apiSegment, aws, http: { request: { method, url: url.toString() }, response: { status: reply.statusCode } }, ...(reply.statusCode >= 500 ? { fault: true } : reply.statusCode >= 400 ? { error: true } : {}) });
    }
    const accessLog = /:log-group:([^:]+)/.exec(String((stage.properties.AccessLogSetting as { DestinationArn?: string } | undefined)?.DestinationArn))?.[1];
    if (accessLog) this.cloudWatchLogs?.access(accessLog, { requestId: apiRequestId, at: this.now().getTime(), method, path: resource, status: reply.statusCode });
    return new Response(reply.body, { status: reply.statusCode, headers: reply.headers });
  }

  /** PutEvents: archive each event, and deliver it to the targets of matching rules, later. */
  putEvents(entries: unknown[]): Promise<{ FailedEntryCount: number; Entries: { EventId: string }[] }> {
    const typed = entries as PutEventsEntry[];
    if (typed.reduce((n, e) => n + entrySize(e), 0) > PUT_EVENTS_MAX_BYTES) {
      return Promise.reject(awsError('ValidationException', 'Total size of the entries in the request is over the limit.'));
    }
    const results = typed.map((e) => {
      const event: BusEvent = {
        version: '0',
        id: this.uuid(),
        'detail-type': e.DetailType ?? '',
        source: e.Source ?? '',
        account: this.cfn.account,
        time: this.now().toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: JSON.parse(e.Detail ?? '{}') as Record<string, unknown>,
      };
      const bus = this.eventBus(e.EventBusName ?? 'default');
      for (const a of this.cfn.resources('AWS::Events::Archive').filter((x) => x.properties.SourceArn === bus.Arn)) {
        this.archived.set(a.physicalId, [...(this.archived.get(a.physicalId) ?? []), event]);
      }
      this.deliver(bus.Name, event, e.TraceHeader);
      return { EventId: event.id };
    });
    return Promise.resolve({ FailedEntryCount: 0, Entries: results });
  }

  /** Hands an event to the targets of every enabled rule on the bus whose pattern matches (of `only` rules, if given). */
  deliver(busName: string, event: BusEvent, traceHeader?: string, only?: string[]): void {
    const rules = this.cfn
      .resources('AWS::Events::Rule')
      .filter((r) => r.properties.EventBusName === busName && r.properties.State === 'ENABLED' && matches(r.properties.EventPattern, event))
      .filter((r) => !only || only.includes(r.arn));
    for (const rule of rules) {
      for (const target of (rule.properties.Targets ?? []) as { Arn?: string }[]) {
        const name = target.Arn?.split(':function:')[1];
        if (!name) continue;
        this.pending.push({ due: this.clock.ms + this.deliveryDelayMs, run: () => this.invokeProcessor(name, event, traceHeader) });
      }
    }
  }

  // ---- replays (EventBridge "StartReplay", "DescribeReplay", "CancelReplay", "ListReplays") ----

  readonly replays = new Map<string, FakeReplay>();
  /** Replays that may run at once in an account and region (AWS: 10). */
  replayLimit = 10;
  /** Events a replay re-sends per step. */
  replayBatch = 2;
  /** Fake time between two steps of a replay (STARTING -> RUNNING, each batch, CANCELLING -> CANCELLED): the fake's choice. */
  replayStepMs = 1000;
  /** Make the next replay fail with this reason after its first batch. */
  replayFailure?: string;

  startReplay(input: { ReplayName?: string; EventSourceArn?: string; EventStartTime?: Date; EventEndTime?: Date; Destination?: { Arn?: string; FilterArns?: string[] } }) {
    const name = input.ReplayName ?? '';
    const archive = this.cfn.resources('AWS::Events::Archive').find((a) => a.arn === input.EventSourceArn);
    if (!archive) throw awsError('ResourceNotFoundException', `Archive ${input.EventSourceArn} does not exist.`);
    if (this.replays.has(name)) throw awsError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    const running = [...this.replays.values()].filter((r) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.state)).length;
    if (running >= this.replayLimit) throw awsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
    if (input.Destination?.Arn !== archive.properties.SourceArn) throw awsError('ValidationException', 'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    const from = input.EventStartTime?.getTime() ?? 0;
    const to = input.EventEndTime?.getTime() ?? 0;
    const queue = (this.archived.get(archive.physicalId) ?? []).filter((e) => Date.parse(e.time) >= from && Date.parse(e.time) < to);
    const replay: FakeReplay = {
      name,
      arn: `arn:aws:events:${this.cfn.region}:${this.cfn.account}:replay/${name}`,
      source: archive.arn,
      bus: String(archive.properties.SourceArn).split('/').pop() ?? '',
      destination: input.Destination?.Arn,
      filter: input.Destination?.FilterArns,
      from: new Date(from),
      to: new Date(to),
      state: 'STARTING',
      queue,
      started: this.now(),
      failure: this.replayFailure,
      nextStepAt: this.clock.ms + this.replayStepMs,
    };
    this.replayFailure = undefined;
    this.replays.set(name, replay);
    return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: replay.started };
  }

  describeReplay(name: string) {
    return this.replayView(this.replay(name));
  }

  /** A replay moves on with the clock: STARTING, RUNNING (a batch of events re-sent per step), then its end. */
  private stepReplay(r: FakeReplay): void {
    r.nextStepAt = (r.nextStepAt ?? this.clock.ms) + this.replayStepMs;
    if (r.state === 'CANCELLING') r.state = 'CANCELLED';
    else if (r.state === 'STARTING') r.state = 'RUNNING';
    else if (r.state === 'RUNNING') {
      for (const event of r.queue.splice(0, this.replayBatch)) {
        this.deliver(r.bus, { ...event, 'replay-name': r.name }, undefined, r.filter);
        r.last = new Date(event.time);
      }
      if (r.failure) {
        r.state = 'FAILED';
        r.reason = r.failure;
      } else if (r.queue.length === 0) {
        r.state = 'COMPLETED';
        r.last = r.to;
        r.ended = this.now();
      }
    }
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(r.state)) r.nextStepAt = undefined;
  }

  cancelReplay(name: string) {
    const r = this.replay(name);
    if (!['STARTING', 'RUNNING'].includes(r.state)) throw awsError('IllegalStatusException', `Replay ${name} is not in a state that can be cancelled: ${r.state}`);
    r.state = 'CANCELLING';
    r.nextStepAt = this.clock.ms + this.replayStepMs;
    return { ReplayArn: r.arn, State: r.state };
  }

  /** ListReplays page size when the call gives no `Limit` (EventBridge documents none; the fake's choice). */
  replayPageSize = 10;

  /** ListReplays in the order the replays were started (EventBridge documents no order; the fake's choice), in pages. */
  listReplays(input: { EventSourceArn?: string; NamePrefix?: string; Limit?: number; NextToken?: string }) {
    if (input.Limit !== undefined && (input.Limit < 1 || input.Limit > 100)) throw awsError('ValidationException', `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`);
    const all = [...this.replays.values()].filter((r) => (!input.EventSourceArn || r.source === input.EventSourceArn) && r.name.startsWith(input.NamePrefix ?? ''));
    const { items, NextToken } = page(all, input.NextToken, input.Limit ?? this.replayPageSize);
    return { Replays: items.map((r) => this.replayView(r)), NextToken };
  }

  private replayView(r: FakeReplay) {
    return {
      ReplayName: r.name,
      ReplayArn: r.arn,
      EventSourceArn: r.source,
      State: r.state,
      StateReason: r.reason,
      EventStartTime: r.from,
      EventEndTime: r.to,
      Destination: { Arn: r.destination, ...(r.filter ? { FilterArns: r.filter } : {}) },
      EventLastReplayedTime: r.last,
      ReplayStartTime: r.started,
      ReplayEndTime: r.ended,
    };
  }

  private replay(name: string): FakeReplay {
    const r = this.replays.get(name);
    if (!r) throw awsError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return r;
  }

  private async invokeProcessor(name: string, event: BusEvent, traceHeader?: string): Promise<void> {
    const fn = this.functionConfiguration(name);
    const root = /Root=([^;]+)/.exec(traceHeader ?? '')?.[1];
    // Active: Lambda records segments. PassThrough: it only hands the incoming header on.
    const header = root ? (fn.TracingConfig.Mode === 'Active' ? this.lambdaSegments(root, name, undefined) : `Root=${root};Sampled=1`) : undefined;
    const env = { ...fn.Environment.Variables, ...(header ? { _X_AMZN_TRACE_ID: header } : {}) };
    await this.logged(name, { requestId: this.uuid(), traceId: fn.TracingConfig.Mode === 'Active' ? root : undefined }, () => processorModule.handle(event, {
      env,
      now: () => this.now().getTime(),
      putObject: (input: { Bucket: string; Key: string; Body: string }) => Promise.resolve(this.s3.putObject(input.Bucket, input.Key, input.Body)),
    }));
  }

  /**
   * Runs function code with its console output kept in `logs` (as CloudWatch Logs would), not
   * printed, and written to the function's log group as one invocation (START, lines, END, REPORT).
   */
  private async logged<T>(fn: string, invocation: { requestId: string; traceId?: string }, run: () => Promise<T>): Promise<T> {
    const { log, error } = console;
    const at = this.now().getTime();
    const lines: { text: string; error: boolean }[] = [];
    const keep = (isError: boolean) => (...args: unknown[]) => {
      const line = args.map(String).join(' ');
      this.logs.push({ fn, line });
      lines.push({ text: line, error: isError });
    };
    console.log = keep(false);
    console.error = keep(true);
    let failed: 'error' | undefined = 'error';
    try {
      const result = await run();
      failed = undefined;
      return result;
    } finally {
      console.log = log;
      console.error = error;
      this.cloudWatchLogs?.invocation(`/aws/lambda/${fn}`, { ...invocation, at, lines, failed });
    }
  }

  /** The Lambda service segment and the function segment; returns the header the function sees. */
  private lambdaSegments(traceId: string, fn: string, parent: string | undefined): string {
    const service = this.segment(traceId, fn, 'AWS::Lambda', parent);
    const inner = this.segment(traceId, fn, 'AWS::Lambda::Function', service.id);
    this.record(service);
    this.record(inner);
    return `Root=${traceId};Parent=${inner.id};Sampled=1`;
  }

  private segment(traceId: string, name: string, origin: string, parent?: string): Segment {
    const t = this.now().getTime() / 1000;
    return { id: this.hex(16), name, origin, trace_id: traceId, start_time: t, end_time: t + 0.05, ...(parent ? { parent_id: parent } : {}) };
  }

  private record(s: Segment): void {
    this.xray.traces.set(s.trace_id, [...(this.xray.traces.get(s.trace_id) ?? []), s]);
  }

  private one(type: string, pick: (r: LiveResource) => boolean, error: string, message: string): LiveResource {
    const found = this.cfn.resources(type).find(pick);
    if (!found) throw awsError(error, message, error === 'InvalidRequestException' ? 400 : 404);
    return found;
  }

  private hex(n: number): string {
    return createHash('sha256').update(String(++this.seq)).digest('hex').slice(0, n);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** EventBridge pattern matching for what tap's patterns use: exact values and `prefix`. */
export function matches(pattern: unknown, event: BusEvent): boolean {
  if (!pattern || typeof pattern !== 'object') return false;
  return Object.entries(pattern as Record<string, unknown[]>).every(([field, allowed]) => {
    const raw = (event as unknown as Record<string, unknown>)[field];
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw ?? '');
    return allowed.some((a) => (typeof a === 'object' && a !== null && 'prefix' in a ? value.startsWith(String((a as { prefix: string }).prefix)) : String(a) === value));
  });
}

type PutEventsEntry = { EventBusName?: string; Source?: string; DetailType?: string; Detail?: string; TraceHeader?: string; Time?: Date; Resources?: string[] };

/**
 * "The total entry size must be less than 256KB" (EventBridge User Guide, "Calculating PutEvents
 * event entry size", as stored here; later announcements raise it to 1 MiB, which the handler's
 * 64 KiB body cap is far under either way). Over it, the whole request is refused.
 */
const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** The guide's formula: Time 14 bytes if given; Source, DetailType, Detail and each Resources entry in UTF-8 bytes. */
export function entrySize(e: PutEventsEntry): number {
  const utf8 = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (e.Time ? 14 : 0) + utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + utf8(r), 0);
}
