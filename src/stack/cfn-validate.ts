import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { CloudFormationValidatePlugin } from 'aws-cdk-lib';
import type { Finding } from './synth.js';

/**
 * aws-cdk-lib's CloudFormation validation (its `CloudFormationValidatePlugin`), run beside synthesis.
 * Starting its engine costs seconds (a large WASM module and every resource schema), so from the
 * built CLI it starts in a worker thread while the main thread builds the stack, and is warmed with
 * the resource types tap's stack uses. Under the test runner (TypeScript sources) it runs in-process.
 */

/** The stack's resource types; the engine is built for these. A test keeps this list complete. */
export const WARM_TYPES = [
  'AWS::ApiGateway::Account', 'AWS::ApiGateway::Deployment', 'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator', 'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::Events::Archive', 'AWS::Events::EventBus',
  'AWS::Events::Rule', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Alias', 'AWS::KMS::Key',
  'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::XRay::Group',
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
  if (existsSync(file)) return (require(file) as { CloudFormationValidatePlugin: typeof CloudFormationValidatePlugin }).CloudFormationValidatePlugin;
  return (require('aws-cdk-lib') as { CloudFormationValidatePlugin: typeof CloudFormationValidatePlugin }).CloudFormationValidatePlugin;
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

export interface Validator {
  validate(templatePath: string): Promise<Finding[]>;
  close(): Promise<void>;
}

/** Starts the engine now (in a worker when running from the built CLI); validate once synth is done. */
export function startValidator(scratchDir: string): Validator {
  if (!import.meta.url.endsWith('.js')) {
    const ready = Promise.resolve().then(() => createValidate(scratchDir));
    return { validate: async (path) => (await ready)(path), close: async () => {} };
  }
  const worker = new Worker(new URL(import.meta.url), { workerData: { tapValidator: scratchDir } });
  const answer = new Promise<Finding[]>((resolve, reject) => {
    worker.once('message', (m: { findings?: Finding[]; error?: string }) =>
      m.error ? reject(new Error(`CloudFormation validation failed to run: ${m.error}`)) : resolve(m.findings ?? []),
    );
    worker.once('error', reject);
  });
  return {
    validate: (path) => {
      worker.postMessage(path);
      return answer;
    },
    close: () => {
      // Not awaited: tearing the engine down takes longer than the process needs it.
      worker.unref();
      void worker.terminate();
      return Promise.resolve();
    },
  };
}

if (!isMainThread && (workerData as { tapValidator?: string } | null)?.tapValidator && parentPort) {
  const port = parentPort;
  // Baseline WASM code only: optimizing tier-up jobs make the engine slow to start and slow to exit.
  setFlagsFromString('--liftoff-only');
  const ready = Promise.resolve().then(() => createValidate((workerData as { tapValidator: string }).tapValidator));
  port.once('message', (path: string) => {
    ready.then(
      (validate) => port.postMessage({ findings: validate(path) }),
      (error: unknown) => port.postMessage({ error: String(error) }),
    );
  });
}
