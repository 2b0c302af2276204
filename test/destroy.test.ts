import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


const BUCKET = 'srv-data-des-123456789012-us-east-1';
let fake: FakeAws;
beforeEach(async () => {
  fake = new FakeAws().install();
  expect((await runTap(['deploy', '--env', 'des'])).code).toBe(0);
  fake.resetCalls();
});
afterEach(() => fake.restore());

const destroy = (...args: string[]) => runTap(['destroy', '--env', 'des', ...args]);
const stack = () => fake.cloudFormation.stack('TapStack-des');

describe('tap destroy: progress', () => {
  it('every phase says what it waits for: emptying the bucket, then the delete before its first event', async () => {
    const lines = (await destroy('--yes', '--no-color')).stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(new RegExp(`^… Emptying ${BUCKET}: 0 object version\\(s\\) removed$`))).toBeGreaterThan(-1);
    const emptied = at(/^ℹ Data bucket \S+ emptied/);
    const deleting = at(/^… \[0\/\d+\] Deleting TapStack-des: waiting for CloudFormation's first event$/);
    expect([emptied > -1, deleting > emptied, at(/^… \[1\/\d+\] /) > deleting]).toEqual([true, true, true]);
  });
});

describe('tap destroy: confirmation', () => {
  it('refuses without a TTY and without --yes: exit 2, no AWS call, nothing deleted', async () => {
    const r = await destroy();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to destroy TapStack-des without --yes: there is no terminal to confirm on, and nothing was deleted/);
    expect(fake.calls).toEqual([]);
  });

  it('on a TTY, a wrong answer deletes nothing and exits 130', async () => {
    const r = await runTap(['destroy', '--env', 'des'], { tty: true, answers: ['prod'] });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Type the env name (des) to confirm:');
    expect(r.stderr).toContain("Not confirmed ('prod' is not 'des'); nothing was deleted.");
    expect(stack()?.status).toBe('CREATE_COMPLETE');
  });

  it('on a TTY, typing the env name destroys the stack', async () => {
    const r = await runTap(['destroy', '--env', 'des', '--no-color'], { tty: true, answers: ['des'] });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TapStack-des: destroyed \(0 object version\(s\) removed\)\nRemaining by AWS design:\n {2}KMS key key-key961b73fd: PendingDeletion until /);
    expect(stack()).toBeUndefined();
  });

  it('refuses while termination protection is on and says how to turn it off', async () => {
    await runTap(['deploy', '--env', 'des', '--termination-protection']);
    const r = await destroy('--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/termination protection is on for TapStack-des; nothing was deleted\n.*hint: turn it off with `tap deploy --env des --no-termination-protection`/);
    expect(fake.calls).not.toContain('DeleteStack');
  });

  it('a stack that does not exist: nothing to destroy, exit 0', async () => {
    const r = await runTap(['destroy', '--env', 'other', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ kind: 'nothing-to-destroy', env: 'other', stackName: 'TapStack-other' });
  });
});

describe('tap destroy: emptying and DELETE_FAILED', () => {
  it('empties every version and delete marker across several pages, in batches of at most 1,000', async () => {
    for (let i = 0; i < 1200; i++) fake.s3.putObject(BUCKET, `receipts/${String(i).padStart(4, '0')}.json`, '{}');
    for (let i = 0; i < 1000; i++) fake.s3.deleteObject(BUCKET, `receipts/${String(i).padStart(4, '0')}.json`);
    const r = await destroy('--yes', '--json');
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'destroyed', objectsRemoved: 2200, attempts: 1 });
    // Three pages deleted, then a fourth listing from the start finds the bucket empty.
    expect(fake.calls.filter((c) => c === 'ListObjectVersions')).toHaveLength(4);
    expect(fake.calls.filter((c) => c === 'DeleteObjects')).toHaveLength(3);
    expect(fake.s3.buckets.has(BUCKET)).toBe(false);
  });

  it('lists again from the start after each batch, so a page that ends inside a key loses none of its versions', async () => {
    // 700 keys of 3 versions each: the first page (1,000, as S3 pages) ends after the second version of a key.
    const key = (i: number) => `receipts/${String(i).padStart(4, '0')}.json`;
    for (let v = 0; v < 3; v++) for (let i = 0; i < 700; i++) fake.s3.putObject(BUCKET, key(i), `{"v":${v}}`);
    const first = fake.s3.listObjectVersions({ Bucket: BUCKET, MaxKeys: 5000 });
    expect([first.Versions.length, first.IsTruncated, first.NextKeyMarker]).toEqual([1000, true, key(333)]);
    // What follows a version that was deleted differs between S3 and emulators; the fake goes on with the next key.
    const r = await destroy('--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'destroyed', objectsRemoved: 2100, attempts: 1 });
    expect(fake.calls.filter((c) => c === 'DeleteObjects')).toHaveLength(3);
    expect(fake.s3.buckets.has(BUCKET)).toBe(false);
  });

  it('on DELETE_FAILED shows the cause, empties again and retries once', async () => {
    let writes = 0;
    fake.before = (call) => {
      // A late writer: an object lands after emptying, before CloudFormation deletes the bucket.
      if (call === 'DeleteStack' && writes++ === 0) fake.s3.putObject(BUCKET, 'receipts/late.json', '{}');
    };
    const r = await destroy('--yes', '--no-color');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/! \[\d+\/49\] DataBucketE3889A50 DELETE_FAILED: The bucket you tried to delete is not empty/);
    expect(r.stderr).toMatch(/TapStack-des is DELETE_FAILED; emptying what can be emptied and deleting once more/);
    expect(r.stdout).toMatch(/^TapStack-des: destroyed \(1 object version\(s\) removed, after 2 attempts\)/);
    expect(stack()).toBeUndefined();
  });

  it('when the retry fails too, reports the causes and exits 1', async () => {
    fake.before = (call) => {
      if (call === 'DeleteStack') fake.s3.putObject(BUCKET, `receipts/${fake.calls.length}.json`, '{}');
    };
    const r = await destroy('--yes', '--no-color');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'TapStack-des: destroy failed, stack is DELETE_FAILED\n' +
        '  DataBucketE3889A50 (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty (Service: S3, Status Code: 409)\n' +
        'Resolve the causes above, then run `tap destroy --env des` again.\n',
    );
    expect(fake.calls.filter((c) => c === 'DeleteStack')).toHaveLength(2);
  });

  it('waits for an operation in progress to settle, then destroys', async () => {
    expect((await runTap(['deploy', '--env', 'des', '--no-wait', '--tag', 'team=x'])).code).toBe(0);
    expect(stack()?.status).toBe('UPDATE_IN_PROGRESS');
    const r = await destroy('--yes', '--no-color');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/TapStack-des is UPDATE_IN_PROGRESS; waiting for that operation to finish[^]*TapStack-des UPDATE_COMPLETE[^]*TapStack-des DELETE_COMPLETE/);
    expect(r.stdout).toMatch(/^TapStack-des: destroyed/);
    expect(stack()).toBeUndefined();
  });

  it('--no-wait returns once deletion has started', async () => {
    const r = await destroy('--yes', '--no-wait', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'started' });
    expect(stack()?.status).toBe('DELETE_IN_PROGRESS');
  });
});
