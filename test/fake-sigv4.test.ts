import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeAws } from './fake-aws/index.js';
import { signatureOf, signedPost } from './fake-aws/sigv4.js';
import { ndjson } from './helpers/ndjson.js';
import { runTap } from './helpers/run-tap.js';

// The fake's API checks SigV4 as API Gateway's IAM authorization does (test/fake-aws/sigv4.ts).

let fake: FakeAws;
let url = '';
const body = JSON.stringify({ type: 'order.created' });
const keys = { accessKeyId: 'test', secretAccessKey: 'test' };
const now = () => new Date(fake.clock.ms);
const message = async (r: Response) => ((await r.json()) as { message: string }).message;

beforeAll(async () => {
  fake = new FakeAws().install();
  const r = await runTap(['deploy', '--env', 'sig', '--json']);
  url = `${(ndjson(r.stdout).result as { outputs: { ApiUrl: string } }).outputs.ApiUrl}events`;
});
afterEach(() => fake.serverless.accessKeys.set('test', 'test'));

describe('IAM authorization of POST /events', () => {
  it('a request signed with the account keys reaches the handler', async () => {
    expect((await fake.post(url, body)).status).toBe(202);
  });

  it.each([
    ['no signature', async () => fake.fetch(url, { method: 'POST', body }), 'Missing Authentication Token'],
    ['an unknown access key', async () => fake.fetch(url, await signedPost(url, body, { ...keys, accessKeyId: 'AKIDOTHER' }, now())), 'The security token included in the request is invalid.'],
    ['a wrong secret', async () => fake.fetch(url, await signedPost(url, body, { ...keys, secretAccessKey: 'wrong' }, now())), /^The request signature we calculated does not match the signature you provided/],
    ['a body changed after signing', async () => fake.fetch(url, { ...(await signedPost(url, body, keys, now())), body: JSON.stringify({ type: 'order.deleted' }) }), /^The request signature we calculated does not match/],
    ['a signature for another region', async () => fake.fetch(url, await signedPost(url, body, keys, now(), 'eu-west-1')), "Credential should be scoped to a valid region, not 'eu-west-1'."],
    ['a signature 16 minutes old', async () => fake.fetch(url, await signedPost(url, body, keys, new Date(fake.clock.ms - 16 * 60_000))), /^Signature expired: \d{8}T\d{6}Z is now earlier than/],
    ['a signature 16 minutes ahead', async () => fake.fetch(url, await signedPost(url, body, keys, new Date(fake.clock.ms + 16 * 60_000))), /^Signature not yet current/],
  ])('%s: 403 with API Gateway\'s message, and nothing reaches the handler', async (_, send, expected) => {
    const before = fake.serverless.archived.get('srv-archive-sig')?.length ?? 0;
    const r = await send();
    expect(r.status).toBe(403);
    expect(await message(r)).toMatch(expected);
    expect(fake.serverless.archived.get('srv-archive-sig')?.length ?? 0).toBe(before);
  });

  it('a signature 14 minutes old still passes', async () => {
    expect((await fake.fetch(url, await signedPost(url, body, keys, new Date(fake.clock.ms - 14 * 60_000)))).status).toBe(202);
  });

  it("tap verify's canary signs with the caller's keys: against an account that knows another secret, canary-delivery fails with API Gateway's reason", async () => {
    fake.serverless.accessKeys.set('test', 'rotated');
    const r = await runTap(['verify', '--env', 'sig', '--only', 'canary-delivery', '--json'], { fetch: fake.fetch });
    expect(r.code).toBe(1);
    const check = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string }[] }).checks.find((c) => c.id === 'canary-delivery');
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^POST \/events answered 403: .*The request signature we calculated does not match/),
      remedy: expect.stringMatching(/check the access key and its secret/),
    });
  });

  it("a caller whose clock is 20 minutes slow: canary-delivery fails and says to set the clock", async () => {
    const r = await runTap(['verify', '--env', 'sig', '--only', 'canary-delivery', '--json'], { fetch: fake.fetch, clock: () => new Date(fake.clock.ms - 20 * 60_000) });
    expect(r.code).toBe(1);
    const check = (JSON.parse(r.stdout) as { checks: { id: string; detail: string; remedy: string }[] }).checks.find((c) => c.id === 'canary-delivery');
    expect(check?.detail).toMatch(/answered 403: .*Signature expired/);
    expect(check?.remedy).toMatch(/clock is more than 15 minutes off/);
  });
});

describe("the fake's signature check, against AWS's own example", () => {
  it('get-vanilla of the SigV4 test suite: the signature AWS publishes for it', async () => {
    const request = { method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: new Headers({ host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' }), body: '' };
    const signature = await signatureOf(request, ['host', 'x-amz-date'], { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, 'us-east-1', 'service', new Date('2015-08-30T12:36:00Z'));
    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });
});
