import { describe, expect, it } from 'vitest';
import * as deploy from '../src/commands/deploy.js';
import * as destroy from '../src/commands/destroy.js';
import * as diff from '../src/commands/diff.js';
import * as list from '../src/commands/list.js';
import * as replay from '../src/commands/replay/index.js';
import { cancel, list as replayList, status as replayStatus } from '../src/commands/replay/admin.js';
import * as status from '../src/commands/status.js';
import * as synth from '../src/commands/synth.js';
import { viewOf } from '../src/replay/replays.js';

// What each command prints for a person, for the results the lifecycle tests read as JSON.
const base = { env: 'dev', stackName: 'TapStack-dev' };
const event = { eventId: 'e', logicalId: 'Handler', type: 'AWS::Lambda::Function', status: 'CREATE_FAILED' };

describe('deploy output', () => {
  const ROLE = 'arn:aws:iam::1:role/ops-logs';
  const inPlace = { accountRole: { kind: 'in-place', roleArn: ROLE, owner: 'account' } } as const;
  const roleLine = `API Gateway CloudWatch role: ${ROLE} (in place, the account's own; not changed)`;

  it('a deploy left running says how to follow it', () => {
    expect(deploy.render({ ...base, ...inPlace, kind: 'started', changeSetName: 'tap-1', changes: [] })).toBe(
      `TapStack-dev: change set tap-1 is executing (0 change(s)); follow it with \`tap deploy --env dev\` or \`tap status --env dev\`\n${roleLine}`,
    );
  });

  it('a failed update names the root cause, or says none was reported; a failed create says the next deploy recreates it', () => {
    expect(deploy.render({ ...base, ...inPlace, kind: 'failed', status: 'UPDATE_ROLLBACK_COMPLETE', changes: [], failures: [], rootCause: event })).toBe(
      `TapStack-dev: deployment failed, stack is UPDATE_ROLLBACK_COMPLETE\nRoot cause: Handler (AWS::Lambda::Function) CREATE_FAILED: no reason given\n${roleLine}`,
    );
    const created = deploy.render({ ...base, ...inPlace, kind: 'failed', status: 'ROLLBACK_COMPLETE', changes: [], failures: [] });
    expect(created).toContain('Root cause: no failed resource was reported');
    expect(created).toContain('The next `tap deploy --env dev` deletes the failed stack and creates it again.');
    expect(deploy.exitCode({ ...base, ...inPlace, kind: 'failed', status: 'ROLLBACK_COMPLETE', changes: [], failures: [] })).toBe(1);
  });

  it('the outputs, and the file they were written to', () => {
    expect(deploy.render({ ...base, ...inPlace, kind: 'deployed', status: 'UPDATE_COMPLETE', changes: [], outputs: { ApiUrl: 'https://x/dev/' }, outputsFile: 'out.json' })).toBe(
      `TapStack-dev: UPDATE_COMPLETE, 0 change(s) applied\nOutputs:\n  ApiUrl = https://x/dev/\nOutputs written to out.json\n${roleLine}`,
    );
  });

  it('says which happened to the account role: found in place (tap\'s or the account\'s), or the shared stack deployed', () => {
    const noChanges = { ...base, kind: 'no-changes', status: 'CREATE_COMPLETE', outputs: {} } as const;
    expect(deploy.render({ ...noChanges, accountRole: { kind: 'in-place', roleArn: ROLE, owner: 'tap-shared' } })).toMatch(/\nAPI Gateway CloudWatch role: arn:aws:iam::1:role\/ops-logs \(in place, from TapShared; not changed\)$/);
    expect(deploy.render({ ...noChanges, accountRole: { kind: 'shared-stack-deployed', stackName: 'TapShared', roleArn: ROLE, status: 'CREATE_COMPLETE' } })).toMatch(
      /\nAPI Gateway CloudWatch role: arn:aws:iam::1:role\/ops-logs \(created: TapShared CREATE_COMPLETE, shared by every env in this account and region\)$/,
    );
    expect(deploy.render({ ...noChanges, accountRole: { kind: 'moved-to-shared', stackName: 'TapShared', roleArn: ROLE, from: 'arn:aws:iam::1:role/old' } })).toMatch(
      /\nAPI Gateway CloudWatch role: arn:aws:iam::1:role\/ops-logs \(moved from arn:aws:iam::1:role\/old, a role of this env's stack that this deploy removes, to TapShared\)$/,
    );
  });

  it.each([
    [['k'], /invalid --tag 'k': expected KEY=VALUE/],
    [['=v'], /invalid --tag '=v': expected KEY=VALUE/],
    [[`${'k'.repeat(129)}=v`], /keys are at most 128 characters, values at most 256/],
    [[`k=${'v'.repeat(257)}`], /keys are at most 128 characters, values at most 256/],
    [['aws:x=1'], /the key 'aws:x' is reserved/],
    [['tap:env=x'], /the key 'tap:env' is reserved/],
    [['a=1', 'a=2'], /--tag 'a' is given twice/],
  ])('--tag %j is refused', (tags, message) => {
    expect(() => deploy.parseTags('dev', tags)).toThrow(message);
  });

  it('--tag KEY=VALUE keeps everything after the first =', () => {
    expect(deploy.parseTags('dev', ['team=a=b', 'empty='])).toEqual({ 'tap:env': 'dev', team: 'a=b', empty: '' });
  });
});

describe('destroy output', () => {
  it('started, destroyed after a retry, and failed with causes', () => {
    expect(destroy.render({ ...base, kind: 'started', objectsRemoved: 3 })).toBe('TapStack-dev: deletion started (3 object version(s) removed); follow it with `tap status --env dev`');
    expect(destroy.render({ ...base, kind: 'destroyed', objectsRemoved: 0, attempts: 2, remaining: ['KMS key k'] })).toBe(
      'TapStack-dev: destroyed (0 object version(s) removed, after 2 attempts)\nRemaining by AWS design:\n  KMS key k',
    );
    expect(destroy.render({ ...base, kind: 'failed', status: 'DELETE_FAILED', objectsRemoved: 0, causes: [{ ...event, status: 'DELETE_FAILED' }] })).toBe(
      'TapStack-dev: destroy failed, stack is DELETE_FAILED\n  Handler (AWS::Lambda::Function) DELETE_FAILED: no reason given\nResolve the causes above, then run `tap destroy --env dev` again.',
    );
  });
});

describe('replay output', () => {
  const view = viewOf({ ReplayName: 'r1', State: 'FAILED', StateReason: 'rule gone', EventStartTime: new Date('2026-11-25T10:00:00Z'), EventEndTime: new Date('2026-11-25T11:00:00Z') });

  it('a failed replay with its reason; a count checked against --expect', () => {
    expect(replay.render({ kind: 'failed', env: 'dev', replay: view, elapsedMs: 1 })).toBe('Replay r1 FAILED: rule gone (2026-11-25T10:00:00.000Z .. 2026-11-25T11:00:00.000Z)');
    const done = { kind: 'completed' as const, env: 'dev', replay: { ...view, state: 'COMPLETED', reason: undefined }, reprocessed: 2, elapsedMs: 1500 };
    expect(replay.render({ ...done, expected: 2 })).toMatch(/: 2 event\(s\) re-processed, as expected$/);
    expect(replay.render(done)).toMatch(/COMPLETED in 1\.5 s .*: 2 event\(s\) re-processed$/);
    expect(replay.exitCode(done)).toBe(0);
    expect(replay.exitCode({ ...done, expected: 3 })).toBe(1);
  });

  it('progress through the window, from the last replayed event; unknown fields are ?', () => {
    const running = viewOf({ ReplayName: 'r2', State: 'RUNNING', EventStartTime: new Date(0), EventEndTime: new Date(1000), EventLastReplayedTime: new Date(250), ReplayStartTime: new Date(5) });
    expect(running.progress).toBe(0.25);
    expect(replayStatus.render({ replay: running }, { color: false })).toBe(
      'r2  RUNNING    [███░░░░░░░] 25%  1970-01-01T00:00:00.000Z .. 1970-01-01T00:00:01.000Z\nlast replayed event: 1970-01-01T00:00:00.250Z',
    );
    const bare = viewOf({});
    expect(bare).toMatchObject({ name: '', state: 'UNKNOWN', progress: 0 });
    expect(replayList.render({ archive: 'srv-archive-dev', replays: [{ ...bare, name: 'r3' }, view] }, { color: false })).toBe(
      'r3  UNKNOWN    [░░░░░░░░░░] 0%  ? .. ?\nr1  FAILED     [░░░░░░░░░░] 0%  2026-11-25T10:00:00.000Z .. 2026-11-25T11:00:00.000Z  (rule gone)',
    );
    expect(replayList.render({ archive: 'srv-archive-dev', replays: [] }, { color: false })).toBe('no replays of srv-archive-dev');
    expect(cancel.render({ name: 'r1', state: 'CANCELLING' }, { color: false })).toBe('Replay r1 is CANCELLING; follow it with `tap replay-archive status r1`');
  });
});

describe('status, list, diff and synth output', () => {
  it('status: one line per probe with its rule, coloured on a terminal; an access error is exit 3', () => {
    const r: status.StatusResult = {
      kind: 'status',
      env: 'dev',
      stackName: 'TapStack-dev',
      healthy: false,
      lines: [
        { id: 'stack', health: 'green', summary: 'UPDATE_COMPLETE', rule: 'green: settled' },
        { id: 'dlq', health: 'red', summary: 'could not read: AccessDenied', rule: 'red: the read failed', awsError: true },
      ],
    };
    expect(status.render(r)).toBe('● green  stack  UPDATE_COMPLETE  (green: settled)\n● red    dlq    could not read: AccessDenied  (red: the read failed)\nTapStack-dev: UNHEALTHY');
    expect(status.render(r, { color: true })).toContain('\u001b[31m● red  \u001b[39m');
    expect(status.exitCode(r)).toBe(3);
  });

  it('list: none names the account and region, or the region alone when the account could not be read', () => {
    expect(list.render({ kind: 'envs', account: '123456789012', region: 'eu-west-1', envs: [] })).toBe('no tap envs in account 123456789012, region eu-west-1');
    expect(list.render({ kind: 'envs', region: 'eu-west-1', envs: [] })).toBe('no tap envs in this account, region eu-west-1');
  });

  it('list: - for what a stack does not have', () => {
    expect(list.render({ kind: 'envs', region: 'us-east-1', envs: [{ env: 'dev', stackName: 'TapStack-dev', status: 'CREATE_COMPLETE' }] })).toBe(
      `ENV  STATUS           LAST UPDATED  API URL\ndev  CREATE_COMPLETE  ${'-'.padEnd('LAST UPDATED'.length)}  -`,
    );
  });

  it('diff: against a deployed stack, and a stack not deployed yet', () => {
    const r = { kind: 'differences' as const, stackName: 'TapStack-dev', deployed: true, differenceCount: 2, resources: [], text: '[~] AWS::Lambda::Function Handler' };
    expect(diff.render(r)).toBe('TapStack-dev: 2 difference(s) from the deployed stack\n[~] AWS::Lambda::Function Handler');
    expect(diff.render({ ...r, deployed: false })).toMatch(/^TapStack-dev is not deployed yet: everything below would be created\n/);
    expect(diff.exitCode(r, { env: 'dev', fail: true })).toBe(1);
    expect(diff.exitCode(r, { env: 'dev' })).toBe(0);
  });

  it('synth: a template over the TemplateBody limit is said to be staged', () => {
    const r: synth.SynthResult = { kind: 'synthesized', env: 'dev', stackName: 'TapStack-dev', templateBytes: 60_000, needsStaging: true, resourceCount: 1, resources: { 'AWS::SQS::Queue': 1 }, outputs: ['A'], acknowledged: 0, warnings: [] };
    expect(synth.render(r).split('\n')[0]).toBe('TapStack-dev: 1 resources, 60,000 bytes (over the 51,200-byte TemplateBody limit: deploy stages it in S3)');
  });
});
