import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { deployedTemplate } from '../aws/cloudformation.js';
import { defineCommand, option } from '../command.js';
import type { Deps } from '../deps.js';
import { cell, type GitHubActions } from '../io/github.js';
import { Aborted, EXIT, JobFailed, UsageError } from '../errors.js';
import { type Change, type ChangeSet, createChangeSet, discardChangeSet, executeChangeSet, isDestructive } from '../deploy/change-set.js';
import { retryTransient } from '../aws/retry.js';
import { type Outcome, POLL_MS, StackMonitor, type StackEventRecord } from '../deploy/monitor.js';
import { prepareStack } from '../deploy/prepare.js';
import { type AccountRole, ensureAccountRole } from '../deploy/shared.js';
import { alarmBehind, type AlarmRollback, parseMonitor, rollbackConfiguration } from '../deploy/rollback-triggers.js';
import { describeStack, isConsistent, stateOf, type StackInfo, stuckHint, succeeded } from '../aws/stacks.js';
import { templateSource } from '../deploy/staging.js';
import { outputPath } from '../io/files.js';
import { ENV_TAG, namesFor } from '../stack/naming.js';
import { assertRegionSupported } from '../stack/regions.js';
import { checkEmail } from '../stack/settings.js';
import type { CfnTemplate } from '../stack/synth.js';
import { synthesizeChecked } from '../synth/checked.js';

export interface DeployOptions {
  readonly env: string;
  /** Execute changes that replace or remove resources without asking. @default false */
  readonly yes?: boolean;
  /** Roll back a failed deployment (`--no-rollback` keeps the failed resources for inspection). @default true */
  readonly rollback?: boolean;
  /** Turn termination protection on (true) or off (false). @default left as it is */
  readonly terminationProtection?: boolean;
  /** `KEY=VALUE` stack tags; CloudFormation copies them onto every resource. @default none */
  readonly tag?: string[];
  /** Write the stack's outputs to this file as JSON. @default no file */
  readonly outputsFile?: string;
  /** Wait for the deployment (`--no-wait` returns once it has started). @default true */
  readonly wait?: boolean;
  /** Read and write the synth cache. @default true */
  readonly cache?: boolean;
  /** How long CloudFormation keeps watching the rollback trigger after an update, in minutes (0-180). @default 0 */
  readonly monitor?: number;
  /** Subscribe these addresses to the alerts topic, in place of tap.config.json's `alertEmails`. @default the file's, else none */
  readonly alertEmail?: readonly string[];
}

interface Base {
  readonly env: string;
  readonly stackName: string;
  /** API Gateway's CloudWatch role: found in place, or set by deploying the shared stack first. */
  readonly accountRole: AccountRole;
}
export type DeployResult =
  | (Base & { kind: 'no-changes'; status: string; outputs: Record<string, string>; outputsFile?: string })
  | (Base & { kind: 'deployed'; status: string; changes: Change[]; outputs: Record<string, string>; outputsFile?: string })
  | (Base & { kind: 'started'; changeSetName: string; changes: Change[] })
  | (Base & { kind: 'failed'; status: string; changes: Change[]; rootCause?: StackEventRecord; failures: StackEventRecord[]; alarm?: AlarmRollback });

/** Stack tags from `--tag KEY=VALUE`, checked against CloudFormation's tag rules. */
export function parseTags(env: string, tags: readonly string[] = []): Record<string, string> {
  const result: Record<string, string> = { [ENV_TAG]: env };
  for (const tag of tags) {
    const eq = tag.indexOf('=');
    const key = eq > 0 ? tag.slice(0, eq) : '';
    const value = tag.slice(eq + 1);
    if (!key) throw new UsageError(`invalid --tag '${tag}': expected KEY=VALUE`);
    if (key.length > 128 || value.length > 256) throw new UsageError(`invalid --tag '${tag}': keys are at most 128 characters, values at most 256`);
    if (/^aws:/i.test(key) || key === ENV_TAG) throw new UsageError(`invalid --tag '${tag}': the key '${key}' is reserved`);
    if (key in result) throw new UsageError(`--tag '${key}' is given twice`);
    result[key] = value;
  }
  return result;
}

