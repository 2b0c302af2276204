import { stripVTControlCharacters } from 'node:util';

/**
 * Fitting a result to the terminal's width (`Style.width`): lines are broken at words with their
 * continuation indented under the column they belong to, never left to the terminal to wrap into
 * column zero. Without a width (a pipe, a file) nothing here is used: full lines.
 */

/** The text's width on a terminal, colour codes left out. */
export const visibleLength = (s: string): number => stripVTControlCharacters(s).length;

/** `text` in lines of at most `width` characters, broken at spaces; a word longer than a line is cut. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ').filter(Boolean)) {
      let rest = word;
      while (rest.length > w) {
        if (line) lines.push(line);
        line = '';
        lines.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      if (!rest) continue;
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= w) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** At most `width` characters, ending in `…` when cut (colour codes are left out of a cut line). */
export function truncate(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  return `${stripVTControlCharacters(s).slice(0, Math.max(0, width - 1))}…`;
}

/** The narrowest a column of text may be before it goes below its row instead of beside it. */
export const MIN_TEXT = 28;

/**
 * A table row of fixed columns (`head`, already padded) and one free text: on one line when it fits;
 * else the text wrapped beside the head with its continuation under the text's column; and when
 * that column would be narrower than MIN_TEXT, the head on its own line (cut with `…` if need be)
 * and the text below it, indented by `indent`. `paint` colours each line of the text.
 */
export function row(head: string, text: string, width: number | undefined, options: { indent?: number; paint?: (s: string) => string } = {}): string[] {
  const paint = options.paint ?? ((s: string) => s);
  if (width === undefined || visibleLength(head) + visibleLength(text) <= width) return [`${head}${paint(text)}`];
  const column = visibleLength(head);
  if (width - column >= MIN_TEXT) return wrap(text, width - column).map((l, i) => `${i === 0 ? head : ' '.repeat(column)}${paint(l)}`);
  const indent = options.indent ?? 4;
  const own = head.trim() ? [truncate(head.trimEnd(), width)] : [];
  return [...own, ...wrap(text, width - indent).map((l) => `${' '.repeat(indent)}${paint(l)}`)];
}

/**
 * A table as stacked fields, for a terminal too narrow for its columns: each row's first cell (a
 * change mark) leads, then every other cell as `Header: value`, its lines under the value's column
 * (their own indentation kept), or below the label when that column would be too narrow.
 * `cells[0]` is the header row.
 */
export function stackTable(cells: readonly (readonly string[])[], width: number): string[] {
  const [header = [], ...rows] = cells.map((r) => r.map((c) => stripVTControlCharacters(String(c))));
  const label = Math.max(0, ...header.slice(1).map((h) => h.length)) + 2; // "Header: "
  const out: string[] = [];
  for (const r of rows) {
    const mark = (r[0] ?? '').trim() || ' ';
    r.slice(1).forEach((value, i) => {
      const head = `${i === 0 ? mark : ' '} ${`${header[i + 1] ?? ''}:`.padEnd(label)}`;
      const narrow = width - head.length < MIN_TEXT;
      const w = narrow ? width - 4 : width - head.length;
      const pieces = value.split('\n').flatMap((l) => {
        const lead = /^ */.exec(l)?.[0] ?? '';
        return wrap(l.slice(lead.length), Math.max(1, w - lead.length)).map((p) => `${lead}${p}`);
      });
      if (narrow) out.push(head.trimEnd(), ...pieces.map((p) => `    ${p}`.trimEnd()));
      else pieces.forEach((p, k) => out.push(`${k === 0 ? head : ' '.repeat(head.length)}${p}`.trimEnd()));
    });
  }
  return out;
}
