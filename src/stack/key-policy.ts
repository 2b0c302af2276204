import { Aws } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { EnvNames } from './naming.js';

/** The env key's policy statements for the services that use it on the env's behalf, each scoped to this env. */

/**
 * CloudWatch Logs encrypts this env's log groups with the key, and no others: CloudWatch Logs
 * names the log group in the encryption context (`kms:EncryptionContext:aws:logs:arn`, the ARN
 * without the trailing `:*`).
 */
export function allowLogsToUseKey(key: kms.Key, logGroupNames: string[]): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': logGroupNames.map((n) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${n}`),
        },
      },
    }),
  );
}

/**
 * EventBridge sends what the rule cannot deliver to the KMS-encrypted DLQ, and SQS asks a sender
 * for kms:GenerateDataKey and kms:Decrypt (AWS: "Key management" in the SQS developer guide). The
 * rule's ARN is built from its names: the rule's own ARN attribute would make the key depend on
 * the rule, which depends on the queue, which depends on the key.
 */
export function allowRuleToUseKey(key: kms.Key, names: EnvNames): void {
  const ruleArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${names.bus}/${names.rule}`;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnEquals: { 'aws:SourceArn': ruleArn } },
    }),
  );
}

/** `kms:ViaService` for one service in the stack's region: the key is used through that service only. */
export function viaService(service: 's3' | 'sqs'): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } };
}
