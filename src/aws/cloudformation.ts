import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../stack/synth.js';

/** CloudFormation answers a missing stack with a ValidationError whose message says so. */
export function isStackMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

/** The template CloudFormation holds for the stack, or undefined when there is no such stack. */
export async function deployedTemplate(cfn: CloudFormationClient, stackName: string): Promise<CfnTemplate | undefined> {
  const { GetTemplateCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
    return JSON.parse(TemplateBody ?? '{}') as CfnTemplate;
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw error;
  }
}
