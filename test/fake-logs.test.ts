import { describe, expect, it } from 'vitest';
import { compilePattern } from './fake-aws/filter-pattern.js';
import { FakeLogs } from './fake-aws/logs.js';
import { drawLine, parseEvent } from '../src/logs/lines.js';

const G = '/aws/lambda/srv-handler-dev';

describe('the fake: filter patterns (the subset tap sends, as documented)', () => {
  const m = (pattern: string | undefined, message: string) => compilePattern(pattern)(message);

  it('terms and quoted phrases: all must match, case-sensitive; ?terms: any', () => {
    expect(m('', 'anything')).toBe(true);
    expect(m(undefined, 'anything')).toBe(true);
    expect(m('REPORT "1-abc"', 'REPORT RequestId: x XRAY TraceId: 1-abc')).toBe(true);
    expect(m('REPORT "1-abc"', 'START 1-abc')).toBe(false);
    expect(m('ERROR', 'error')).toBe(false);
    expect(m('?ERROR ?"Task timed out"', 'x Task timed out after 3.00 seconds')).toBe(true);
    expect(m('?ERROR ?"Task timed out"', 'INFO fine')).toBe(false);
    expect(m('"say \\"hi\\""', 'they say "hi"')).toBe(true);
  });

  it('JSON: one comparison on a whole-JSON message, with * wildcards in strings', () => {
    expect(m('{ $.status = "5*" }', '{"status":"503"}')).toBe(true);
    expect(m('{ $.status = "5*" }', '{"status":"202"}')).toBe(false);
    expect(m('{ $.status != "5*" }', '{"status":"202"}')).toBe(true);
    expect(m('{ $.a.b = 5 }', '{"a":{"b":5}}')).toBe(true);
    expect(m('{ $.a.b = 5 }', '{"a":{"b":"5"}}')).toBe(false);
    expect(m('{ $.requestId = "r1" }', '{"other":1}')).toBe(false);
    expect(m('{ $.requestId != "r1" }', '{"other":1}')).toBe(false);
    // Lambda's text format puts time, request id and level before the JSON: not a JSON event.
    expect(m('{ $.correlationId = "c1" }', '2026-11-25T12:00:00.000Z\tid\tINFO\t{"correlationId":"c1"}')).toBe(false);
  });

  it.each([
    ['[w1, w2]'],
    ['%ERROR%'],
    ['{ $.a = "x" && $.b = "y" }'],
    ['{ $.a = }'],
    ['ERROR ?WARN'],
    ['"unbalanced'],
    ['1-abc'],
  ])('refuses %j as AWS refuses what it cannot parse (InvalidParameterException)', (pattern) => {
    expect(() => compilePattern(pattern)).toThrow(expect.objectContaining({ name: 'InvalidParameterException' }));
  });
});

describe('the fake: FilterLogEvents and StartLiveTail as their API reference says', () => {
  const logs = () => {
    const l = new FakeLogs('us-east-1', '123456789012');
    l.put(G, 'a', 1000);
    l.put(G, 'b', 2000);
    return l;
  };

  it('refuses a name with an ARN, a group that does not exist, a limit out of 1-10,000', () => {
    expect(() => logs().filterLogEvents({ logGroupName: G, logGroupIdentifier: G })).toThrow(/mutually exclusive/);
    expect(() => logs().filterLogEvents({ logGroupName: '/nope' })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
    expect(() => logs().filterLogEvents({ logGroupName: G, limit: 10_001 })).toThrow(/between 1 and 10000/);
    expect(logs().filterLogEvents({ logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${G}` }).events).toHaveLength(2);
    expect(() => logs().filterLogEvents({ logGroupIdentifier: `arn:aws:logs:eu-west-1:123456789012:log-group:${G}` })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  });

  it('startTime and endTime both inclusive; at most 1 MB a page', () => {
    expect(logs().filterLogEvents({ logGroupName: G, startTime: 1000, endTime: 1000 }).events.map((e) => e.message)).toEqual(['a']);
    const l = new FakeLogs('us-east-1', '123456789012');
    for (let i = 0; i < 3; i++) l.put(G, 'x'.repeat(400_000), i);
    const first = l.filterLogEvents({ logGroupName: G });
    expect(first.events).toHaveLength(2);
    expect(l.filterLogEvents({ logGroupName: G, nextToken: first.nextToken }).events).toHaveLength(1);
  });

  it('StartLiveTail takes 1-10 ARNs of existing groups, or throws what it is told to', () => {
    expect(() => logs().startLiveTail({ logGroupIdentifiers: [] })).toThrow(/1 to 10/);
    expect(() => logs().startLiveTail({ logGroupIdentifiers: [G] })).toThrow(/must be log group ARNs/);
    expect(() => logs().startLiveTail({ logGroupIdentifiers: ['arn:aws:logs:us-east-1:123456789012:log-group:/nope'] })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  });
});

describe('reading log lines', () => {
  it('lines of no known shape are kept as they are', () => {
    expect(parseEvent('api', { message: 'not json' })).toMatchObject({ source: 'api', message: 'not json', time: '1970-01-01T00:00:00.000Z' });
    expect(parseEvent('api', { message: '{"httpMethod":"GET","resourcePath":"/"}' })).toMatchObject({ level: 'info', text: 'GET /', failed: false });
    expect(parseEvent('api', { message: '{"status":"404"}' })).toMatchObject({ level: 'warn' });
    expect(parseEvent('handler', {})).toMatchObject({ message: '' });
    expect(parseEvent('handler', { message: 'INIT_START Runtime Version: nodejs:22' }).requestId).toBeUndefined();
    const plain = parseEvent('handler', { message: '2026-11-25T12:00:00.000Z\taaaaaaaa-0000-4000-8000-000000000001\tWARN\tplain text\n' });
    expect(plain).toMatchObject({ level: 'warn', text: undefined, requestId: 'aaaaaaaa-0000-4000-8000-000000000001' });
    expect(parseEvent('handler', { message: '2026-11-25T12:00:00.000Z\taaaaaaaa-0000-4000-8000-000000000001\tINFO\t{"message":"hi","level":"WARN"}' })).toMatchObject({ level: 'warn', text: 'hi' });
    expect(parseEvent('handler', { message: '2026-11-25T12:00:00.000Z\taaaaaaaa-0000-4000-8000-000000000001\tERROR\tInvoke Error \tnot json' })).toMatchObject({ level: 'error', text: undefined, failed: true });
    expect(parseEvent('handler', { message: 'REPORT RequestId: aaaaaaaa-0000-4000-8000-000000000001\tDuration: 1 ms\tStatus: error\tError Type: Runtime.ExitError' })).toMatchObject({ failed: true, traceId: undefined });
  });

  it('colours a structured line by its level when asked', () => {
    const paint = { error: (s: string) => `<e>${s}</e>`, warn: (s: string) => `<w>${s}</w>`, dim: (s: string) => `<d>${s}</d>` };
    const line = (level: string) => parseEvent('handler', { message: `2026-11-25T12:00:00.000Z\taaaaaaaa-0000-4000-8000-000000000001\tINFO\t{"level":"${level}","msg":"m","correlationId":"c-12345678"}`, timestamp: 0 });
    expect(drawLine(line('error'), paint)).toBe('<e>ERROR</e> 1970-01-01T00:00:00.000Z handler   m  <d>correlationId=c-12345678</d>');
    expect(drawLine(line('warn'), paint)).toMatch(/^<w>WARN <\/w>/);
    expect(drawLine(line('info'), paint)).toMatch(/^INFO {2}1970/);
  });
});
