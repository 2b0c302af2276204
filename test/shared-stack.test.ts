import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { WARM_TYPES } from '../src/stack/cfn-validate.js';
import { SHARED_STACK } from '../src/stack/naming.js';
import { SHARED_OUTPUTS, SharedStack, synthesizeShared } from '../src/stack/shared-stack.js';
import { reportFindings } from '../src/stack/build.js';

const dir = mkdtempSync(join(tmpdir(), 'tap-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the shared stack (TapShared)', () => {
  const template = Template.fromJSON(synthesizeShared('9.9.9').template);

  it("holds API Gateway's CloudWatch role, named for the region, and the account setting that names it", () => {
    expect(SHARED_STACK).toBe('TapShared');
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: { 'Fn::Join': ['', ['TapShared-apigw-logs-', { Ref: 'AWS::Region' }]] },
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs']] }],
    });
    const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }> };
    const [roleId] = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role')!;
    const account = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGateway::Account')!;
    expect(account.Properties).toEqual({ CloudWatchRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    template.hasOutput(SHARED_OUTPUTS.roleArn, { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    expect(JSON.stringify(json)).not.toMatch(/BootstrapVersion|AWS::CDK::Metadata/);
  });

  // Its CloudFormation validation by the real engine: test/cfn-validate.test.ts.
  it('passes cdk-nag (AwsSolutions, Serverless) with every finding acknowledged', () => {
    const outdir = join(dir, 'nag');
    const app = new App({ outdir, analyticsReporting: false, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const stack = new SharedStack(app, '9.9.9');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    const artifact = app.synth().getStackByName(stack.stackName);
    // The report is written (so no finding means cdk-nag found nothing unacknowledged, not that it did not run).
    expect(existsSync(join(outdir, 'validation-report.json'))).toBe(true);
    expect(reportFindings(join(outdir, 'validation-report.json'))).toEqual([]);
    for (const r of Object.values(artifact.template.Resources as Record<string, { Type: string }>)) expect(WARM_TYPES).toContain(r.Type);
  });
});
