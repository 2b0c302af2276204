import { App, CfnOutput, DefaultStackSynthesizer, Stack, Tags, Validations } from 'aws-cdk-lib/core';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { SHARED_STACK, SHARED_TAG, sharedRoleName } from './naming.js';

/** The shared stack's output: the role API Gateway writes CloudWatch logs with. */
export const SHARED_OUTPUTS = { roleArn: 'ApiGatewayCloudWatchRoleArn' } as const;

/**
 * The account-and-region settings that no env may own (`TapShared`): API Gateway's CloudWatch role
 * and the `AWS::ApiGateway::Account` resource that sets it. An env stage with access or execution
 * logging cannot be created before the account has this role ("CloudWatch Logs role ARN must be set
 * in account settings"), so `tap deploy` deploys this first when the account has none.
 * Deleting it deletes the role; the account setting then names a role that is gone, and API Gateway
 * stops logging for every API in the region (see README).
 */
export class SharedStack extends Stack {
  constructor(scope: Construct, tapVersion: string) {
    super(scope, SHARED_STACK, {
      description: 'tap: account-wide settings (API Gateway CloudWatch role), shared by every tap env in this region',
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    Tags.of(this).add(SHARED_TAG, 'true');
    Tags.of(this).add('tap:version', tapVersion);
    const role = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      roleName: sharedRoleName(this.region),
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway writes execution and access logs of every API in this region with this role',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account role uses the AWS-maintained AmazonAPIGatewayPushToCloudWatchLogs policy: stages of any API in the region may name any log group as their access-log destination, so no narrower resource list fits.",
    });
    // The role's Arn attribute already orders the role first.
    new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    new CfnOutput(this, SHARED_OUTPUTS.roleArn, { value: role.roleArn, description: "API Gateway's CloudWatch role for this account and region" });
  }
}

export interface SharedSynthesized {
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  /** Exactly what deploy sends: compact JSON (a few kB, always inline). */
  readonly templateBody: string;
}

/** Synthesizes the shared stack (no AWS calls); cdk-nag's findings on it are errors in synth's own tests. */
export function synthesizeShared(tapVersion: string, app = new App({ analyticsReporting: false })): SharedSynthesized {
  const stack = new SharedStack(app, tapVersion);
  const template = app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  return { stackName: stack.stackName, template, templateBody: JSON.stringify(template) };
}
