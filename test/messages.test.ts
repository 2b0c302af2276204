import { describe, expect, it } from 'vitest';
import { type Code, CODES, type Message, sentence } from '../src/messages/index.js';

// Each code's sentence, drawn from its payload alone: the lines a person read before messages were
// typed, kept as they were (the branches of each sentence included).
const SUMMARY = { Id: '1-abc', StartTime: new Date('2026-11-25T11:00:00Z'), Duration: 0.042, Http: { HttpMethod: 'POST', HttpURL: 'https://x/dev/events', HttpStatus: 202 }, ServiceIds: [{ Name: 'srv-handler-dev' }, {}] };
const CASES: [Message, string][] = [
  [
    { level: 'debug', code: 'aws.setup', data: { region: { value: 'eu-west-1', from: 'profile emu: region' }, endpoint: { value: 'http://localhost:4566', from: 'profile emu: endpoint_url' }, profile: { value: 'emu', from: 'AWS_PROFILE' }, caBundle: { value: '/etc/corp.pem', from: 'AWS_CA_BUNDLE' }, maxAttempts: { value: 3, from: 'AWS_MAX_ATTEMPTS' }, retryMode: { value: 'standard', from: 'profile emu: retry_mode' }, timeouts: { connectS: 5, readS: 2.5 } } },
    'AWS: region eu-west-1 (profile emu: region), endpoint http://localhost:4566 (profile emu: endpoint_url), profile emu (AWS_PROFILE), CA bundle /etc/corp.pem (AWS_CA_BUNDLE), 3 attempts (AWS_MAX_ATTEMPTS), standard retries (profile emu: retry_mode), timeouts 5 s to connect, 2.5 s without an answer',
  ],
  [
    { level: 'debug', code: 'aws.setup', data: { profile: { value: 'default', from: 'default' }, maxAttempts: { value: 5, from: 'tap default' }, retryMode: { value: 'adaptive', from: 'tap default' }, timeouts: { connectS: 5, readS: 15 } } },
    "AWS: region none (not in --region, tap.config.json, AWS_REGION or profile default), endpoint AWS's public one, profile default (default), CA bundle Node's, 5 attempts (tap default), adaptive retries (tap default), timeouts 5 s to connect, 15 s without an answer",
  ],
  [{ level: 'debug', code: 'aws.call', data: { service: 'CloudFormation', operation: 'DescribeStacks', status: 200, ms: 84 } }, 'CloudFormation DescribeStacks: HTTP 200 in 84 ms'],
  [{ level: 'debug', code: 'synth.cache', data: { dir: '/c/tap', build: 'miss', validation: 'hit' } }, 'Synth cache /c/tap: build miss, validation hit'],
  [{ level: 'debug', code: 'synth.cache', data: { build: 'off', validation: 'off' } }, 'Synth cache: not used (--no-cache)'],
  [{ level: 'debug', code: 'aws.call', data: { service: 'S3', operation: 'GetObject', ms: 3 } }, 'S3 GetObject: HTTP ? in 3 ms'],
  [{ level: 'debug', code: 'aws.call', data: { service: 'S3', operation: 'GetObject', status: 404, error: 'NoSuchKey', ms: 9 } }, 'S3 GetObject: HTTP 404 (NoSuchKey) in 9 ms'],
  [{ level: 'debug', code: 'aws.call', data: { service: 'S3', operation: 'GetObject', error: 'TimeoutError', ms: 9 } }, 'S3 GetObject: no answer (TimeoutError) in 9 ms'],
  [{ level: 'warn', code: 'aws.sdk', data: { line: 'defaultProvider::fromEnv WARNING:\n    Multiple credential sources detected: \n    Both AWS_PROFILE and ...' } }, 'both a profile (--profile or AWS_PROFILE) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: the SDK uses the profile'],
  [{ level: 'warn', code: 'aws.sdk', data: { line: 'some other warning' } }, 'some other warning'],
  [{ level: 'progress', code: 'aws.retry', data: { error: 'ThrottlingException', message: 'Rate exceeded', attempt: 1, of: 4, delayMs: 1000 } }, 'ThrottlingException: Rate exceeded; trying again in 1 s (1/4)'],
  [{ level: 'warn', code: 'config.account', data: { env: 'prod', pinned: '111', unchecked: 'no credentials' } }, 'could not check that env prod is in account 111: no credentials'],
  [{ level: 'warn', code: 'config.account', data: { env: 'prod', pinned: '111', from: 'tap.config.json', caller: '222' } }, 'env prod lives in account 111 (tap.config.json), but these credentials are for account 222: what follows describes that other account'],
  [{ level: 'warn', code: 'config.account', data: { env: 'prod', pinned: '111', from: 'tap.config.json' } }, 'env prod lives in account 111 (tap.config.json), but these credentials are for account unknown: what follows describes that other account'],
  [{ level: 'warn', code: 'github.write', data: { error: 'EACCES' } }, "could not write to GitHub's step files: EACCES"],
  [{ level: 'error', code: 'error', data: { error: 'JobFailed', code: 'JobFailed', message: 'it broke', hint: 'try again', exitCode: 1, detail: 'at x' } }, 'it broke\n  hint: try again\n  at x'],
  [{ level: 'error', code: 'error', data: { error: 'JobFailed', code: 'JobFailed', message: 'it broke', exitCode: 1 } }, 'it broke'],
  [{ level: 'progress', code: 'stack.event', data: { eventId: 'e', logicalId: 'Queue', type: 'AWS::SQS::Queue', status: 'CREATE_FAILED', reason: 'denied', done: 2, total: 9 } }, '[2/9] Queue CREATE_FAILED: denied'],
  [{ level: 'progress', code: 'stack.event', data: { eventId: 'e', logicalId: 'Queue', type: 'AWS::SQS::Queue', status: 'CREATE_COMPLETE', total: 9 } }, '[0/9] Queue CREATE_COMPLETE'],
  [{ level: 'info', code: 'stack.waiting', data: { stack: 'TapStack-dev', status: 'UPDATE_IN_PROGRESS' } }, 'TapStack-dev is UPDATE_IN_PROGRESS; waiting for that operation to finish'],
  [{ level: 'info', code: 'deploy.staging', data: { bytes: 61234, bucket: 'tap-staging-1-us-east-1' } }, 'Template is 61,234 bytes: staging it in s3://tap-staging-1-us-east-1'],
  [{ level: 'info', code: 'deploy.staging-bucket', data: { bucket: 'b', expiryDays: 1, created: true } }, 'Created staging bucket b (private, encrypted, objects expire after 1 day)'],
  [{ level: 'info', code: 'deploy.staging-bucket', data: { bucket: 'b', expiryDays: 1, created: false } }, 'Staging bucket b lacked its settings: set them (private, encrypted, objects expire after 1 day)'],
  [{ level: 'progress', code: 'deploy.change-set', data: { name: 'tap-1', type: 'CREATE' } }, 'Creating change set tap-1 (CREATE)'],
  [{ level: 'info', code: 'deploy.change', data: { action: 'Modify', logicalId: 'Q', type: 'AWS::SQS::Queue', replacement: 'True' } }, '~ Modify Q (AWS::SQS::Queue) (replacement: True)'],
  [{ level: 'info', code: 'deploy.rollback-triggers', data: { kind: 'set', rollup: 'srv-alarms-dev', alarms: 9, monitorMinutes: 10 } }, "Rollback trigger: srv-alarms-dev (any of the env's 9 alarms in ALARM rolls the update back), watched for 10 min after the update"],
  [{ level: 'info', code: 'deploy.rollback-triggers', data: { kind: 'none', rollup: 'srv-alarms-dev', reason: 'first-create', monitorMinutes: 0 } }, 'No rollback triggers on a first create: the alarms do not exist yet; the next update has them'],
  [{ level: 'info', code: 'deploy.rollback-triggers', data: { kind: 'none', rollup: 'srv-alarms-dev', reason: 'no-composite', monitorMinutes: 0 } }, 'No rollback triggers: srv-alarms-dev does not exist yet (this deploy creates it); the next update has them'],
  [{ level: 'success', code: 'deploy.no-changes', data: { stack: 'TapStack-dev', found: 'matches' } }, 'TapStack-dev already matches the code: no change set needed'],
  [{ level: 'success', code: 'deploy.no-changes', data: { stack: 'TapStack-dev', found: 'empty' } }, 'TapStack-dev: the change set was empty (deleted); no changes'],
  [{ level: 'warn', code: 'deploy.delete-failed-create', data: { stack: 'TapStack-dev', status: 'ROLLBACK_COMPLETE' } }, 'TapStack-dev is ROLLBACK_COMPLETE after a failed create; deleting it before creating it again'],
  [{ level: 'info', code: 'deploy.termination-protection', data: { stack: 'TapStack-dev', on: true } }, 'Termination protection on for TapStack-dev'],
  [{ level: 'info', code: 'deploy.termination-protection', data: { stack: 'TapStack-dev', on: false } }, 'Termination protection off for TapStack-dev'],
  [{ level: 'info', code: 'deploy.account-role', data: { kind: 'in-place', roleArn: 'arn:r', owner: 'account' } }, "API Gateway logs with the account's own CloudWatch role arn:r: used as it is"],
  [{ level: 'info', code: 'deploy.account-role', data: { kind: 'in-place', roleArn: 'arn:r', owner: 'tap-shared', stack: 'TapShared' } }, 'API Gateway logs with arn:r from TapShared'],
  [{ level: 'warn', code: 'deploy.account-role-moved', data: { roleArn: 'arn:r', envStack: 'TapStack-old', sharedStack: 'TapShared' } }, "API Gateway logs with arn:r, a role of TapStack-old that this deploy removes: moving the setting to TapShared's role"],
  [{ level: 'info', code: 'deploy.shared-stack', data: { region: 'us-east-1', stack: 'TapShared' } }, 'The account has no API Gateway CloudWatch role in us-east-1: deploying TapShared, shared by every tap env here'],
  [{ level: 'success', code: 'deploy.shared-stack-deployed', data: { kind: 'shared-stack-deployed', stack: 'TapShared', status: 'CREATE_COMPLETE', roleArn: 'arn:r' } }, 'TapShared CREATE_COMPLETE: API Gateway logs with arn:r'],
  [{ level: 'success', code: 'deploy.shared-stack-deployed', data: { kind: 'shared-stack-deployed', stack: 'TapShared', roleArn: 'arn:r' } }, 'TapShared : API Gateway logs with arn:r'],
  [{ level: 'success', code: 'destroy.nothing', data: { stack: 'TapStack-dev' } }, 'TapStack-dev does not exist in this account and region: nothing to destroy'],
  [{ level: 'progress', code: 'destroy.emptying', data: { bucket: 'b', removed: 2500 } }, 'Emptying b: 2,500 object version(s) removed'],
  [{ level: 'info', code: 'destroy.emptied', data: { bucket: 'b', removed: 3 } }, 'Data bucket b emptied: 3 object version(s) removed'],
  [{ level: 'warn', code: 'destroy.retry', data: { stack: 'TapStack-dev', status: 'DELETE_FAILED' } }, 'TapStack-dev is DELETE_FAILED; emptying what can be emptied and deleting once more'],
  [{ level: 'progress', code: 'synth.start', data: { stack: 'TapStack-dev' } }, 'Synthesizing TapStack-dev'],
  [{ level: 'warn', code: 'synth.finding', data: { level: 'warning', path: 'TapStack-dev/Api', message: 'no WAF' } }, 'TapStack-dev/Api: no WAF'],
  [{ level: 'progress', code: 'diff.fetch', data: { stack: 'TapStack-dev' } }, 'Reading the deployed template of TapStack-dev'],
  [{ level: 'progress', code: 'verify.start', data: { stack: 'TapStack-dev', checks: ['stack', 'api'] } }, 'Verifying TapStack-dev: stack, api'],
  [{ level: 'progress', code: 'verify.check', data: { id: 'api', title: 'API', status: 'warn', detail: '', durationMs: 12, finished: 2, total: 11 } }, '2/11 ! api (12 ms)'],
  [{ level: 'progress', code: 'verify.check', data: { id: 'api', title: 'API', status: 'pass', detail: '', durationMs: 12, finished: 10, total: 12, waiting: ['canary-delivery', 'canary-trace'] } }, '10/12 ✔ api (12 ms); waiting for canary-delivery, canary-trace'],
  [{ level: 'progress', code: 'status.start', data: { stack: 'TapStack-dev', lines: ['stack', 'api'] } }, 'Reading TapStack-dev: stack, api'],
  [{ level: 'progress', code: 'status.line', data: { id: 'api', health: 'green', finished: 1, total: 2, waiting: ['xray'] } }, '1/2 api green; waiting for xray'],
  [{ level: 'progress', code: 'status.line', data: { id: 'xray', health: 'red', finished: 2, total: 2, waiting: [] } }, '2/2 xray red'],
  [{ level: 'debug', code: 'canary.lost', data: { error: 'socket hang up' } }, 'POST /events: socket hang up; the event may have been taken, looking for its receipt instead of sending another'],
  [{ level: 'progress', code: 'trace.search', data: { group: 'srv-trace-dev', from: 'a', to: 'b' } }, 'Searching srv-trace-dev from a to b'],
  [{ level: 'info', code: 'trace.follow', data: { filter: 'x' } }, 'Following new traces (Ctrl-C to stop)'],
  [{ level: 'info', code: 'trace.summary', data: SUMMARY }, '2026-11-25T11:00:00.000Z  1-abc     42 ms  POST /dev/events 202  ok  srv-handler-dev'],
  [{ level: 'info', code: 'trace.summary', data: { Id: '1-f', HasFault: true } }, '?  1-f      0 ms  -  ✖ fault  '],
  [{ level: 'info', code: 'trace.summary', data: { Id: '1-e', HasError: true } }, '?  1-e      0 ms  -  ! error  '],
  [{ level: 'info', code: 'trace.summary', data: { Id: '1-t', HasThrottle: true } }, '?  1-t      0 ms  -  ! throttle  '],
  [{ level: 'warn', code: 'trace.look-failed', data: { error: 'ThrottlingException', throttled: true, nextMs: 4000 } }, 'X-Ray is throttling (ThrottlingException); next look in 4 s'],
  [{ level: 'warn', code: 'trace.look-failed', data: { error: 'InternalFailure', throttled: false, nextMs: 8000 } }, 'X-Ray failed (InternalFailure); next look in 8 s'],
  [{ level: 'debug', code: 'replay.found', data: { name: 'r1' } }, 'Replay r1 exists with this archive, window and destination: an earlier try of this request; following it'],
  [{ level: 'info', code: 'replay.started', data: { name: 'r1', from: 'a', to: 'b' } }, 'Started replay r1: a .. b'],
  [{ level: 'info', code: 'replay.started', data: { name: 'r1', from: 'a', to: 'b', rule: 'srv-rule-dev' } }, 'Started replay r1: a .. b to rule srv-rule-dev'],
  [{ level: 'progress', code: 'stack.operation', data: { stack: 'TapStack-dev', operation: 'execute', changeSet: 'tap-1', type: 'CREATE', total: 42 } }, "[0/42] Executing change set tap-1 (CREATE) on TapStack-dev: waiting for CloudFormation's first event"],
  [{ level: 'progress', code: 'stack.operation', data: { stack: 'TapStack-dev', operation: 'delete', attempt: 2, total: 40 } }, "[0/40] Deleting TapStack-dev (attempt 2): waiting for CloudFormation's first event"],
  [{ level: 'progress', code: 'stack.operation', data: { stack: 'TapStack-dev', operation: 'delete' } }, "Deleting TapStack-dev: waiting for CloudFormation's first event"],
  [{ level: 'progress', code: 'replay.progress', data: { name: 'r1', state: 'RUNNING', progress: 0.5, elapsedS: 3, lastReplayed: 'c' } }, 'r1 RUNNING [██████████░░░░░░░░░░] 50% 3s elapsed, at c'],
  [{ level: 'progress', code: 'replay.progress', data: { name: 'r1', state: 'STARTING', progress: 0, elapsedS: 0 } }, 'r1 STARTING [░░░░░░░░░░░░░░░░░░░░] 0% 0s elapsed'],
  [{ level: 'warn', code: 'replay.cancelling', data: { name: 'r1', signal: 'SIGINT' } }, 'Ctrl-C: cancelling replay r1'],
  [{ level: 'warn', code: 'replay.cancelling', data: { name: 'r1', signal: 'SIGTERM' } }, 'SIGTERM: cancelling replay r1'],
  [{ level: 'info', code: 'logs.line', data: { source: 'handler', time: 't', timestamp: 0, message: 'plain line' } }, '      t handler   plain line'],
  [{ level: 'progress', code: 'logs.search', data: { sources: ['handler', 'api'], from: 'a', to: 'b' } }, 'Searching handler, api logs from a to b'],
  [{ level: 'info', code: 'logs.skipped', data: { source: 'api', reason: 'no correlation ids there' } }, 'api: no correlation ids there'],
  [{ level: 'warn', code: 'logs.missing-group', data: { group: 'g', source: 'processor', during: 'search' } }, 'log group g does not exist (is the env deployed, and has the processor run yet?)'],
  [{ level: 'warn', code: 'logs.missing-group', data: { group: 'g', source: 'processor', during: 'follow' } }, 'log group g does not exist; not following it'],
  [{ level: 'warn', code: 'logs.truncated', data: { scanned: 10000 } }, 'stopped after reading 10000 log events: the newest lines found are shown; narrow the window or add a filter'],
  [{ level: 'info', code: 'logs.follow', data: { via: 'live-tail' } }, 'Following new log lines with Live Tail (Ctrl-C to stop)'],
  [{ level: 'info', code: 'logs.follow', data: { via: 'polling' } }, 'Following new log lines (Ctrl-C to stop)'],
  [{ level: 'warn', code: 'logs.live-tail-unavailable', data: { error: 'AccessDeniedException', message: 'no', pollMs: 2000 } }, 'Live Tail is not available (AccessDeniedException: no); polling FilterLogEvents every 2 s instead'],
  // An endpoint without Live Tail: what came, not the SDK's SyntaxError.
  [{ level: 'warn', code: 'logs.live-tail-unavailable', data: { error: 'SyntaxError', message: "StartLiveTail got an answer that is not CloudWatch Logs's format: HTTP 500 (text/html)", pollMs: 2000 } }, "Live Tail is not available (StartLiveTail got an answer that is not CloudWatch Logs's format: HTTP 500 (text/html)); polling FilterLogEvents every 2 s instead"],
  [{ level: 'progress', code: 'aws.retry', data: { error: 'Unknown', message: 'an answer without an error code or message: HTTP 502', attempt: 1, of: 4 } }, 'an answer without an error code or message: HTTP 502; trying again (1/4)'],
  [{ level: 'warn', code: 'logs.sampled', data: {} }, 'Live Tail is sampling (more than 500 lines a second): not every line is shown'],
  [{ level: 'info', code: 'logs.live-tail-restart', data: {} }, 'Live Tail ended its session (3 hours); starting a new one'],
  [{ level: 'warn', code: 'logs.look-failed', data: { error: 'ThrottlingException', throttled: true, nextMs: 4000 } }, 'CloudWatch Logs is throttling (ThrottlingException); next look in 4 s'],
];

describe('typed messages', () => {
  it.each(CASES)('%j reads as %j', (message, text) => {
    expect(sentence(message)).toBe(text);
  });

  it("the compiler checks a code's payload", () => {
    // @ts-expect-error synth.start carries { stack }, not { bucket }
    const wrong: Message = { level: 'progress', code: 'synth.start', data: { bucket: 'b' } };
    expect(wrong.code).toBe('synth.start');
  });

  it('every code has a case above', () => {
    expect(new Set(CASES.map(([m]) => m.code))).toEqual(new Set<Code>(CODES));
  });
});
