import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';


// Ctrl-C (SIGINT) and SIGTERM: before a command's first write it ends at once, with nothing changed
// (130, or 143 for SIGTERM); after, it does what it documents. bin/tap.js's real signals: startup.test.ts.
let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** A signal that fires as the fake answers the first `call`, as Ctrl-C "meanwhile" would. */
function stopAt(call: string, reason: 'SIGINT' | 'SIGTERM' = 'SIGINT'): AbortSignal {
  const controller = new AbortController();
  fake.before = (name) => {
    if (name === call) controller.abort(reason);
  };
  return controller.signal;
}

/** A terminal stdin that never answers; Ctrl-C comes as the question starts reading it. */
function silentTerminal(controller: AbortController): PassThrough {
  const stdin = new PassThrough();
  stdin.once('resume', () => queueMicrotask(() => controller.abort('SIGINT')));
  return stdin;
}

describe('before the first write, Ctrl-C ends a command at once', () => {
  it('deploy: 130, and no change set, no stack', async () => {
    const r = await runTap(['deploy', '--env', 'int'], { signal: stopAt('DescribeStacks') });
    expect([r.code, r.stderr]).toEqual([130, expect.stringMatching(/Interrupted \(Ctrl-C\)/)]);
    expect(fake.calls).not.toContain('CreateChangeSet');
    expect(fake.cloudFormation.stack('TapStack-int')).toBeUndefined();
  });

  it('deploy under SIGTERM: 143, and the JSON error says so', async () => {
    const r = await runTap(['deploy', '--env', 'int', '--json'], { signal: stopAt('DescribeStacks', 'SIGTERM') });
    expect(r.code).toBe(143);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ kind: 'error', error: 'Aborted', code: 'Interrupted', message: 'Terminated (SIGTERM)', exitCode: 143 });
    expect(fake.calls).not.toContain('CreateChangeSet');
  });

  it.each([
    [['status', '--env', 'int'], 'DescribeStacks'],
    [['verify', '--env', 'int'], 'DescribeStacks'],
    [['diff', '--env', 'int'], 'GetTemplate'],
    [['list'], 'DescribeStacks'],
  ])('%j: 130 while its reads are under way', async (args, call) => {
    expect((await runTap(['deploy', '--env', 'int'])).code).toBe(0);
    const r = await runTap(args, { signal: stopAt(call), fetch: fake.fetch });
    expect([r.code, r.stdout]).toEqual([130, '']);
    expect(r.stderr).toMatch(/Interrupted \(Ctrl-C\)/);
  });

  it('destroy at its question: 130, nothing deleted', async () => {
    expect((await runTap(['deploy', '--env', 'int'])).code).toBe(0);
    fake.resetCalls();
    const controller = new AbortController();
    const r = await runTap(['destroy', '--env', 'int'], { tty: true, stdin: silentTerminal(controller), signal: controller.signal });
    expect([r.code, r.stderr]).toEqual([130, expect.stringMatching(/Type the env name \(int\) to confirm:[\s\S]*Interrupted \(Ctrl-C\)/)]);
    expect(fake.calls.filter((c) => /^Delete/.test(c))).toEqual([]);
    expect(fake.cloudFormation.stack('TapStack-int')?.status).toBe('CREATE_COMPLETE');
  });
});

describe('after the first write', () => {
  it("deploy's approval question: Ctrl-C deletes the change set, as 'n' does, and exits 130", async () => {
    expect((await runTap(['deploy', '--env', 'int'])).code).toBe(0);
    const deployed = fake.cloudFormation.stack('TapStack-int')!;
    deployed.templateBody = deployed.templateBody.replace('"QueueName":"srv-dlq-int"', '"QueueName":"srv-dlq-old"'); // a replacement
    fake.resetCalls();
    const controller = new AbortController();
    const r = await runTap(['deploy', '--env', 'int'], { tty: true, stdin: silentTerminal(controller), signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Interrupted \(Ctrl-C\): change set \S+ was deleted and nothing changed\./);
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('ExecuteChangeSet');
  });

  it('Ctrl-C after the change set is ready, before it runs: not executed; a new env leaves no stack behind', async () => {
    // StackMonitor.start reads the stack's events just before ExecuteChangeSet: the last moment.
    const r = await runTap(['deploy', '--env', 'int'], { signal: stopAt('DescribeStackEvents') });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Stopped before executing; change set \S+ was deleted and nothing changed\./);
    expect(fake.calls).not.toContain('ExecuteChangeSet');
    expect(fake.calls).toContain('DeleteChangeSet');
    // CloudFormation made the stack (REVIEW_IN_PROGRESS) for the CREATE change set; deleting the change set leaves it.
    expect(fake.calls).toContain('DeleteStack');
    expect(fake.cloudFormation.stack('TapStack-int')).toBeUndefined();
    expect((await runTap(['deploy', '--env', 'int'])).code).toBe(0); // and the next deploy starts clean
  });

  it('SIGTERM before an update runs: 143, not executed, the stack as it was', async () => {
    expect((await runTap(['deploy', '--env', 'int'])).code).toBe(0);
    const deployed = fake.cloudFormation.stack('TapStack-int')!;
    deployed.templateBody = deployed.templateBody.replace('"MemorySize":256', '"MemorySize":128'); // an in-place change
    const before = deployed.templateBody;
    fake.resetCalls();
    const r = await runTap(['deploy', '--env', 'int'], { signal: stopAt('DescribeStackEvents', 'SIGTERM') });
    expect(r.code).toBe(143);
    expect(fake.calls).toContain('DeleteChangeSet');
    expect(fake.calls).not.toContain('ExecuteChangeSet');
    expect(fake.calls).not.toContain('DeleteStack');
    expect(fake.cloudFormation.stack('TapStack-int')?.templateBody).toBe(before);
  });
});
