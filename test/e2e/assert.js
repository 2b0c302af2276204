// What the e2e suite's steps demand of tap's results, as plain functions of those results, so that
// test/e2e-harness.test.ts can check them without AWS. Each returns what the step proved, or throws
// an Error naming what is wrong.

/** The outputs every deployed stack has (src/stack/spec.ts OUTPUTS). */
export const STACK_OUTPUTS = ['ApiUrl', 'EventBusName', 'EventBusArn', 'ArchiveName', 'XRayGroupName', 'HandlerFunctionName', 'ProcessorFunctionName', 'DataBucketName', 'DlqUrl', 'AlertsTopicArn', 'DashboardUrl'];

/** The error tap printed, in one readable line: with --json the final `{"kind":"error",...}` line's message and hint, else the last stderr line. */
export function reason(r) {
  let text = r.result?.kind === 'error' ? [r.result.message, r.result.hint].filter(Boolean).join('; ') : ((r.stderr ?? '').trim().split('\n').filter(Boolean).at(-1) ?? '');
  // The SDK's note on an answer it could not parse says nothing to the reader of a table.
  text = text.replace(/\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\./, ' (the endpoint answered something that is not an AWS response)');
  return text.replace(/^✖\s*/, '').replace(/\s+/g, ' ').trim() || `no error printed (exit ${r.code})`;
}

export function expect(condition, message, r) {
  if (!condition) throw new Error(`${message}${r ? ` (exit ${r.code}: ${reason(r)})` : ''}`);
}

/** A deploy passes only with a settled stack holding every output: an empty stack is no deployment. */
export function checkDeploy(r) {
  expect(r.code === 0 && r.result?.kind === 'deployed', r.result?.kind && r.result.kind !== 'error' ? `deploy ended ${r.result.kind}` : 'deploy failed', r);
  const outputs = r.result.outputs ?? {};
  const missing = STACK_OUTPUTS.filter((k) => !outputs[k]);
  if (missing.length === STACK_OUTPUTS.length) throw new Error(`deploy says ${r.result.status}, but the stack has none of its outputs: it is empty (no resource was created)`);
  if (missing.length) throw new Error(`deploy says ${r.result.status}, but outputs are missing: ${missing.join(', ')}`);
  const changes = r.result.changes?.length ?? 0;
  expect(changes > 0, `deploy says ${r.result.status} with no resource changes`);
  return `${r.result.status}: ${changes} resource changes, all ${STACK_OUTPUTS.length} outputs (API ${outputs.ApiUrl})`;
}

/**
 * After a green verify every status line must be green and the exit 0. Without one (verify skipped
 * or failed) nothing has been delivered, so `receipts` may be amber; every other line must be green.
 */
export function checkStatus(r, verified) {
  expect(r.result?.kind === 'status' && Array.isArray(r.result.lines), 'status printed no result', r);
  const lines = r.result.lines;
  const excused = verified ? [] : ['receipts'];
  const bad = lines.filter((l) => l.health !== 'green' && !(excused.includes(l.id) && l.health === 'amber'));
  if (bad.length) throw new Error(`not green: ${bad.map((l) => `${l.id} ${l.health}: ${l.summary} (${l.rule})`).join('; ')}`);
  expect(lines.length === 7, `status showed ${lines.length} lines, expected 7 (${lines.map((l) => l.id).join(', ')})`);
  const amber = lines.filter((l) => l.health === 'amber').map((l) => l.id);
  expect(r.code === 0, `status exit ${r.code} with no red line`, r);
  return verified
    ? `all ${lines.length} lines green after a green verify`
    : `${lines.length - amber.length} of ${lines.length} lines green${amber.length ? ` (${amber.join(', ')} amber: verify did not run, so nothing was delivered)` : ''}`;
}

/** Destroy: the stack is gone; a DELETE_FAILED shows its causes, any other failure what tap said. */
export function checkDestroy(r) {
  if (r.result?.kind === 'failed') {
    const causes = (r.result.causes ?? []).map((c) => `${c.logicalId} (${c.type}) ${c.status}: ${c.reason ?? 'no reason given'}`);
    throw new Error(`destroy ended ${r.result.status}${causes.length ? `: ${causes.join('; ')}` : ''}`);
  }
  expect(r.code === 0 && (r.result?.kind === 'destroyed' || r.result?.kind === 'nothing-to-destroy'), 'destroy failed', r);
  if (r.result.kind === 'nothing-to-destroy') return 'nothing to destroy (the stack was never created)';
  return `destroyed: ${r.result.objectsRemoved} object version(s) removed${r.result.attempts > 1 ? `, after ${r.result.attempts} attempts` : ''}`;
}
