import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubActions } from '../src/io/github.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


const dir = mkdtempSync(join(tmpdir(), 'tap-gh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fake: FakeAws;
let summary = '';
let output = '';
let n = 0;
beforeEach(async () => {
  fake = new FakeAws().install();
  expect((await runTap(['deploy', '--env', 'gha'])).code).toBe(0);
  summary = join(dir, `summary-${n}.md`);
  output = join(dir, `output-${n++}`);
  writeFileSync(summary, '');
  writeFileSync(output, '');
});
afterEach(() => fake.restore());
const inActions = () => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output });

describe('under GitHub Actions', () => {
  it('verify: an error annotation per failed check, a warning per warned one, and the checks as a table in the job summary', async () => {
    fake.serverless.queueDepth.set('srv-dlq-gha', 2);
    const rule = fake.cloudFormation.stack('TapStack-gha')!.resources.get('Rule4C995B7F')!;
    rule.properties = { ...(rule.properties as object), State: 'DISABLED' };
    const r = await runTap(['verify', '--env', 'gha', '--no-canary'], { fetch: fake.fetch, env: inActions() });
    expect(r.code).toBe(1);
    const commands = r.stderr.split('\n').filter((l) => l.startsWith('::'));
    expect(commands).toEqual([
      expect.stringMatching(/^::error title=tap verify gha%3A rule::srv-deliver-gha: state is "DISABLED", expected "ENABLED"%0Aremedy: /),
      expect.stringMatching(/^::warning title=tap verify gha%3A dlq::2 message\(s\) waiting in srv-dlq-gha/),
    ]);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### tap verify --env gha: 8 passed, 1 failed, 1 warning\(s\), 0 skipped\n\n\| check \| result \| time \| detail \|\n\| --- \| --- \| --- \| --- \|\n/);
    expect(md).toMatch(/\n\| rule \| ❌ fail \| \d+ ms \| srv-deliver-gha: state is "DISABLED", expected "ENABLED" \|\n/);
    expect(r.stdout).toMatch(/TapStack-gha: 8 passed, 1 failed/); // the result is where it always is
  });

  it('diff: the change summary in the job summary', async () => {
    const s = fake.cloudFormation.stack('TapStack-gha')!;
    s.templateBody = s.templateBody.replace('"QueueName":"srv-dlq-gha"', '"QueueName":"srv-dlq-old"');
    const r = await runTap(['diff', '--env', 'gha', '--json'], { env: inActions() });
    expect(r.code).toBe(0);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### tap diff TapStack-gha: 1 difference\(s\)\n\n\| change \| logical id \| type \| impact \|\n\| --- \| --- \| --- \| --- \|\n\| modify \| \w+ \| AWS::SQS::Queue \| WILL_REPLACE \|\n/);
    expect(md).toContain('<details><summary>the diff</summary>');
  });

  it('deploy: its stack events in one log group, the outcome and outputs in the job summary, the outputs as step outputs', async () => {
    const r = await runTap(['deploy', '--env', 'ghd'], { env: inActions() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\n::group::stack\.event\n(… \[\d+\/49\] .*\n)+::endgroup::\n$/);
    expect(r.stderr.match(/::group::/g)).toHaveLength(1);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### tap deploy TapStack-ghd: deployed \(CREATE_COMPLETE\)\n\n\| output \| value \|\n\| --- \| --- \|\n/);
    expect(md).toContain('| EventBusName | srv-events-ghd |');
    expect(readFileSync(output, 'utf8')).toMatch(/^ApiUrl<<(ghadelimiter_[0-9a-f]{16})\nhttps:\/\/\S+\/ghd\/\n\1\n/);
  });

  it('a step file that cannot be written is a warning before the result, which stays the last line', async () => {
    const r = await runTap(['diff', '--env', 'gha', '--json'], { env: { ...inActions(), GITHUB_STEP_SUMMARY: join(dir, 'missing', 'summary.md') } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code?: string; kind?: string });
    expect(lines.at(-2)).toMatchObject({ type: 'event', level: 'warn', code: 'github.write' });
    expect(lines.at(-1)).toMatchObject({ kind: 'no-differences' });
  });

  it('elsewhere nothing changes: no workflow command, no file written', async () => {
    const r = await runTap(['verify', '--env', 'gha', '--no-canary'], { fetch: fake.fetch, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('::');
    expect(readFileSync(summary, 'utf8')).toBe('');
  });

  it('without the job summary and output files, and without a title, only the workflow command is written', () => {
    let err = '';
    const gh = githubActions({ stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: process.stdin, env: { GITHUB_ACTIONS: 'true' } })!;
    gh.annotate('warning', 'careful');
    gh.summary('# no file');
    gh.output('x', 'y');
    expect(err).toBe('::warning::careful\n');
    const withFile = githubActions({ stdout: { write: () => true }, stderr: { write: () => true }, stdin: process.stdin, env: inActions() })!;
    withFile.summary('no newline');
    withFile.summary('one\n');
    expect(readFileSync(summary, 'utf8')).toBe('no newline\none\n');
    expect(githubActions({ stdout: { write: () => true }, stderr: { write: () => true }, stdin: process.stdin, env: { GITHUB_ACTIONS: 'false' } })).toBeUndefined();
  });

  it('diff: a stack not deployed yet, and one without differences', async () => {
    const r = await runTap(['diff', '--env', 'new', '--json'], { env: inActions() });
    expect(r.code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toMatch(/^### tap diff TapStack-new: \d+ difference\(s\) \(not deployed yet\)\n/);
    writeFileSync(summary, '');
    const same = await runTap(['diff', '--env', 'gha'], { env: inActions() });
    expect(same.code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toBe('### tap diff TapStack-gha: no differences\n');
  });

  it('escapes workflow commands as @actions/core does, and writes outputs with a delimiter', () => {
    let err = '';
    const gh = githubActions({ stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: process.stdin, env: inActions() })!;
    gh.annotate('error', '100% broken\r\nsecond', 'a: b, c');
    gh.group('events');
    gh.endGroup();
    gh.output('ApiUrl', 'https://x/dev/');
    expect(err).toBe('::error title=a%3A b%2C c::100%25 broken%0D%0Asecond\n::group::events\n::endgroup::\n');
    expect(readFileSync(output, 'utf8')).toMatch(/^ApiUrl<<(ghadelimiter_[0-9a-f]{16})\nhttps:\/\/x\/dev\/\n\1\n$/);
  });
});