export async function run(options: DeployOptions, deps: Deps): Promise<DeployResult> {
  // Everything local first: names, tags, the outputs file, the region, the template.
  const names = namesFor(options.env);
  const tags = parseTags(options.env, options.tag);
  const outputsFile = outputPath('--outputs-file', options.outputsFile);
  // The region resolves locally (flag, environment, profile): an unsupported one fails before any call.
  assertRegionSupported(await (await deps.aws.cloudFormation()).config.region());
  const cfn = await deps.aws.cloudFormationReady();
  const synthesized = await synthesizeChecked(options.env, deps, { cache: options.cache, alertEmails: options.alertEmail });
  const wait = options.wait ?? true;

  const stack = await prepareStack(cfn, names.stack, deps, { wait, stuckHint: (status) => stuckHint(status, names.stack, options.env) });
  const unchanged = stack !== undefined && isConsistent(stack.status) && (await matches(cfn, stack, synthesized.template, tags));
  // The stage's logging needs the account's role before the stage is created or updated.
  const base = { env: options.env, stackName: names.stack, accountRole: await ensureAccountRole(cfn, stack?.name, deps, { unchanged }) };

  /** Nothing to change: the stack as it is (its outputs checked first), with termination protection as asked. */
  const noChanges = async (current: StackInfo | undefined, found: 'matches' | 'empty'): Promise<DeployResult> => {
    if (current) assertOutputs(synthesized.template, current, options.env);
    deps.io.notify({ level: 'success', code: 'deploy.no-changes', data: { stack: names.stack, found } });
    if (current) await protect(cfn, current, current.terminationProtection, options.terminationProtection, deps);
    const outputs = current?.outputs ?? {};
    return { ...base, kind: 'no-changes', status: current?.status ?? 'UNKNOWN', outputs, outputsFile: writeOutputs(outputsFile, outputs) };
  };
  if (stack && unchanged) return noChanges(stack, 'matches');

  const type = stack && stateOf(stack.status) === 'ready' ? 'UPDATE' : 'CREATE';
  deps.claimInterrupts(); // the first write: staging the template, or the change set
  const changeSet = await createChangeSet(
    cfn,
    {
      stackName: names.stack,
      type,
      template: await templateSource(names.stack, synthesized.templateBody, deps),
      tags,
      description: `tap deploy --env ${options.env}`,
      rollbackConfiguration: await rollbackConfiguration(deps, names, type, options.monitor ?? 0),
    },
    deps,
  );
  if (!changeSet) return noChanges(stack ?? (await describeStack(cfn, names.stack)), 'empty');

  for (const c of changeSet.changes) deps.io.notify({ level: 'info', code: 'deploy.change', data: c });
  await approve(cfn, changeSet, options, deps);

  const target = { id: changeSet.stackId, name: names.stack, token: changeSet.executeToken };
  const monitor = await StackMonitor.start(cfn, target, deps);
  await executeChangeSet(cfn, changeSet, options.rollback ?? true, deps);
  await protect(cfn, target, stack?.terminationProtection, options.terminationProtection, deps);
  if (!wait) return { ...base, kind: 'started', changeSetName: changeSet.name, changes: changeSet.changes };

  const outcome: Outcome = await monitor.follow(changeSet.changes.length);
  if (!succeeded(outcome.status)) {
    const alarm = await alarmBehind(deps, names, outcome.rollbackReason);
    return { ...base, kind: 'failed', status: outcome.status, changes: changeSet.changes, rootCause: outcome.rootCause, failures: outcome.failures, ...(alarm ? { alarm } : {}) };
  }
  const deployed = await retryTransient(deps, POLL_MS, () => describeStack(cfn, names.stack));
  if (deployed) assertOutputs(synthesized.template, deployed, options.env);
  const outputs = deployed?.outputs ?? {};
  return { ...base, kind: 'deployed', status: outcome.status, changes: changeSet.changes, outputs, outputsFile: writeOutputs(outputsFile, outputs) };
}

/**
 * A stack that says it is complete holds every output its template declares: one without them was not
 * made as the template says (an emulator that answered CREATE_COMPLETE for resources it never made,
 * or a stack changed by hand), and reporting it as deployed would be a lie that the next run repeats.
 */
function assertOutputs(template: CfnTemplate, stack: Pick<StackInfo, 'name' | 'status' | 'outputs'>, env: string): void {
  if (!succeeded(stack.status)) return; // a settled failure keeps what it had; its own line says what happened
  const missing = Object.entries(template.Outputs ?? {})
    .filter(([key, o]) => !('Condition' in o) && !(key in stack.outputs))
    .map(([key]) => key);
  if (!missing.length) return;
  throw new JobFailed(`${stack.name} says ${stack.status} but lacks ${missing.length} of the template's outputs (${missing.join(', ')}): its resources were not made as the template declares`, {
    hint: `look at the stack's resources and events (an emulator may answer complete for what it did not make; there, delete the stack with \`tap destroy --env ${env}\` or \`aws cloudformation delete-stack --stack-name ${stack.name}\`, and deploy again)`,
  });
}

/** The no-op test: same template, no parameters, same stack tags. Termination protection is set apart. */
async function matches(cfn: CloudFormationClient, stack: StackInfo, template: unknown, tags: Record<string, string>): Promise<boolean> {
  if (Object.keys(stack.parameters).length > 0 || !isDeepStrictEqual(stack.tags, tags)) return false;
  return isDeepStrictEqual(await deployedTemplate(cfn, stack.name), template);
}

