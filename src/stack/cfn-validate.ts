import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import type { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import type { Finding } from './synth.js';

/**
 * aws-cdk-lib's CloudFormation validation (its `CloudFormationValidatePlugin`), run beside synthesis.
 * Starting its engine costs seconds (a large WASM module and every resource schema), so from the
 * built CLI it starts in a worker thread (`cfn-validate-worker.ts`) while the main thread builds the
 * stack, and is warmed with the resource types tap's stack uses. Under the test runner (TypeScript
 * sources) it runs in-process.
 */

/** The stack's resource types; the engine is built for these. A test keeps this list complete. */
export const WARM_TYPES = [
  'AWS::ApiGateway::Account', 'AWS::ApiGateway::Deployment', 'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator', 'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm',
  'AWS::CloudWatch::Dashboard', 'AWS::Events::Archive', 'AWS::Events::EventBus',
  'AWS::Events::Rule', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Alias', 'AWS::KMS::Key',
  'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy', 'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy', 'AWS::XRay::Group',
];

interface Violation {
  ruleName: string;
  description: string;
  severity: string;
  violatingResources: { resourceLogicalId?: string; constructPath?: string }[];
}

type Validate = (templatePath: string) => Finding[];

/** A validation plugin's severity as a finding level: errors fail synth, anything milder warns. */
export function levelOf(severity: string): Finding['level'] {
  return severity === 'error' || severity === 'fatal' ? 'error' : 'warning';
}

/**
 * The plugin class. Its own module loads in milliseconds, where `import('aws-cdk-lib')` takes a third
 * of a second, so it is required by file (exports maps only bind bare specifiers); should a release
 * move the file, the package's public export is used.
 */
function pluginClass(): typeof CloudFormationValidatePlugin {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('aws-cdk-lib')), 'core/lib/validation/cloudformation-validate-plugin.js');
  if (!existsSync(file)) return (require('aws-cdk-lib') as { CloudFormationValidatePlugin: typeof CloudFormationValidatePlugin }).CloudFormationValidatePlugin;
  loadEngineReserved(createRequire(file));
  return (require(file) as { CloudFormationValidatePlugin: typeof CloudFormationValidatePlugin }).CloudFormationValidatePlugin;
}

/**
 * Room for the engine's WebAssembly heap: with tap's stack it ends at ~163 MiB, and 160 MiB was the
 * least reservation that left one collection; the rest is headroom for a larger stack or engine.
 */
const ENGINE_HEAP_RESERVE = 192 * 2 ** 20;

