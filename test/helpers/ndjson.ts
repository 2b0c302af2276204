/** Splits `--json` stdout of a streaming command into its events and its final result (the last line). */
export function ndjson(stdout: string): { events: Record<string, unknown>[]; result: Record<string, unknown> } {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { events: lines.filter((l) => l.type === 'event'), result: lines.at(-1) ?? {} };
}
