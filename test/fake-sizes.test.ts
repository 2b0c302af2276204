import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { templateSource } from '../src/deploy/staging.js';
import { FakeAws } from './fake-aws/index.js';
import { entrySize } from './fake-aws/serverless.js';
import { testDeps } from './helpers/deps.js';
import { runTap } from './helpers/run-tap.js';

// AWS's size limits are bytes, not characters: each case holds fewer characters than the limit and
// more bytes (a euro sign is 3 bytes of UTF-8), so a check that counts characters fails here.

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const euros = (n: number) => '€'.repeat(n);

describe('sizes in bytes', () => {
  it('CreateChangeSet refuses an inline TemplateBody over 51,200 bytes; tap stages such a template and the change set reads it', async () => {
    const body = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: euros(20_000) } } } });
    expect(body.length).toBeLessThan(51_200);
    expect(Buffer.byteLength(body)).toBeGreaterThan(51_200);
    expect(() => fake.cloudFormation.createChangeSet({ StackName: 'TapStack-b', ChangeSetName: 'c1', ChangeSetType: 'CREATE', TemplateBody: body }, () => '')).toThrow(
      /Member must have length less than or equal to 51200/,
    );
    const source = await templateSource('TapStack-b', body, testDeps());
    expect(source).toHaveProperty('TemplateURL');
    const created = fake.cloudFormation.createChangeSet({ StackName: 'TapStack-b', ChangeSetName: 'c1', ChangeSetType: 'CREATE', ...source }, (url) => fake.templateFromUrl(url));
    expect(created.StackId).toMatch(/stack\/TapStack-b\//);

    // From S3, 1,000,000 bytes ("1 MB" in the quotas table; AWS's error names the figure).
    const huge = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: euros(400_000) } } } });
    expect(huge.length).toBeLessThan(1_000_000);
    const staged = await templateSource('TapStack-h', huge, testDeps());
    expect(() => fake.cloudFormation.createChangeSet({ StackName: 'TapStack-h', ChangeSetName: 'c1', ChangeSetType: 'CREATE', ...staged }, (url) => fake.templateFromUrl(url))).toThrow('Template may not exceed 1000000 bytes in size.');
  });

  it("PutEvents: an entry's size is the User Guide's formula in UTF-8 bytes, and a request over 256 KB is refused whole", async () => {
    expect(entrySize({ Source: 'tap', DetailType: 'order', Detail: '{"a":"€"}', Time: new Date(), Resources: ['ü'] })).toBe(14 + 3 + 5 + 11 + 2);
    const detail = JSON.stringify({ text: euros(90_000) });
    expect(detail.length).toBeLessThan(256 * 1024);
    await expect(fake.serverless.putEvents([{ EventBusName: 'srv-bus-b', Source: 'tap', DetailType: 'order', Detail: detail }])).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
  });

  it("the archive's SizeBytes counts the archived events' bytes, and tap status shows that figure", async () => {
    const deployed = await runTap(['deploy', '--env', 'b', '--json']);
    expect(deployed.code).toBe(0);
    const api = (JSON.parse(deployed.stdout.trim().split('\n').at(-1) ?? '{}') as { outputs: { ApiUrl: string } }).outputs.ApiUrl;
    const posted = await fake.post(`${api}events`, JSON.stringify({ type: 'order', detail: { note: euros(1000) } }));
    expect(posted.status).toBe(202);
    const events = fake.serverless.archived.get('srv-archive-b') ?? [];
    expect(events).toHaveLength(1);
    const bytes = Buffer.byteLength(JSON.stringify(events[0]));
    expect(bytes).toBeGreaterThan(JSON.stringify(events[0]).length + 1999);
    expect(fake.serverless.archive('srv-archive-b').SizeBytes).toBe(bytes);
    const status = await runTap(['status', '--env', 'b', '--json'], { fetch: fake.fetch });
    const archive = (JSON.parse(status.stdout) as { lines: { id: string; summary: string }[] }).lines.find((l) => l.id === 'archive');
    expect(archive?.summary).toBe(`ENABLED, 1 events, ${bytes.toLocaleString('en-US')} bytes`);
  });
});
