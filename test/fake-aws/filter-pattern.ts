import { awsError } from './errors.js';

/**
 * CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription filters,
 * filter log events, and Live Tail"), the subset tap sends, evaluated as documented:
 * - an empty pattern matches every event;
 * - terms: a word, or a quoted exact phrase (terms with non-alphanumeric characters must be quoted);
 *   terms separated by spaces must all match; `?term ?term` matches when any does. Matching is
 *   case-sensitive, as documented. AWS does not document how a term meets word boundaries: the
 *   fake takes a term as a substring (tap's own check decides what a match means);
 * - JSON: `{ $.field = "value" }` (or `!=`; `*` in the value is a wildcard, e.g. "5*"), `{ $.n = 5 }`,
 *   on events whose whole message is a JSON object. A message with text before its JSON (Lambda's
 *   text format) is not documented to match a JSON pattern: the fake never matches it.
 * Space-delimited patterns (`[w1, w2]`), regex (`%...%`), `-term` exclusions and compound JSON
 * (`&&`, `||`) are valid in AWS but tap never sends them: the fake refuses them, as AWS refuses
 * what it cannot parse (InvalidParameterException), so that a test notices when tap starts to.
 */
export type Matcher = (message: string) => boolean;

const invalid = (pattern: string, why: string) => awsError('InvalidParameterException', `Invalid filter pattern '${pattern}': ${why}`, 400);

export function compilePattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (p === '') return () => true;
  if (p.startsWith('{')) return jsonPattern(p);
  if (p.startsWith('[') || p.startsWith('%')) throw invalid(p, 'space-delimited and regex patterns are not evaluated by the fake (tap sends none)');
  return termPattern(p);
}

function termPattern(p: string): Matcher {
  const terms: { text: string; any: boolean }[] = [];
  const re = /\s*(\?)?(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  let at = 0;
  while (at < p.length) {
    re.lastIndex = at;
    const m = re.exec(p);
    if (!m) throw invalid(p, `unbalanced quotes at ${at}`);
    at = re.lastIndex;
    const [, any, quoted, bare] = m;
    if (bare !== undefined && !/^[A-Za-z0-9_]+$/.test(bare)) throw invalid(p, `Invalid character(s) in term '${bare}': quote terms that hold non-alphanumeric characters`);
    terms.push({ text: quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? ''), any: any === '?' });
    while (p[at] === ' ') at++;
  }
  const anyCount = terms.filter((t) => t.any).length;
  if (anyCount && anyCount !== terms.length) throw invalid(p, 'mixing ?terms and plain terms is not evaluated by the fake (tap sends none)');
  return anyCount ? (m) => terms.some((t) => m.includes(t.text)) : (m) => terms.every((t) => m.includes(t.text));
}

function jsonPattern(p: string): Matcher {
  const m = /^\{\s*\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*(=|!=)\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?))\s*\}$/.exec(p);
  if (!m) throw invalid(p, 'the fake evaluates one comparison: { $.field = "value" } or { $.field != 5 }');
  const [, path = '', op, text, num] = m;
  const keys = path.slice(1).split('.');
  const wanted = text !== undefined ? new RegExp(`^${text.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`) : undefined;
  return (message) => {
    let v: unknown;
    try {
      v = JSON.parse(message);
    } catch {
      return false;
    }
    for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined) return false; // a field the event does not have matches neither = nor !=
    const equal = wanted ? typeof v === 'string' && wanted.test(v) : typeof v === 'number' && v === Number(num);
    return op === '=' ? equal : !equal;
  };
}
