import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfig, jsonErrorOffset, loadConfig } from '../src/config.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


const dir = mkdtempSync(join(tmpdir(), 'tap-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function configFile(content: unknown): string {
  const file = join(dir, `tap-${n++}.config.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const SETTINGS = {
  defaults: { region: 'eu-west-1', tags: { team: 'platform', cost: 'shared' } },
  envs: {
    'pr-*': { tags: { cost: 'ephemeral' }, terminationProtection: false },
    prod: { account: '123456789012', region: 'eu-central-1', tags: { tier: 'critical' }, terminationProtection: true },
  },
};

describe('tap.config.json', () => {
  it('an env name wins over a pattern, a pattern over the defaults; tags add up key by key', () => {
    const file = configFile(SETTINGS);
    const config = loadConfig(file);
    expect(config.settingsFor('pr-7')).toEqual({
      region: { value: 'eu-west-1', from: `${file}: defaults.region` },
      tags: { value: { team: 'platform', cost: 'ephemeral' }, from: `${file}: defaults.tags + envs["pr-*"].tags` },
      terminationProtection: { value: false, from: `${file}: envs["pr-*"].terminationProtection` },
    });
    expect(config.settingsFor('prod')).toMatchObject({ account: { value: '123456789012' }, region: { value: 'eu-central-1', from: `${file}: envs.prod.region` } });
    expect(config.settingsFor('staging')).toEqual({ region: expect.anything(), tags: { value: { team: 'platform', cost: 'shared' }, from: `${file}: defaults.tags` } });
  });

  it('is validated when loaded: each problem names the file, the JSON path and the rule', () => {
    const file = configFile({ envs: { prod: { account: '1234', bogus: 1, tags: { 'aws:x': 'y' } }, BAD_NAME: {} } });
    expect(() => loadConfig(file)).toThrow(
      new RegExp(
        `^${file.replace(/[.]/g, '\\.')}: .*\\$\\.envs\\.prod\\.bogus: is not a known setting \\(additionalProperties\\).*\\$\\.envs\\.prod\\.account: must match pattern "\\^\\[0-9\\]\\{12\\}\\$" \\(pattern\\)`,
      ),
    );
    expect(() => loadConfig(file)).toThrow(/\$\.envs\.prod\.tags\["aws:x"\]: is a reserved name \(aws:\.\.\. and tap:env are AWS's and tap's\) \(not\)/);
    expect(() => loadConfig(file)).toThrow(/\$\.envs\["BAD_NAME"\]: is not an allowed name: must match pattern .* \(pattern\)/);
    expect(() => loadConfig(configFile('{ "defaults": '))).toThrow(/tap-\d+\.config\.json: .*JSON/);
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/missing\.json: no such file/);
  });

  it('a JSON syntax error is named by line and column; a UTF-8 byte-order mark is accepted; the hint names the schema', () => {
    const missingComma = configFile('{\n  "defaults": {\n    "region": "eu-west-1"\n    "tags": {}\n  }\n}\n');
    expect(() => loadConfig(missingComma)).toThrow(/: not valid JSON: line 4, column 5: unexpected "\\"" \(expected ',' or '\}' after property value\)$/);
    const stray = configFile('{\n  "envs": { "prod": }\n}');
    expect(() => loadConfig(stray)).toThrow(/: not valid JSON: line 2, column 21: unexpected "\}"$/);
    expect(() => loadConfig(configFile('{ "defaults": '))).toThrow(/: not valid JSON: line 1, column 15: the file ends too early$/);
    let error: { hint?: string } | undefined;
    try {
      loadConfig(stray);
    } catch (e) {
      error = e as { hint?: string };
    }
    expect(error?.hint).toBe('the config file is JSON, as tap.config.schema.json (in the installed package: node_modules/@tap-ops/cli/tap.config.schema.json) describes');
    const bom = configFile('\uFEFF{ "defaults": { "region": "eu-west-1" } }');
    expect(loadConfig(bom).settingsFor('dev').region?.value).toBe('eu-west-1');
    expect(() => loadConfig(configFile({ defaults: { bogus: 1 } }))).toThrow(expect.objectContaining({ hint: expect.stringContaining('node_modules/@tap-ops/cli/tap.config.schema.json') }));
  });

  it('finds where text stops being JSON as JSON.parse does', () => {
    for (const text of ['{}', '[1, -2.5e3, "a\\u00e9", true, false, null]', ' {"a": {"b": []}} ']) expect(jsonErrorOffset(text)).toBe(-1);
    for (const [text, at] of [['{"a" 1}', 5], ['[1,]', 3], ['{"a": tru}', 9], ['"\\x"', 2], ['01', 1], ['{} x', 3], ['', 0], ['{"a": "\u0001"}', 7], ['"\\u12G4"', 5], ['-', 0], ['[1 2]', 3], ['{"a":1,}', 7], ['{1:2}', 1], ['{"a" 1}', 5], ['nul', 3], ['"abc', 4]] as const) {
      expect(() => void JSON.parse(text)).toThrow();
      expect(jsonErrorOffset(text), text).toBe(at);
    }
  });

  it('is found in the current directory or a parent', () => {
    const top = join(dir, 'repo');
    mkdirSync(join(top, 'a', 'b'), { recursive: true });
    writeFileSync(join(top, 'tap.config.json'), '{}');
    expect(findConfig(join(top, 'a', 'b'))).toBe(join(top, 'tap.config.json'));
    expect(findConfig(tmpdir())).toBeUndefined();
  });

  it('tap config --env shows the effective settings and where each came from; --region wins over the file', async () => {
    const file = configFile(SETTINGS);
    const r = await runTap(['config', '--env', 'pr-7', '--config', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      kind: 'config',
      env: 'pr-7',
      settings: {
        region: { value: 'eu-west-1', from: `${file}: defaults.region` },
        tags: { value: { team: 'platform', cost: 'ephemeral' }, from: `${file}: defaults.tags + envs["pr-*"].tags` },
        terminationProtection: { value: false, from: `${file}: envs["pr-*"].terminationProtection` },
      },
    });
    const flag = await runTap(['config', '--env', 'pr-7', '--config', file, '--region', 'us-west-2', '--no-color']);
    expect(flag.stdout).toMatch(/^pr-7:\n {2}region {17}"us-west-2" {2}\(--region\)\n/m);
    const none = await runTap(['config', '--env', 'dev'], { env: { AWS_REGION: '' } });
    expect(none.stdout).toBe('dev: no settings (no tap.config.json, no --region, no AWS_REGION, no profile settings)\n');
  });

  it('the region from AWS_DEFAULT_REGION, and --verbose names the region, endpoint and profile with their sources', async () => {
    const r = await runTap(['config', '--env', 'dev', '--json'], { env: { AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-north-1' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ settings: { region: { value: 'eu-north-1', from: 'AWS_DEFAULT_REGION' } } });
    const flag = await runTap(['config', '--env', 'dev', '--profile', 'ops', '--verbose', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(flag.stderr).toContain('AWS: region us-east-1 (AWS_REGION), endpoint http://127.0.0.1:9 (--endpoint-url), profile ops (--profile)');
    const env = await runTap(['config', '--env', 'dev', '--verbose'], { env: { AWS_PROFILE: 'ops', AWS_REGION: '' } });
    expect(env.stderr).toContain("AWS: region none (not in --region, tap.config.json, AWS_REGION or profile ops), endpoint AWS's public one, profile ops (AWS_PROFILE)");
  });

  it('a broken file is exit 2, in the --json contract', async () => {
    const r = await runTap(['config', '--env', 'prod', '--config', configFile({ envs: { prod: { region: 'mars' } } }), '--json']);
    expect([r.code, r.stderr]).toEqual([2, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'error', error: 'UsageError', message: expect.stringMatching(/\$\.envs\.prod\.region: must match pattern/) });
  });
});

describe('deploy reads the file', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());

  it("tags and termination protection come from the file; --tag wins on the same key, --no-termination-protection over the file's true", async () => {
    const file = configFile({ envs: { cfg: { tags: { team: 'payments', cost: 'shared' }, terminationProtection: true } } });
    expect((await runTap(['deploy', '--env', 'cfg', '--config', file, '--tag', 'cost=mine'])).code).toBe(0);
    const stack = fake.cloudFormation.stack('TapStack-cfg')!;
    expect(stack.tags).toEqual({ 'tap:env': 'cfg', team: 'payments', cost: 'mine' });
    expect(stack.terminationProtection).toBe(true);
    expect((await runTap(['deploy', '--env', 'cfg', '--config', file, '--tag', 'cost=mine', '--no-termination-protection'])).code).toBe(0);
    expect(fake.cloudFormation.stack('TapStack-cfg')!.terminationProtection).toBe(false);
  });
});

describe('the account pin', () => {
  let fake: FakeAws;
  beforeEach(() => {
    fake = new FakeAws().install();
  });
  afterEach(() => fake.restore());
  // The fake's STS answers for account 123456789012 unless it is made for another.
  const elsewhere = () => configFile({ envs: { pin: { account: '999999999999' } } });

  it.each([
    [['deploy', '--env', 'pin']],
    [['destroy', '--env', 'pin', '--yes']],
    [['replay-archive', '--env', 'pin', '--from', '1h ago']],
  ])('%j refuses another account before writing anything: exit 2, naming both', async (args) => {
    const file = elsewhere();
    const r = await runTap([...args, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`env pin lives in account 999999999999 (${file}: envs.pin.account), but these credentials are for account 123456789012; nothing was changed`);
    expect(fake.calls).toEqual(['GetCallerIdentity']);
  });

  it('read-only commands warn and go on', async () => {
    expect((await runTap(['deploy', '--env', 'pin'])).code).toBe(0);
    const r = await runTap(['verify', '--env', 'pin', '--no-canary', '--config', elsewhere(), '--json'], { fetch: fake.fetch });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code?: string; kind?: string });
    expect(lines[0]).toMatchObject({ type: 'event', level: 'warn', code: 'config.account' });
    expect(lines.at(-1)).toMatchObject({ kind: 'verified' });
  });

  it('offline commands (synth, config) do not check the pin, so they need no credentials', async () => {
    const file = elsewhere();
    const synth = await runTap(['synth', '--env', 'pin', '--config', file, '--json'], { credentials: false, env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    expect(synth.code).toBe(0);
    expect((await runTap(['config', '--env', 'pin', '--config', file])).code).toBe(0);
    expect(fake.calls).not.toContain('GetCallerIdentity');
  });

  it('the right account passes', async () => {
    const r = await runTap(['deploy', '--env', 'pin', '--config', configFile({ envs: { pin: { account: '123456789012' } } })]);
    expect(r.code).toBe(0);
  });

  it('with credentials of another account (the fake made for it), its pin passes and the default one is refused', async () => {
    fake.restore();
    fake = new FakeAws({ account: '210987654321' }).install();
    const mine = await runTap(['deploy', '--env', 'pin', '--json', '--config', configFile({ envs: { pin: { account: '210987654321' } } })]);
    expect(mine.code).toBe(0);
    expect(fake.cloudFormation.stack('TapStack-pin')!.id).toMatch(/^arn:aws:cloudformation:us-east-1:210987654321:stack\/TapStack-pin\//);
    const other = await runTap(['destroy', '--env', 'pin', '--yes', '--config', configFile({ envs: { pin: { account: '123456789012' } } })]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('but these credentials are for account 210987654321; nothing was changed');
  });
});