/** The allocator that wasm-bindgen exports from every module it builds (sizes and pointers in bytes). */
interface WasmBindgenAllocator {
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

/**
 * Loads the engine's module (`@aws/cloudformation-validate`, which the plugin requires lazily) with
 * its WebAssembly heap grown once, up front. Otherwise its allocator grows the heap a little at a
 * time as the engine builds; V8 counts every grown heap as new external memory, and a full garbage
 * collection follows each (external memory pressure): hundreds of them, most of the engine's start.
 * One block allocated and freed at once is one growth; the allocator then serves the engine from it,
 * and only memory that is used becomes resident.
 *
 * The module instantiates synchronously as it loads, so `WebAssembly.Instance` is replaced for that
 * one `require` and restored after it. The block is allocated before the module's own start call
 * (`__wbindgen_start`), which sets up its externref table, not the allocator. Only this first
 * instance is reserved: should a release no longer export wasm-bindgen's allocator, or instantiate
 * later, or should the engine make a new instance after a trap, it runs as it would without tap.
 */
function loadEngineReserved(pluginRequire: NodeJS.Require): void {
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = function reserved(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    const instance = new Instance(module, imports);
    const { __wbindgen_malloc: malloc, __wbindgen_free: free } = instance.exports as Partial<WasmBindgenAllocator>;
    if (typeof malloc === 'function' && typeof free === 'function') free(malloc(ENGINE_HEAP_RESERVE, 8), ENGINE_HEAP_RESERVE, 8);
    return instance;
  } as unknown as typeof WebAssembly.Instance;
  try {
    pluginRequire('@aws/cloudformation-validate');
  } catch {
    // A reservation that traps fails this load (the module is not cached): the plugin's own require
    // loads it afresh, unreserved, and reports anything else that is wrong with it.
  } finally {
    WebAssembly.Instance = Instance;
  }
}

function createValidate(scratchDir: string): Validate {
  const CloudFormationValidatePlugin = pluginClass();
  const plugin = new CloudFormationValidatePlugin();
  const run = (templatePath: string): Violation[] =>
    plugin.validate({ templatePaths: [templatePath], stackTemplates: [{ stackConstructPath: 'stack', templatePath }] } as never)
      .violations as Violation[];
  const warm = join(scratchDir, 'warm.template.json');
  const Resources = Object.fromEntries(WARM_TYPES.map((Type, i) => [`R${i}`, { Type, Properties: {} }]));
  writeFileSync(warm, JSON.stringify({ Resources }));
  run(warm);
  return (templatePath) =>
    run(templatePath).flatMap((v) =>
      v.violatingResources.map((r) => ({
        level: levelOf(v.severity),
        path: r.resourceLogicalId ?? r.constructPath ?? '',
        message: `${v.ruleName}: ${v.description}`,
      })),
    );
}

/**
 * The engine, started on the next tick. A failure to start is answered when a template is sent, so it
 * must not count as an unhandled rejection before then (that would end the process or the worker).
 */
function startEngine(scratchDir: string): Promise<Validate> {
  const ready = Promise.resolve().then(() => createValidate(scratchDir));
  ready.catch(() => {});
  return ready;
}

export interface Validator {
  validate(templatePath: string): Promise<Finding[]>;
  close(): Promise<void>;
}

/** The worker's entry, beside this file once built; from TypeScript sources (tests) there is none. */
const WORKER = import.meta.url.endsWith('.js') ? new URL('./cfn-validate-worker.js', import.meta.url) : undefined;

/**
 * Starts the engine now (in a worker thread when there is a worker entry); validate once synth is
 * done. `worker` is for tests, which run from sources and point it at the built entry.
 */
export function startValidator(scratchDir: string, worker: URL | undefined = WORKER): Validator {
  if (!worker) {
    const ready = startEngine(scratchDir);
    return { validate: async (path) => (await ready)(path), close: async () => {} };
  }
  const thread = new Worker(worker, { workerData: scratchDir });
  // The worker answers the templates in the order they are sent; a thread error fails every one
  // waiting and every one sent after it.
  const waiting: { resolve: (f: Finding[]) => void; reject: (e: unknown) => void }[] = [];
  let failed: Error | undefined;
  thread.on('message', (m: Answer) => {
    const next = waiting.shift();
    if ('error' in m) next?.reject(new Error(`CloudFormation validation failed to run: ${m.error}`));
    else next?.resolve(m.findings);
  });
  thread.on('error', (error) => {
    failed = error;
    for (const w of waiting.splice(0)) w.reject(error);
  });
  return {
    validate: (path) =>
      new Promise<Finding[]>((resolve, reject) => {
        if (failed !== undefined) return reject(failed);
        waiting.push({ resolve, reject });
        thread.postMessage(path);
      }),
    close: () => {
      // Not awaited: tearing the engine down takes longer than the process needs it.
      thread.unref();
      void thread.terminate();
      return Promise.resolve();
    },
  };
}

type Answer = { findings: Finding[] } | { error: string };

/** The worker's side: starts the engine at once, answers each template path it is sent, in order. */
export function serveValidation(port: Pick<MessagePort, 'on' | 'postMessage'>, scratchDir: string): void {
  const ready = startEngine(scratchDir);
  port.on('message', (path: string) => {
    ready.then(
      (validate) => port.postMessage({ findings: validate(path) } satisfies Answer),
      (error: unknown) => port.postMessage({ error: String(error) } satisfies Answer),
    );
  });
}
