/** Splits `--json` stdout (one JSON object per line) into its events and its final line, the result or the error. */
export function ndjson(stdout: string): { events: Record<string, unknown>[]; result: Record<string, unknown> } {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { events: lines.filter((l) => l.type === 'event'), result: lines.at(-1) ?? {} };
}
