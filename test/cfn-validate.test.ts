import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { levelOf, serveValidation, startValidator, WARM_TYPES } from '../src/stack/cfn-validate.js';
import { reportFindings } from '../src/stack/build.js';
import { synthesizeShared } from '../src/stack/shared-stack.js';
import { CFN_LIMITS, quotaFindings, synthesize } from '../src/stack/synth.js';

// The one file that runs the real validation engine (test/helpers/setup.ts stubs it elsewhere).
vi.unmock('../src/stack/cfn-validate.js');

const scratch = mkdtempSync(join(tmpdir(), 'tap-validate-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const missingDir = join(scratch, 'not-there');
/** The worker entry as `npm test` builds it (pretest); the CLI runs validation from there. */
const builtWorker = new URL('../dist/stack/cfn-validate-worker.js', import.meta.url);

describe('CloudFormation validation', () => {
  it.each([
    ['fatal', 'error'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['info', 'warning'],
  ])('severity %s is a finding of level %s', (severity, level) => {
    expect(levelOf(severity)).toBe(level);
  });

  it('runs in the built worker thread and reports what is wrong with each template it is sent, by logical id', async () => {
    const template = join(scratch, 'bad.template.json');
    writeFileSync(template, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon', Bogus: 1 } } } }));
    // TapShared, the per-account stack, passes CloudFormation validation too (one engine answers both, in order).
    const shared = join(scratch, 'shared.template.json');
    writeFileSync(shared, synthesizeShared('9.9.9').templateBody);
    const validator = startValidator(scratch, builtWorker);
    try {
      const [bad, good] = await Promise.all([validator.validate(template), validator.validate(shared)]);
      expect(bad).toEqual(
        expect.arrayContaining([
          { level: 'error', path: 'Queue', message: expect.stringMatching(/^F3002: Bogus: Additional properties are not allowed/) },
          { level: 'error', path: 'Queue', message: expect.stringMatching(/^F3012: VisibilityTimeout: 'soon' is not of type 'integer'/) },
        ]),
      );
      expect(good).toEqual([]);
    } finally {
      await validator.close();
    }
  });

  it('says so when the engine cannot start in the worker', async () => {
    const validator = startValidator(missingDir, builtWorker);
    await expect(validator.validate(join(scratch, 'any.json'))).rejects.toThrow(/^CloudFormation validation failed to run: Error: ENOENT/);
    await validator.close();
  });

  it('a worker thread that dies fails the template waiting and every one sent after it', async () => {
    const validator = startValidator(scratch, new URL('data:text/javascript,throw new Error("the worker died")'));
    await expect(validator.validate(join(scratch, 'any.json'))).rejects.toThrow('the worker died');
    await expect(validator.validate(join(scratch, 'other.json'))).rejects.toThrow('the worker died');
    await validator.close();
  });

  it('in-process (tests, sources): an engine that cannot start fails validate, not the process', async () => {
    const validator = startValidator(missingDir, undefined);
    await new Promise(setImmediate); // the failure happens before a template is sent
    await expect(validator.validate(join(scratch, 'any.json'))).rejects.toThrow(/ENOENT/);
  });

  it("grows the engine's WebAssembly heap once, so that its start takes a few garbage collections, not hundreds", () => {
    // Without the reservation every step of the heap's growth counts as new external memory to V8
    // and starts a full collection: hundreds in this script (seen with ENGINE_HEAP_RESERVE = 0);
    // 1 to 3 with it. The engine runs in the built worker thread, as tap runs it.
    const template = join(scratch, 'one-queue.template.json');
    writeFileSync(template, JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: {} } } }));
    const script = join(scratch, 'start-engine.mjs');
    writeFileSync(
      script,
      `const { startValidator } = await import(${JSON.stringify(new URL('../dist/stack/cfn-validate.js', import.meta.url).href)});
      console.log(JSON.stringify(await startValidator(${JSON.stringify(scratch)}).validate(${JSON.stringify(template)})));
      process.exit(0);`,
    );
    const r = spawnSync(process.execPath, ['--trace-gc', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.split('\n'), r.stderr).toContain('[]'); // validated: no findings
    const collections = r.stdout.split('\n').filter((l) => l.includes('Mark-Compact')).length;
    expect(collections).toBeLessThan(10);
  });

  it("the worker's side answers the path it is sent with the engine's failure", async () => {
    const { port1, port2 } = new MessageChannel();
    serveValidation(port1, missingDir);
    const answer = new Promise((resolve) => port2.once('message', resolve));
    port2.postMessage('any.json');
    expect(await answer).toEqual({ error: expect.stringMatching(/^Error: ENOENT: no such file or directory/) });
    port1.close();
  });
});

describe('the stack', () => {
  it('passes cdk-nag (AwsSolutions, Serverless) and CloudFormation validation with zero findings', async () => {
    const s = await synthesize('ci', '1.2.3');
    expect(s.findings).toEqual([]);
    expect(s.acknowledged).toBeGreaterThan(10);
    expect(s.stackName).toBe('TapStack-ci');
    expect(Buffer.byteLength(s.templateBody)).toBeLessThanOrEqual(CFN_LIMITS.templateBodyBytes);
    // The validation engine is warmed for exactly these types; a missing one would make synth slow.
    const types = new Set(Object.values(s.template.Resources ?? {}).map((r) => r.Type));
    expect([...types].filter((t) => !WARM_TYPES.includes(t))).toEqual([]);
  });
});

describe('synth findings', () => {
  it("turns the plugins' report into findings, with an empty path when none is named", () => {
    const file = join(scratch, 'validation-report.json');
    writeFileSync(
      file,
      JSON.stringify({
        pluginReports: [
          {
            pluginName: 'AwsSolutions',
            violations: [
              { ruleName: 'AwsSolutions-SQS4', description: 'no SSL', severity: 'error', violatingConstructs: [{ constructPath: 'TapStack-dev/Dlq/Resource' }] },
              { ruleName: 'Serverless-LambdaDLQ', description: 'no DLQ', severity: 'warning' },
            ],
          },
        ],
      }),
    );
    expect(reportFindings(file)).toEqual([
      { level: 'error', path: 'TapStack-dev/Dlq/Resource', message: 'AwsSolutions-SQS4: no SSL' },
      { level: 'warning', path: '', message: 'Serverless-LambdaDLQ: no DLQ' },
    ]);
    writeFileSync(file, '{}');
    expect(reportFindings(file)).toEqual([]);
    expect(reportFindings(join(scratch, 'no-report.json'))).toEqual([]);
  });

  it("reports each of CloudFormation's quotas that a template exceeds", () => {
    const many = <T,>(n: number, value: T): Record<string, T> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X${i}`, value]));
    const template = { Resources: many(CFN_LIMITS.resources + 1, { Type: 'AWS::SQS::Queue' }), Outputs: many(CFN_LIMITS.outputs, { Value: 'x' }), Mappings: many(CFN_LIMITS.mappings + 1, {}) };
    const body = JSON.stringify(template);
    expect(quotaFindings(template, body, 'TapStack-dev').map((f) => f.message)).toEqual([
      `501 resources, over CloudFormation's limit of 500`,
      `201 mappings, over CloudFormation's limit of 200`,
    ]);
    expect(quotaFindings({}, 'x'.repeat(CFN_LIMITS.templateUrlBytes + 1), 'TapStack-dev')).toEqual([
      { level: 'error', path: 'TapStack-dev', message: `1000001 template bytes, over CloudFormation's limit of 1000000` },
    ]);
  });
});
