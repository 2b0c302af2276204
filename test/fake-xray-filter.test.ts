import { describe, expect, it } from 'vitest';
import { parseFilter, type FilterSegment } from './fake-aws/xray-filter.js';

const api = (status: number, url = 'https://x.execute-api.us-east-1.amazonaws.com/dev/events', ms = 50): FilterSegment => ({
  name: 'srv-api-dev/dev', origin: 'AWS::ApiGateway::Stage', start_time: 0, end_time: ms / 1000,
  http: { request: { method: 'POST', url }, response: { status } }, ...(status >= 500 ? { fault: true } : status >= 400 ? { error: true } : {}),
});
const fn: FilterSegment = { name: 'srv-handler-dev', origin: 'AWS::Lambda::Function', start_time: 0, end_time: 0.01 };
const groups = (name: string) => (name === 'srv-trace-dev' ? 'service("srv-api-dev/dev") OR service("srv-handler-dev")' : undefined);
const test = (expression: string, trace: FilterSegment[]) => parseFilter(expression, groups)(trace);

describe("the fake's X-Ray filter expressions (what tap sends)", () => {
  it('evaluates the group, the shortcuts, AND/OR/!/parentheses', () => {
    expect(test('group.name = "srv-trace-dev"', [fn])).toBe(true);
    expect(test('group.name = "srv-trace-dev"', [{ ...fn, name: 'other' }])).toBe(false);
    expect(test('group.name = "srv-trace-dev" AND fault', [api(502), fn])).toBe(true);
    expect(test('group.name = "srv-trace-dev" AND error', [api(502), fn])).toBe(false);
    expect(test('error AND http.status = 404', [api(404)])).toBe(true);
    expect(test('responsetime > 1.5', [api(200, undefined, 1600)])).toBe(true);
    expect(test('responsetime > 1.5', [api(200, undefined, 1400)])).toBe(false);
    expect(test('http.url CONTAINS "/events"', [api(200)])).toBe(true);
    expect(test('http.url CONTAINS "/health"', [api(200)])).toBe(false);
    expect(test('(fault OR error) AND !ok', [api(404)])).toBe(true);
    expect(test('ok', [api(200)])).toBe(true);
    expect(test('annotation.correlationId = "c1"', [{ ...fn, annotations: { correlationId: 'c1' } }])).toBe(true);
  });

  it.each(['fault AND', 'http.status CONTAINS "5"', 'nonsense = 1', 'group.name = "nope"', '(fault', 'fault fault', 'http.status = "x"', '#'])('refuses %j with InvalidRequestException', (expression) => {
    expect(() => parseFilter(expression, groups)).toThrow(expect.objectContaining({ name: 'InvalidRequestException' }) as Error);
  });
});
