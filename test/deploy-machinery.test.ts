import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { templateSource } from '../src/deploy/staging.js';
import { stagingBucketName } from '../src/stack/naming.js';
import { FakeAws } from './fake-aws/index.js';
import { awsError } from './fake-aws/errors.js';
import { testDeps } from './helpers/deps.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';


let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('template staging', () => {
  const big = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'x'.repeat(60_000) } } } });

  it('sends a template within 51,200 bytes inline, with no S3 call', async () => {
    const body = JSON.stringify({ Resources: {} });
    expect(await templateSource('TapStack-s', body, testDeps())).toEqual({ TemplateBody: body });
    expect(fake.calls).toEqual([]);
  });

  it('stages a larger one in a private, encrypted, expiring bucket created on first need, and CloudFormation reads it', async () => {
    const bucket = stagingBucketName('123456789012', 'us-east-1');
    const first = await templateSource('TapStack-s', big, testDeps());
    expect(first).toEqual({ TemplateURL: expect.stringMatching(new RegExp(`^https://${bucket}\\.s3\\.us-east-1\\.amazonaws\\.com/templates/TapStack-s/[0-9a-f]{64}\\.json$`)) });
    expect(fake.calls).toEqual(['GetCallerIdentity', 'HeadBucket', 'CreateBucket', 'PutPublicAccessBlock', 'PutBucketEncryption', 'PutBucketLifecycleConfiguration', 'PutObject']);
    expect(fake.s3.buckets.get(bucket)?.config).toMatchObject({
      publicAccessBlock: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      encryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      lifecycle: { Rules: [{ Status: 'Enabled', Expiration: { Days: 1 } }] },
    });

    fake.resetCalls();
    await templateSource('TapStack-s', big, testDeps());
    expect(fake.calls).toEqual(['GetCallerIdentity', 'HeadBucket', 'GetBucketLifecycleConfiguration', 'PutObject']);

    const created = fake.cloudFormation.createChangeSet({ StackName: 'TapStack-s', ChangeSetName: 'c1', ChangeSetType: 'CREATE', ...first }, (url) => fake.templateFromUrl(url));
    expect(created.StackId).toMatch(/stack\/TapStack-s\//);
  });

  const settings = ['PutPublicAccessBlock', 'PutBucketEncryption', 'PutBucketLifecycleConfiguration'];

  it("a CreateBucket whose answer was lost (the SDK's retry meets BucketAlreadyOwnedByYou) counts as created, and the settings follow", async () => {
    const bucket = stagingBucketName('123456789012', 'us-east-1');
    let lost = false;
    fake.before = (call) => {
      // The first attempt made the bucket and its answer never came back: the retry is what tap sees.
      if (call !== 'CreateBucket' || lost) return;
      lost = true;
      fake.s3.createBucket(bucket);
    };
    expect(await templateSource('TapStack-s', big, testDeps())).toHaveProperty('TemplateURL');
    expect(fake.calls).toEqual(['GetCallerIdentity', 'HeadBucket', 'CreateBucket', ...settings, 'PutObject']);
    expect(Object.keys(fake.s3.buckets.get(bucket)?.config ?? {}).sort()).toEqual(['encryption', 'lifecycle', 'publicAccessBlock']);
  });

  it('a bucket left without its settings (a run stopped after CreateBucket) gets them on the next run', async () => {
    const bucket = stagingBucketName('123456789012', 'us-east-1');
    fake.s3.createBucket(bucket);
    await templateSource('TapStack-s', big, testDeps());
    expect(fake.calls).toEqual(['GetCallerIdentity', 'HeadBucket', 'GetBucketLifecycleConfiguration', ...settings, 'PutObject']);
    expect(Object.keys(fake.s3.buckets.get(bucket)?.config ?? {}).sort()).toEqual(['encryption', 'lifecycle', 'publicAccessBlock']);
  });

  it('a lifecycle rule of tap that someone disabled is set again', async () => {
    const bucket = stagingBucketName('123456789012', 'us-east-1');
    fake.s3.createBucket(bucket);
    fake.s3.configure(bucket, 'lifecycle', { Rules: [{ ID: 'expire-staged-templates', Status: 'Disabled' }] });
    const deps = testDeps();
    await templateSource('TapStack-s', big, deps);
    expect(fake.calls).toContain('PutBucketLifecycleConfiguration');
    expect(deps.messages.find((m) => m.code === 'deploy.staging-bucket')?.data).toMatchObject({ created: false });
  });
});

describe('stack-event polling', () => {
  it('a poll that fails after the SDK retries (throttling, 5xx) is retried on the next tick', async () => {
    let failures = 0;
    fake.before = (call) => {
      if (call === 'DescribeStackEvents' && fake.calls.length % 3 === 0 && failures < 4) {
        failures++;
        throw awsError(failures % 2 ? 'ThrottlingException' : 'InternalFailure', 'Rate exceeded', failures % 2 ? 400 : 500);
      }
    };
    const r = await runTap(['deploy', '--env', 'poll', '--json']);
    expect(r.code).toBe(0);
    expect(failures).toBe(4);
    expect(ndjson(r.stdout).result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE' });
  });

  it('an access error is not retried: exit 3 with the reason', async () => {
    fake.before = (call) => {
      if (call === 'DescribeStackEvents') throw awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStackEvents', 403);
    };
    const r = await runTap(['deploy', '--env', 'poll']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/AccessDenied: User is not authorized to perform: cloudformation:DescribeStackEvents/);
  });
});
