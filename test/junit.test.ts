import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/checks/check.js';
import { toJUnit } from '../src/checks/junit.js';

const check = (status: CheckResult['status'], detail: string, remedy?: string): CheckResult => ({ id: `c-${status}`, title: 'a check', status, detail, remedy, durationMs: 1234 });

describe('JUnit XML', () => {
  // An AWS error as it can arrive: colour codes, a control character, quotes, markup, several lines.
  const nasty = 'AccessDenied: \u001b[31mnot "allowed"\u001b[39m <b> & \u0001 more\nsecond line\ttabbed 🚀';

  it('is well-formed XML 1.0 whatever the messages hold', () => {
    const xml = toJUnit('dev', [check('fail', nasty, 'fix <it>'), check('skip', nasty), check('warn', nasty), check('pass', 'ok')], false, new Date('2026-12-02T12:00:00Z'));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('keeps the whole text: newlines in message attributes, and the full text in the element body', () => {
    const xml = toJUnit('dev', [check('fail', nasty, 'fix <it>'), check('skip', nasty)], false, new Date('2026-12-02T12:00:00Z'));
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true }).parse(xml) as {
      testsuites: { testsuite: { testcase: { failure?: { message: string; '#text': string }; skipped?: { message: string; '#text': string } }[] } };
    };
    const [failed, skipped] = parsed.testsuites.testsuite.testcase;
    const clean = 'AccessDenied: not "allowed" <b> & \uFFFD more\nsecond line\ttabbed 🚀';
    expect(failed?.failure?.message).toBe(clean);
    expect(failed?.failure?.['#text']).toBe(`${clean}\nremedy: fix <it>`);
    expect(skipped?.skipped).toEqual({ message: clean, '#text': clean });
  });
});