/** Replacements and removals need a yes: `--yes`, or an answer on a TTY. Never waits without a TTY. */
async function approve(cfn: CloudFormationClient, changeSet: ChangeSet, options: DeployOptions, deps: Deps): Promise<void> {
  const destructive = changeSet.changes.filter(isDestructive);
  if (destructive.length === 0 || options.yes) return;
  if (!deps.io.interactive) {
    await discardChangeSet(cfn, changeSet, deps);
    throw new UsageError(`${destructive.length} change(s) replace or remove resources, and there is no terminal to ask; nothing was changed`, {
      hint: 'review them with `tap diff`, then run again with --yes',
    });
  }
  const answer = await deps.io.ask(`${destructive.length} change(s) replace or remove resources. Execute change set ${changeSet.name}? [y/N]`).catch(async (error: unknown) => {
    if (!(error instanceof Aborted)) throw error;
    await discardChangeSet(cfn, changeSet, deps); // Ctrl-C at the question counts as "no"
    throw new Aborted(`${error.message}: change set ${changeSet.name} was deleted and nothing changed.`);
  });
  if (!/^y(es)?$/i.test(answer)) {
    await discardChangeSet(cfn, changeSet, deps);
    throw new Aborted(`Declined: change set ${changeSet.name} was deleted and nothing changed.`);
  }
}

async function protect(cfn: CloudFormationClient, stack: { id: string; name: string }, current: boolean | undefined, wanted: boolean | undefined, deps: Deps): Promise<void> {
  if (wanted === undefined || wanted === current) return;
  const { UpdateTerminationProtectionCommand } = await import('@aws-sdk/client-cloudformation');
  deps.claimInterrupts(); // a write, also on the no-changes path
  await cfn.send(new UpdateTerminationProtectionCommand({ StackName: stack.id, EnableTerminationProtection: wanted }));
  deps.io.notify({ level: 'info', code: 'deploy.termination-protection', data: { stack: stack.name, on: wanted } });
}

function writeOutputs(file: string | undefined, outputs: Record<string, string>): string | undefined {
  if (file) writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
  return file;
}

/** One line on API Gateway's account role: which of the two things happened. */
function renderAccountRole(role: AccountRole): string {
  if (role.kind === 'moved-to-shared') return `API Gateway CloudWatch role: ${role.roleArn} (moved from ${role.from}, a role of this env's stack that this deploy removes, to ${role.stackName})`;
  if (role.kind === 'shared-stack-deployed') return `API Gateway CloudWatch role: ${role.roleArn} (created: ${role.stackName} ${role.status}, shared by every env in this account and region)`;
  return `API Gateway CloudWatch role: ${role.roleArn} (in place${role.owner === 'tap-shared' ? ', from TapShared' : ", the account's own"}; not changed)`;
}

export function render(r: DeployResult): string {
  return `${renderEnv(r)}\n${renderAccountRole(r.accountRole)}`;
}

function renderEnv(r: DeployResult): string {
  const lines = 'outputs' in r ? Object.entries(r.outputs).map(([k, v]) => `  ${k} = ${v}`) : [];
  const outputs = lines.length ? ['Outputs:', ...lines] : [];
  const file = 'outputsFile' in r && r.outputsFile ? [`Outputs written to ${r.outputsFile}`] : [];
  switch (r.kind) {
    case 'no-changes':
      return [`${r.stackName}: no changes (${r.status})`, ...outputs, ...file].join('\n');
    case 'deployed':
      return [`${r.stackName}: ${r.status}, ${r.changes.length} change(s) applied`, ...outputs, ...file].join('\n');
    case 'started':
      return `${r.stackName}: change set ${r.changeSetName} is executing (${r.changes.length} change(s)); follow it with \`tap deploy --env ${r.env}\` or \`tap status --env ${r.env}\``;
    case 'failed': {
      if (r.alarm) return `${r.stackName}: rolled back by alarm ${r.alarm.alarm}, stack is ${r.status}\nAlarm reason: ${r.alarm.reason}`;
      const cause = r.rootCause ? `${r.rootCause.logicalId} (${r.rootCause.type}) ${r.rootCause.status}: ${r.rootCause.reason ?? 'no reason given'}` : 'no failed resource was reported';
      const next = r.status === 'ROLLBACK_COMPLETE' ? `\nThe next \`tap deploy --env ${r.env}\` deletes the failed stack and creates it again.` : '';
      return `${r.stackName}: deployment failed, stack is ${r.status}\nRoot cause: ${cause}${next}`;
    }
  }
}

export function exitCode(r: DeployResult): number {
  return r.kind === 'failed' ? EXIT.failed : EXIT.ok;
}

