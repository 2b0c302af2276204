import { awsError } from './errors.js';

/**
 * The subset of X-Ray's filter-expression language (X-Ray Developer Guide, "Use filter expressions")
 * that tap sends, evaluated over a trace's segments: `group.name = "g"` (the group's own expression),
 * `service("name")`, the booleans `ok`, `error`, `fault`, `throttle`, the numbers `responsetime`,
 * `duration`, `http.status`, the strings `http.url`, `http.method`, `annotation.KEY`, with `=`, `!=`,
 * `<`, `<=`, `>`, `>=` and (strings) `CONTAINS`, `BEGINSWITH`, `ENDSWITH`; `AND`, `OR`, `!` and
 * parentheses. Anything else is refused as X-Ray refuses a filter it cannot parse:
 * `InvalidRequestException` (the message text is the fake's; AWS documents none).
 */

export interface FilterSegment {
  name: string;
  origin: string;
  start_time: number;
  end_time: number;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
  http?: { request?: { method?: string; url?: string }; response?: { status?: number } };
  annotations?: Record<string, unknown>;
}

type Node = (trace: FilterSegment[]) => boolean;
type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'paren'; text: string };

const refuse = (expression: string, why: string): Error => awsError('InvalidRequestException', `Invalid filter expression: ${why} in '${expression}'`);

function tokens(expression: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|(<=|>=|!=|=|<|>|!)|([()])|([A-Za-z_][\w.-]*))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expression);
    if (!m) throw refuse(expression, `unexpected '${expression.slice(at).trim()[0]}'`);
    at = re.lastIndex;
    if (m[1] !== undefined) out.push({ kind: 'string', text: JSON.parse(m[1]) as string });
    else if (m[2] !== undefined) out.push({ kind: 'number', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'op', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'paren', text: m[4] });
    else out.push({ kind: 'word', text: m[5] ?? '' });
  }
  return out;
}

const root = (t: FilterSegment[]) => t.find((s) => s.origin === 'AWS::ApiGateway::Stage') ?? t[0];
const NUMBERS: Record<string, (t: FilterSegment[]) => number | undefined> = {
  responsetime: (t) => (root(t) ? root(t)!.end_time - root(t)!.start_time : undefined),
  duration: (t) => Math.max(...t.map((s) => s.end_time)) - Math.min(...t.map((s) => s.start_time)),
  'http.status': (t) => root(t)?.http?.response?.status,
};
const STRINGS: Record<string, (t: FilterSegment[]) => string | undefined> = {
  'http.url': (t) => root(t)?.http?.request?.url,
  'http.method': (t) => root(t)?.http?.request?.method,
};
const BOOLEANS: Record<string, (t: FilterSegment[]) => boolean> = {
  fault: (t) => t.some((s) => s.fault),
  error: (t) => t.some((s) => s.error),
  throttle: (t) => t.some((s) => s.throttle),
  ok: (t) => !t.some((s) => s.fault || s.error || s.throttle),
};

function compare(a: number | string, op: string, b: number | string): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case 'CONTAINS': return String(a).includes(String(b));
    case 'BEGINSWITH': return String(a).startsWith(String(b));
    default: return String(a).endsWith(String(b)); // ENDSWITH
  }
}

/** Parses `expression` into a predicate over a trace's segments; `groupFilter` answers `group.name = "g"`. */
export function parseFilter(expression: string, groupFilter: (name: string) => string | undefined): Node {
  const list = tokens(expression);
  let i = 0;
  const peek = () => list[i];
  const take = (text?: string): Token => {
    const t = list[i];
    if (!t || (text !== undefined && t.text !== text)) throw refuse(expression, t ? `unexpected '${t.text}'` : 'unexpected end');
    i++;
    return t;
  };
  const or = (): Node => {
    const parts = [and()];
    while (peek()?.text === 'OR') {
      take();
      parts.push(and());
    }
    return (t) => parts.some((p) => p(t));
  };
  const and = (): Node => {
    const parts = [unary()];
    while (peek()?.text === 'AND') {
      take();
      parts.push(unary());
    }
    return (t) => parts.every((p) => p(t));
  };
  const unary = (): Node => {
    if (peek()?.text === '!') {
      take();
      const inner = unary();
      return (t) => !inner(t);
    }
    if (peek()?.text === '(') {
      take();
      const inner = or();
      take(')');
      return inner;
    }
    return term();
  };
  const value = (kind: 'string' | 'number'): string | number => {
    const t = take();
    if (t.kind !== kind) throw refuse(expression, `expected a ${kind}, not '${t.text}'`);
    return kind === 'number' ? Number(t.text) : t.text;
  };
  const term = (): Node => {
    const word = take();
    if (word.kind !== 'word') throw refuse(expression, `unexpected '${word.text}'`);
    const key = word.text;
    if (key === 'service') {
      take('(');
      const name = value('string');
      take(')');
      return (t) => t.some((s) => s.name === name);
    }
    if (key === 'group.name') {
      take('=');
      const name = String(value('string'));
      const filter = groupFilter(name);
      if (filter === undefined) throw refuse(expression, `no group named ${name}`);
      return filter ? parseFilter(filter, groupFilter) : () => true;
    }
    const boolean = BOOLEANS[key];
    if (boolean) return boolean;
    const op = take().text;
    const stringOps = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
    const number = NUMBERS[key];
    if (number) {
      if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw refuse(expression, `${key} cannot be compared with ${op}`);
      const b = value('number');
      return (t) => {
        const a = number(t);
        return a !== undefined && compare(a, op, b);
      };
    }
    const string = STRINGS[key] ?? (key.startsWith('annotation.') ? (t: FilterSegment[]) => annotation(t, key.slice('annotation.'.length)) : undefined);
    if (!string) throw refuse(expression, `unknown keyword ${key}`);
    if (!stringOps.includes(op)) throw refuse(expression, `${key} cannot be compared with ${op}`);
    const b = value('string');
    return (t) => {
      const a = string(t);
      return a !== undefined && compare(a, op, b);
    };
  };
  const node = or();
  if (i < list.length) throw refuse(expression, `unexpected '${list[i]?.text}'`);
  return node;
}

function annotation(trace: FilterSegment[], key: string): string | undefined {
  for (const s of trace) if (s.annotations && key in s.annotations) return String(s.annotations[key]);
  return undefined;
}
