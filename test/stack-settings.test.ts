import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, valuesOf } from '../src/config.js';
import { checkEmail, DEFAULT_SETTINGS, DEFAULT_THRESHOLDS, stackSettings } from '../src/stack/settings.js';
import { buildKey } from '../src/stack/synth-cache.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';

const dir = mkdtempSync(join(tmpdir(), 'tap-stack-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function configFile(content: unknown): string {
  const file = join(dir, `tap-${n++}.config.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const FILE = {
  defaults: { alarms: { api5xxPercent: 2, handlerErrors: 5 }, logRetentionDays: 90, processor: { memoryMb: 512 } },
  envs: {
    'pr-*': { alarms: { handlerErrors: 10 }, alertEmails: ['pr@example.com'] },
    prod: { alertEmails: ['oncall@example.com'], processor: { timeoutSeconds: 60 } },
  },
};

describe('stack settings in tap.config.json', () => {
  it('objects add up key by key (alarms, processor); lists and numbers are the last layer’s', () => {
    const file = configFile(FILE);
    const pr = loadConfig(file).settingsFor('pr-7');
    expect(pr).toEqual({
      alarms: { value: { api5xxPercent: 2, handlerErrors: 10 }, from: `${file}: defaults.alarms + envs["pr-*"].alarms` },
      logRetentionDays: { value: 90, from: `${file}: defaults.logRetentionDays` },
      processor: { value: { memoryMb: 512 }, from: `${file}: defaults.processor` },
      alertEmails: { value: ['pr@example.com'], from: `${file}: envs["pr-*"].alertEmails` },
    });
    expect(stackSettings(valuesOf(pr))).toEqual({
      alertEmails: ['pr@example.com'],
      thresholds: { ...DEFAULT_THRESHOLDS, api5xxPercent: 2, handlerErrors: 10 },
      logRetentionDays: 90,
      processorMemoryMb: 512,
      processorTimeoutSeconds: 30,
    });
    const prod = stackSettings(valuesOf(loadConfig(file).settingsFor('prod')), ['a@example.com', 'a@example.com', 'b@example.com']);
    // --alert-email replaces the file's addresses (each once).
    expect(prod).toMatchObject({ alertEmails: ['a@example.com', 'b@example.com'], processorMemoryMb: 512, processorTimeoutSeconds: 60 });
    expect(stackSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    [{ alarms: { api5xxPercent: 0 } }, /\$\.defaults\.alarms\.api5xxPercent: must be > 0 \(exclusiveMinimum\)/],
    [{ alarms: { apiP99LatencyMs: 30000 } }, /\$\.defaults\.alarms\.apiP99LatencyMs: must be <= 29000 \(maximum\)/],
    [{ alarms: { dlqMessage: 1 } }, /\$\.defaults\.alarms\.dlqMessage: is not a known setting \(additionalProperties\)/],
    [{ logRetentionDays: 31 }, /\$\.defaults\.logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, .*, 3653 \(enum\)/],
    [{ processor: { memoryMb: 64 } }, /\$\.defaults\.processor\.memoryMb: must be >= 128 \(minimum\)/],
    [{ processor: { timeoutSeconds: 900 } }, /\$\.defaults\.processor\.timeoutSeconds: must be <= 300 \(maximum\)/],
    [{ alertEmails: ['not an address'] }, /\$\.defaults\.alertEmails\[0\]: must match pattern/],
    [{ alertEmails: ['a@example.com', 'a@example.com'] }, /\$\.defaults\.alertEmails: must NOT have duplicate items/],
  ])('refuses %j out of bounds, naming the path and the rule', (defaults, message) => {
    expect(() => loadConfig(configFile({ defaults }))).toThrow(message);
  });

  it('tap config --env shows them with where each came from', async () => {
    const file = configFile(FILE);
    const r = await runTap(['config', '--env', 'prod', '--config', file, '--json']);
    expect(JSON.parse(r.stdout).settings).toMatchObject({
      alertEmails: { value: ['oncall@example.com'], from: `${file}: envs.prod.alertEmails` },
      processor: { value: { memoryMb: 512, timeoutSeconds: 60 }, from: `${file}: defaults.processor + envs.prod.processor` },
    });
  });

  it('an address is one plain e-mail address', () => {
    expect(() => checkEmail('oncall@example.com', '--alert-email')).not.toThrow();
    for (const bad of ['oncall', 'On Call <oncall@example.com>', 'a@b', 'a,b@example.com', `${'x'.repeat(250)}@example.com`]) {
      expect(() => checkEmail(bad, '--alert-email'), bad).toThrow(/^invalid --alert-email '.*': expected one e-mail address/);
    }
  });

  it('is part of the synth cache key: other settings, another build', () => {
    const key = buildKey('cache', '1.0.0', DEFAULT_SETTINGS);
    expect(buildKey('cache', '1.0.0')).toBe(key);
    expect(buildKey('cache', '1.0.0', { ...DEFAULT_SETTINGS, alertEmails: ['a@example.com'] })).not.toBe(key);
    expect(buildKey('cache', '1.0.0', { ...DEFAULT_SETTINGS, thresholds: { ...DEFAULT_THRESHOLDS, dlqMessages: 5 } })).not.toBe(key);
    expect(buildKey('cache', '1.0.0', { ...DEFAULT_SETTINGS, processorTimeoutSeconds: 31 })).not.toBe(key);
  });
});

describe('deploy with stack settings', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  it('a bad --alert-email is exit 2 before any AWS call', async () => {
    const r = await runTap(['deploy', '--env', 'cfg', '--alert-email', 'oncall', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'error', message: "invalid --alert-email 'oncall': expected one e-mail address, e.g. oncall@example.com" });
    expect(fake.calls).toEqual([]);
  });

  it('--alert-email (repeatable) replaces the file’s addresses; thresholds, retention and the processor size reach the template, and verify expects that memory', async () => {
    const file = configFile({ envs: { cfg: { alertEmails: ['file@example.com'], alarms: { dlqMessages: 3 }, logRetentionDays: 7, processor: { memoryMb: 1024, timeoutSeconds: 45 } } } });
    const r = await runTap(['deploy', '--env', 'cfg', '--config', file, '--alert-email', 'a@example.com', '--alert-email', 'b@example.com', '--json']);
    expect(r.code).toBe(0);
    const resources = Object.values((JSON.parse(fake.cloudFormation.stack('TapStack-cfg')!.templateBody) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources);
    const of = (type: string) => resources.filter((x) => x.Type === type).map((x) => x.Properties);
    expect(of('AWS::SNS::Subscription').map((p) => p.Endpoint)).toEqual(['a@example.com', 'b@example.com']);
    expect(of('AWS::CloudWatch::Alarm').find((p) => p.AlarmName === 'srv-dlq-depth-cfg')?.Threshold).toBe(3);
    expect(new Set(of('AWS::Logs::LogGroup').map((p) => p.RetentionInDays))).toEqual(new Set([7]));
    expect(of('AWS::Lambda::Function').find((p) => p.FunctionName === 'srv-processor-cfg')).toMatchObject({ MemorySize: 1024, Timeout: 45 });
    const verify = await runTap(['verify', '--env', 'cfg', '--config', file, '--only', 'lambda-config,stack', '--json']);
    expect(JSON.parse(verify.stdout.trim().split('\n').at(-1)!).checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'lambda-config', status: 'pass', detail: expect.stringContaining('srv-processor-cfg (1024 MB)') }), expect.objectContaining({ id: 'stack', status: 'pass' })]),
    );
    // Without the file, verify expects the default and says what differs.
    const plain = await runTap(['verify', '--env', 'cfg', '--only', 'lambda-config', '--json']);
    expect(JSON.parse(plain.stdout.trim().split('\n').at(-1)!).checks[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('srv-processor-cfg: memory is 1024 MB, expected 256') });
  });
});