/** Under GitHub Actions: the outcome and the outputs in the job summary, the outputs as step outputs. */
export function github(r: DeployResult, gh: GitHubActions): void {
  const outputs = 'outputs' in r ? Object.entries(r.outputs) : [];
  const status = 'status' in r ? r.status : r.kind;
  gh.summary(
    [
      `### tap deploy ${r.stackName}: ${r.kind} (${status})`,
      ...(r.kind === 'failed' && r.alarm ? ['', `Rolled back by alarm ${cell(`${r.alarm.alarm}: ${r.alarm.reason}`)}`] : []),
      ...(r.kind === 'failed' && !r.alarm && r.rootCause ? ['', `Root cause: ${cell(`${r.rootCause.logicalId} (${r.rootCause.type}) ${r.rootCause.status}: ${r.rootCause.reason ?? 'no reason given'}`)}`] : []),
      ...(outputs.length ? ['', '| output | value |', '| --- | --- |', ...outputs.map(([k, v]) => `| ${k} | ${cell(v)} |`)] : []),
      '',
    ].join('\n'),
  );
  for (const [k, v] of outputs) gh.output(k, v);
}

/** `--tag`s after the file's tags: a key given on the command line wins over the file's. */
function tagsWithConfig(given: readonly string[], fromFile: Record<string, string> = {}): string[] {
  const keys = new Set(given.map((t) => t.slice(0, t.indexOf('='))));
  return [...Object.entries(fromFile).filter(([k]) => !keys.has(k)).map(([k, v]) => `${k}=${v}`), ...given];
}

export default defineCommand({
  name: 'deploy',
  summary: 'deploy the stack through a CloudFormation change set and follow it live',
  env: 'required',
  writes: true,
  options: {
    yes: option.flag('execute changes that replace or remove resources without asking', { short: 'y' }),
    rollback: option.negatable('keep the resources of a failed deployment for inspection (no rollback)'),
    terminationProtection: option.tristate('turn termination protection on', 'turn termination protection off (without either: as tap.config.json says, else left as it is)'),
    tag: option.repeatable('key=value', 'stack tag, copied onto every resource; wins over the same key in tap.config.json', { short: 't' }),
    alertEmail: option.repeatable('address', "subscribe this address to the env's alarms (AWS mails it a confirmation link); replaces tap.config.json's alertEmails", { check: checkEmail }),
    monitor: { value: 'duration', help: "after an update, keep CloudFormation watching the env's alarms this long (0-180 min); one in ALARM rolls it back", default: 0, defaultHelp: '0m', parse: parseMonitor },
    outputsFile: option.string('file', 'write the stack outputs to <file> as JSON'),
    wait: option.negatable('return once the change set executes, without following it'),
    cache: option.negatable('synthesize and validate afresh, without the synth cache'),
  },
  examples: [
    'tap deploy --env dev',
    'tap deploy --env prod --tag team=payments --termination-protection --outputs-file outputs.json',
    'tap deploy --env ci --yes --json > deploy.ndjson',
  ],
  notes: `A deployed stack that already matches the code is reported as "no changes" without a change set.
Changes that replace or remove resources need --yes, or a "y" on a terminal.
Ctrl-C before the first write ends it with nothing changed; after, it stops watching: CloudFormation
goes on, and running deploy again waits for it.
First, API Gateway's account CloudWatch role: used as it is when set; otherwise the shared stack TapShared is deployed.
On an update, the composite of the env's alarms (srv-alarms-<env>) is CloudFormation's rollback trigger: an alarm in
ALARM during the update, or during --monitor after it, rolls it back and deploy names the alarm (exit 1). A first
create has no trigger (the alarms do not exist yet). --alert-email subscribes addresses; AWS mails each a link to confirm.`,
  exits: {
    0: 'deployed, no changes, or started (--no-wait)',
    1: "the deployment failed or was rolled back (an alarm), or the stack is in a state tap cannot move on, or it lacks its template's outputs; synth found an error",
    130: 'interrupted (Ctrl-C), or the approval of replacements declined',
  },
  permissions: `apigateway:GET on /account, cloudformation:Describe*, GetTemplate, CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
DeleteChangeSet, DeleteStack (failed creates, and a new stack whose change set is not executed), UpdateTerminationProtection, cloudwatch:DescribeAlarms (the rollback trigger),
plus what the stack's resources need (CloudWatch alarms and dashboards, SNS topics and subscriptions among them).`,
  run: (input, deps) =>
    run(
      {
        env: input.env.env,
        yes: input.yes,
        rollback: input.rollback,
        terminationProtection: input.terminationProtection ?? deps.settings.terminationProtection?.value,
        tag: tagsWithConfig(input.tag, deps.settings.tags?.value),
        outputsFile: input.outputsFile,
        alertEmail: input.alertEmail,
        monitor: input.monitor,
        wait: input.wait,
        cache: input.cache,
      },
      deps,
    ),
  render,
  exitCode,
  github,
});
