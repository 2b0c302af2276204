import { createHash } from 'node:crypto';
import type { Deps } from '../deps.js';
import { stagingBucketName } from '../stack/naming.js';
import { CFN_LIMITS } from '../stack/synth.js';

/** Staged templates are only read once, by the change set that follows. */
const STAGED_TEMPLATE_DAYS = 1;

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

  try {
    await s3.send(new s3sdk.HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NotFound') throw error;
    await s3.send(
      new s3sdk.CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
      }),
    );
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
    await s3.send(
      new s3sdk.PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'expire-staged-templates', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: STAGED_TEMPLATE_DAYS } }] },
      }),
    );
    deps.io.notify({ level: 'info', code: 'deploy.staging-bucket', data: { bucket, expiryDays: STAGED_TEMPLATE_DAYS } });
  }

  const key = `templates/${stackName}/${createHash('sha256').update(body).digest('hex')}.json`;
  await s3.send(new s3sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
  const endpoint = deps.aws.config.endpoint?.replace(/\/$/, '');
  return { TemplateURL: endpoint ? `${endpoint}/${bucket}/${key}` : `https://${bucket}.s3.${region}.amazonaws.com/${key}` };
}
