// The same stack as `tap synth`, as a plain CDK app, for `cdk synth` to run in the benchmark.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildStack } from '../../dist/stack/tap-stack.js';

const app = new App();
buildStack(process.env.TAP_BENCH_ENV ?? 'bench', '0.0.0', app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
