import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fitTables } from '../src/commands/diff.js';
import { row, stackTable, truncate, wrap } from '../src/io/fit.js';
import { FakeAws } from './fake-aws/index.js';
import { runTap } from './helpers/run-tap.js';

/** Results on a terminal of 60 columns (both streams report it, as a terminal's do), and in a pipe. */
const COLUMNS = 60;
const onTerminal = (args: string[], fake: FakeAws) => runTap([...args, '--no-color'], { tty: true, columns: COLUMNS, fetch: fake.fetch });
const inPipe = (args: string[], fake: FakeAws) => runTap([...args, '--no-color'], { fetch: fake.fetch });
const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('results fit a terminal of 60 columns; a pipe gets full lines', () => {
  it('diff: the IAM tables as stacked fields, not columns a few letters wide; the box tables in a pipe', async () => {
    const narrow = await onTerminal(['diff', '--env', 'wd'], fake);
    expect(narrow.code).toBe(0);
    // The section's tables; the library's one-line note in it is prose, not a table.
    const iam = narrow.stdout.slice(narrow.stdout.indexOf('IAM Statement Changes'), narrow.stdout.indexOf('\nMappings')).replace(/^\(NOTE: .*\n/m, '');
    expect(widest(iam)).toBeLessThanOrEqual(COLUMNS);
    expect(iam).toMatch(/\n\+ Resource: {2}\$\{AlertingTopic08189029\}\n {2}Effect: {4}Deny\n {2}Action: {4}sns:Publish\n/);
    expect(iam).not.toContain('┌');
    const piped = await inPipe(['diff', '--env', 'wd'], fake);
    expect(piped.stdout).toMatch(/IAM Statement Changes\n┌───┬/);
    expect(widest(piped.stdout.slice(piped.stdout.indexOf('IAM Statement Changes'), piped.stdout.indexOf('\nMappings')).replace(/^\(NOTE: .*\n/m, ''))).toBeGreaterThan(COLUMNS);
  });

  it('status: each line wrapped under its summary column, the rule below it; one line each in a pipe', async () => {
    expect((await runTap(['deploy', '--env', 'wd'])).code).toBe(0);
    const narrow = await onTerminal(['status', '--env', 'wd'], fake);
    expect(narrow.stdout.split('\n').filter((l) => l.length > COLUMNS)).toEqual([]);
    expect(narrow.stdout).toMatch(/^● green {2}stack {5}CREATE_COMPLETE, updated\n {19}\S+, 11 outputs\n {19}\(green: settled \*_COMPLETE, every output\n {19}well-formed\)\n/);
    const piped = await inPipe(['status', '--env', 'wd'], fake);
    expect(piped.stdout).toMatch(/^● green {2}stack {5}CREATE_COMPLETE, updated \S+, 11 outputs {2}\(green: settled \*_COMPLETE, every output well-formed\)\n/);
    expect(narrow.stdout.split('\n').at(-2)).toBe(piped.stdout.split('\n').at(-2)); // the verdict
  });

  it('verify: each check as a head line and its detail below it; the table in a pipe', async () => {
    expect((await runTap(['deploy', '--env', 'wd'])).code).toBe(0);
    const narrow = await onTerminal(['verify', '--env', 'wd', '--no-canary'], fake);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(COLUMNS);
    expect(narrow.stdout).toMatch(/^✔ stack {9} +\d+ ms {2}Stack\n {4}CREATE_COMPLETE, updated \S+, 11\n {4}outputs\n/);
    expect(narrow.stdout).toMatch(/\nTapStack-wd: \d+ passed, 0 failed, \d+ warning\(s\), \d+ skipped in\n[\d.]+ s\n$/);
    const piped = await inPipe(['verify', '--env', 'wd', '--no-canary'], fake);
    expect(piped.stdout).toMatch(/^✔ stack +Stack +\d+ ms {2}CREATE_COMPLETE, updated \S+, 11 outputs\n/);
    expect(widest(piped.stdout)).toBeGreaterThan(COLUMNS);
  });
});

describe('fitting text', () => {
  it('wraps at words, cuts a word longer than a line, truncates with an ellipsis', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('arn:aws:sns:us-east-1:123', 10)).toEqual(['arn:aws:sn', 's:us-east-', '1:123']);
    expect(truncate('abcdefghij', 6)).toBe('abcde…');
    expect(truncate('abc', 6)).toBe('abc');
  });

  it('a row goes on under its text column, or below its head when that column would be too narrow', () => {
    expect(row('head  ', 'short', 60)).toEqual(['head  short']);
    expect(row('head  ', 'a '.repeat(40).trim(), 40)).toEqual(['head  a a a a a a a a a a a a a a a a a', '      a a a a a a a a a a a a a a a a a', '      a a a a a a']);
    expect(row(`${'h'.repeat(30)}  `, 'x y', 34)).toEqual([`${'h'.repeat(30)}`, '    x y']);
    expect(row('head  ', 'x'.repeat(100), undefined)).toEqual([`head  ${'x'.repeat(100)}`]);
  });

  it('a table as stacked fields keeps each cell\'s own indentation', () => {
    expect(stackTable([['', 'Resource', 'Condition'], ['+', 'r1', '{\n  "a": 1\n}']], 60)).toEqual(['+ Resource:  r1', '  Condition: {', '               "a": 1', '             }']);
  });

  it('a table too narrow for its values puts them below their label; a table that fits stays as drawn', () => {
    expect(stackTable([['', 'Condition'], ['-', 'a long value here']], 20)).toEqual(['- Condition:', '    a long value', '    here']);
    expect(wrap('a\n\nb', 10)).toEqual(['a', '', 'b']);
    expect(row('   ', 'x y z w v u t', 10, { indent: 2 })).toEqual(['  x y z w', '  v u t']);
    const box = ['┌───┐', '│ a │', '└───┘'];
    expect(fitTables(['head', ...box, 'tail'].join('\n'), [[['', 'H'], ['+', 'a']]], 60)).toBe(['head', ...box, 'tail'].join('\n'));
    expect(fitTables(['┌──────┐', '│ wide │', '└──────┘'].join('\n'), [[['', 'H'], ['+', 'wide']]], 7)).toBe('+ H:\n    wid\n    e');
    expect(fitTables(['┌──────┐', '│ wide │', '└──────┘', '┌──'].join('\n'), [], 5)).toBe(['┌──────┐', '│ wide │', '└──────┘', '┌──'].join('\n'));
  });
});
