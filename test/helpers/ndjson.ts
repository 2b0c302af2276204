/**
 * Splits `--json` stdout of a streaming command into its events and its final result (the last line).
 * Without streamed events the result is the whole of stdout (pretty-printed).
 */
export function ndjson(stdout: string): { events: Record<string, unknown>[]; result: Record<string, unknown> } {
  if (!stdout.startsWith('{"type":"event"')) return { events: [], result: JSON.parse(stdout) as Record<string, unknown> };
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { events: lines.filter((l) => l.type === 'event'), result: lines.at(-1) ?? {} };
}
