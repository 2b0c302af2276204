import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputPath } from '../src/io/files.js';
import { parseDuration, parseInstant } from '../src/time.js';

const now = new Date('2026-11-25T12:00:00Z');

describe('times on the command line', () => {
  it.each([
    ['now', '2026-11-25T12:00:00.000Z'],
    ['90m ago', '2026-11-25T10:30:00.000Z'],
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00+01:00', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T10:00', '2026-11-25T10:00:00.000Z'], // no zone: UTC, the same window on every machine
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ])('%s is %s', (value, iso) => {
    expect(parseInstant(value, '--from', now).toISOString()).toBe(iso);
  });

  it.each([
    ['2026-02-29T00:00:00Z', /not a real date and time/],
    ['2026-13-01', /not a real date and time/],
    ['2026-11-25T25:00:00Z', /not a real date and time/],
    [' ago', /expected ISO 8601/],
    ['0h ago', /invalid --from '0h ago': expected a number and a unit/],
    ['tomorrow', /expected ISO 8601/],
  ])('%s is refused', (value, message) => {
    expect(() => parseInstant(value, '--from', now)).toThrow(message);
  });

  it('durations: a number and one unit', () => {
    expect(parseDuration('2d', '--since')).toBe(172_800_000);
    expect(parseDuration(' 90s ', '--since')).toBe(90_000);
    expect(() => parseDuration('1.5h', '--since')).toThrow(/invalid --since '1.5h'/);
  });
});

describe('files a command writes at its end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tap-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('absolute path when the directory exists; refused when it does not, or the path is a directory', () => {
    expect(outputPath('--junit', join(dir, 'r.xml'))).toBe(join(dir, 'r.xml'));
    expect(outputPath('--junit', undefined)).toBeUndefined();
    expect(() => outputPath('--junit', join(dir, 'missing', 'r.xml'))).toThrow(`--junit ${join(dir, 'missing', 'r.xml')}: directory ${join(dir, 'missing')} does not exist`);
    expect(() => outputPath('--outputs-file', dir)).toThrow(`--outputs-file ${dir} is a directory`);
  });
});
