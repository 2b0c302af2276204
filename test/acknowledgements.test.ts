import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib/core';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SharedStack } from '../src/stack/shared-stack.js';
import { reportFindings } from '../src/stack/build.js';
import { TapStack } from '../src/stack/tap-stack.js';

const dir = mkdtempSync(join(tmpdir(), 'tap-acks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Synthesizes with cdk-nag while every acknowledgement is recorded and dropped: what cdk-nag then finds. */
function withoutAcknowledgements(build: (app: App) => void, name: string): { acknowledged: { path: string; id: string; reason: string }[]; found: { path: string; message: string }[] } {
  const acknowledged: { path: string; id: string; reason: string }[] = [];
  const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: unknown, ...rules: { id: string; reason: string }[]) {
    const scope = (this as { scope: { node: { path: string } } }).scope;
    for (const r of rules) acknowledged.push({ path: scope.node.path, ...r });
  });
  try {
    const outdir = join(dir, name);
    const app = new App({ outdir, analyticsReporting: false, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    app.synth();
    return { acknowledged, found: reportFindings(join(outdir, 'validation-report.json')) };
  } finally {
    spy.mockRestore();
  }
}

describe('cdk-nag acknowledgements', () => {
  it.each([
    ['TapStack-dev', (app: App) => void new TapStack(app, { envName: 'dev', tapVersion: '9.9.9' })],
    ['TapShared', (app: App) => void new SharedStack(app, '9.9.9')],
  ])('%s: each one answers a finding cdk-nag really makes on that construct (none is stale), with a reason', (name, build) => {
    const { acknowledged, found } = withoutAcknowledgements(build, name);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.reason.length, ack.id).toBeGreaterThan(20);
      const hit = found.some((f) => (f.path === ack.path || f.path.startsWith(`${ack.path}/`)) && f.message.startsWith(`${ack.id}: `));
      expect(hit, `${ack.path}: ${ack.id} acknowledges nothing`).toBe(true);
    }
    // And nothing is found that is not acknowledged (synth's own test says the same with the acknowledgements on).
    const unanswered = found.filter((f) => !acknowledged.some((a) => (f.path === a.path || f.path.startsWith(`${a.path}/`)) && f.message.startsWith(`${a.id}: `)));
    expect(unanswered).toEqual([]);
  });
});
