import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

const fake = new FakeAws().install();
const dir = mkdtempSync(join(tmpdir(), 'tap-life-'));
afterAll(() => {
  fake.restore();
  rmSync(dir, { recursive: true, force: true });
});

describe('lifecycle on the in-memory AWS fake', () => {
  it('deploy, deploy again (no changes), change a tag (update), destroy', async () => {
    const outputsFile = join(dir, 'outputs.json');
    const created = await runTap(['deploy', '--env', 'life', '--json', '--outputs-file', outputsFile]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const first = ndjson(created.stdout);
    expect(first.result).toMatchObject({ kind: 'deployed', status: 'CREATE_COMPLETE', stackName: 'TapStack-life' });
    const outputs = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, string>;
    expect(outputs).toMatchObject({ EventBusName: 'srv-events-life', DataBucketName: 'srv-data-life-123456789012-us-east-1', XRayGroupName: 'srv-trace-life' });
    // Every event once, oldest first, ending with the stack's own CREATE_COMPLETE.
    const ids = first.events.map((e) => (e.data as { eventId: string }).eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect((first.events.at(-1)?.data as { status: string }).status).toBe('CREATE_COMPLETE');
    expect(first.events.filter((e) => (e.data as { status: string }).status === 'CREATE_COMPLETE')).toHaveLength(40); // 36 resources + the stack, then TapShared first: its 2 resources + its stack

    fake.resetCalls();
    const again = await runTap(['deploy', '--env', 'life', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ kind: 'no-changes', status: 'CREATE_COMPLETE' });
    // The stack and its template (the same); the account's role is TapShared's, so that stack is
    // looked at (a deleted TapShared is made again); nothing written.
    expect(fake.calls).toEqual(['DescribeStacks', 'GetTemplate', 'GetAccount', 'DescribeStacks']);

    const tagged = await runTap(['deploy', '--env', 'life', '--tag', 'team=payments', '--json']);
    expect(tagged.code).toBe(0);
    const update = ndjson(tagged.stdout).result as { kind: string; status: string; changes: { action: string; replacement: string }[] };
    expect(update).toMatchObject({ kind: 'deployed', status: 'UPDATE_COMPLETE' });
    expect(update.changes.length).toBe(36);
    expect(update.changes.every((c) => c.action === 'Modify' && c.replacement === 'False')).toBe(true);
    expect(fake.cloudFormation.stack('TapStack-life')?.tags).toEqual({ 'tap:env': 'life', team: 'payments' });

    // Receipts in the versioned bucket, one of them overwritten and one deleted: 3 versions + 1 marker.
    const bucket = outputs.DataBucketName ?? '';
    fake.s3.putObject(bucket, 'receipts/a.json', '{}');
    fake.s3.putObject(bucket, 'receipts/a.json', '{"v":2}');
    fake.s3.putObject(bucket, 'receipts/b.json', '{}');
    fake.s3.deleteObject(bucket, 'receipts/b.json');
    const destroyed = await runTap(['destroy', '--env', 'life', '--yes', '--json']);
    expect(destroyed.code).toBe(0);
    const gone = ndjson(destroyed.stdout).result as { kind: string; objectsRemoved: number; remaining: string[] };
    expect(gone).toMatchObject({ kind: 'destroyed', objectsRemoved: 4, attempts: 1 });
    expect(gone.remaining[0]).toMatch(/^KMS key key-key961b73fd: PendingDeletion until 2026-12-2\dT/);
    expect(fake.cloudFormation.stack('TapStack-life')).toBeUndefined();
    expect(fake.s3.buckets.has(bucket)).toBe(false);

    const nothing = await runTap(['destroy', '--env', 'life', '--yes']);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to destroy/);
  });
});
