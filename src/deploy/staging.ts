import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import { stagingBucketName } from '../stack/naming.js';
import { CFN_LIMITS } from '../stack/synth.js';

/** Staged templates are only read once, by the change set that follows. */
const STAGED_TEMPLATE_DAYS = 1;
const LIFECYCLE_RULE_ID = 'expire-staged-templates';

/**
 * How a template reaches CloudFormation: inline up to the `TemplateBody` limit, otherwise through an
 * S3 object in a bucket that tap creates on first need (private, encrypted, objects expire), so
 * nothing needs `cdk bootstrap`.
 */
export async function templateSource(stackName: string, body: string, deps: Deps): Promise<{ TemplateBody: string } | { TemplateURL: string }> {
  const bytes = Buffer.byteLength(body);
  if (bytes <= CFN_LIMITS.templateBodyBytes) return { TemplateBody: body };

  const s3sdk = await import('@aws-sdk/client-s3');
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const s3 = await deps.aws.s3();
  const region = await s3.config.region();
  const { Account } = await (await deps.aws.sts()).send(new GetCallerIdentityCommand({}));
  const bucket = stagingBucketName(Account ?? 'unknown', region);
  deps.io.notify({ level: 'info', code: 'deploy.staging', data: { bytes, bucket } });

  const state = await bucketState(s3, s3sdk, bucket, region);
  if (state !== 'ready') {
    await s3.send(
      new s3sdk.PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    await s3.send(
      new s3sdk.PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
    );
    // Last: its presence is what tells the next run that the settings before it are in place.
    await s3.send(
      new s3sdk.PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{ ID: LIFECYCLE_RULE_ID, Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: STAGED_TEMPLATE_DAYS } }] },
      }),
    );
    deps.io.notify({ level: 'info', code: 'deploy.staging-bucket', data: { bucket, expiryDays: STAGED_TEMPLATE_DAYS, created: state === 'created' } });
  }

  const key = `templates/${stackName}/${createHash('sha256').update(body).digest('hex')}.json`;
  await s3.send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
  const endpoint = deps.aws.config.endpoint?.replace(/\/$/, '');
  return { TemplateURL: endpoint ? `${endpoint}/${bucket}/${key}` : `https://${bucket}.s3.${region}.amazonaws.com/${key}` };
}

type S3 = Awaited<ReturnType<Deps['aws']['s3']>>;
type S3Sdk = typeof import('@aws-sdk/client-s3');

/**
 * The staging bucket's state, after creating it when missing: `ready` (it has tap's settings),
 * `created`, or `unsettled`. A run that was stopped (or lost an answer) between CreateBucket and the
 * last setting leaves a bucket without its lifecycle rule: its settings are applied again (each Put
 * is idempotent). A CreateBucket retried by the SDK after a lost answer gets `BucketAlreadyOwnedByYou`
 * (every region but us-east-1, where AWS answers 200 for a bucket you own), which means created.
 */
async function bucketState(s3: S3, s3sdk: S3Sdk, bucket: string, region: string): Promise<'ready' | 'created' | 'unsettled'> {
  try {
    await s3.send(new s3sdk.HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (errorName(error) !== 'NotFound') throw error;
    try {
      await s3.send(
        new s3sdk.CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
    } catch (createError) {
      if (errorName(createError) !== 'BucketAlreadyOwnedByYou') throw createError;
    }
    return 'created';
  }
  try {
    const { Rules } = await s3.send(new s3sdk.GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return (Rules ?? []).some((rule) => rule.ID === LIFECYCLE_RULE_ID && rule.Status === 'Enabled') ? 'ready' : 'unsettled';
  } catch (error) {
    // AWS: "NoSuchLifecycleConfiguration: The lifecycle configuration does not exist" (404).
    if (errorName(error) === 'NoSuchLifecycleConfiguration') return 'unsettled';
    throw error;
  }
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | null | undefined)?.name;
}
