import { retryTransient } from '../aws/retry.js';
import { type Check, fail, pass } from './check.js';

const DRIFT_POLL_MS = 2000;

/** CloudFormation's drift detection: every resource as the stack declares it (only with --drift). */
export const driftCheck: Check = {
  id: 'drift',
  title: 'Stack drift',
  optIn: true,
  async run(ctx) {
    const { DetectStackDriftCommand, DescribeStackDriftDetectionStatusCommand } = await import('@aws-sdk/client-cloudformation');
    const cfn = await ctx.deps.aws.cloudFormation();
    const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: ctx.names.stack }));
    // Bounded by tries, not the clock, so that tests with an instant sleep stay bounded too.
    for (let tries = Math.ceil(ctx.timeoutMs / DRIFT_POLL_MS); ; tries--) {
      const s = await retryTransient(ctx.deps, DRIFT_POLL_MS, () => cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId })));
      if (s.DetectionStatus === 'DETECTION_FAILED') return fail(`drift detection failed: ${s.DetectionStatusReason}`, 'run it again, or look in the CloudFormation console');
      if (s.DetectionStatus === 'DETECTION_COMPLETE') {
        if (s.StackDriftStatus === 'IN_SYNC') return pass('IN_SYNC');
        return fail(`${s.StackDriftStatus}: ${s.DriftedStackResourceCount ?? 0} resource(s) drifted`, `see \`aws cloudformation describe-stack-resource-drifts --stack-name ${ctx.names.stack}\`, then \`tap deploy --env ${ctx.env}\``);
      }
      if (tries <= 0 || ctx.deps.signal.aborted) return fail('drift detection did not finish in time', 'run verify again with a longer --timeout');
      await ctx.deps.sleep(DRIFT_POLL_MS);
    }
  },
};
