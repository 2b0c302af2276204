import { UsageError } from '../errors.js';

/**
 * Regions where CloudFormation does not offer a resource type of the env stack, and so where a
 * deploy could only fail half-way. From cfn-lint 1.51's per-region schemas
 * (cfnlint/data/schemas/providers/<region>.py): every type of the env and shared stacks is offered
 * in all 46 regions listed there except these. Kept here, the one place deploy checks.
 */
export const UNSUPPORTED_REGIONS: Readonly<Record<string, readonly string[]>> = {
  'ca-west-1': ['AWS::Events::Archive'],
  'mx-central-1': ['AWS::Events::Archive'],
};

/** Throws a UsageError (exit 2) before any AWS call when the stack cannot be deployed to `region`. */
export function assertRegionSupported(region: string): void {
  const missing = UNSUPPORTED_REGIONS[region];
  if (!missing) return;
  throw new UsageError(`tap cannot deploy to ${region}: CloudFormation does not offer ${missing.join(', ')} there, which every tap env needs (its event archive)`, {
    hint: `choose another region with --region or AWS_REGION; not supported: ${Object.keys(UNSUPPORTED_REGIONS).join(', ')}`,
  });
}
