import { stripVTControlCharacters } from 'node:util';
import type { CheckResult } from './check.js';

/**
 * Text as XML 1.0 allows it (its `Char` production: tab, newline, carriage return, U+0020-U+D7FF,
 * U+E000-U+FFFD, U+10000 and up): terminal colour codes are removed, any other character XML cannot
 * hold becomes U+FFFD, and the five markup characters are escaped.
 */
function xmlText(s: string): string {
  return stripVTControlCharacters(s)
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An attribute value: as text, with tab, newline and carriage return as character references, which attribute-value normalization would otherwise turn into spaces. */
const esc = (s: string): string => xmlText(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one testcase per check;
 * a failed check is a <failure>, a skipped one <skipped>, a warning passes with <system-out>, or
 * fails under `strict`.
 */
export function toJUnit(env: string, results: readonly CheckResult[], strict: boolean, at: Date): string {
  const failed = (r: CheckResult) => r.status === 'fail' || (strict && r.status === 'warn');
  const failures = results.filter(failed).length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const time = seconds(Math.max(0, ...results.map((r) => r.durationMs)));
  const cases = results.map((r) => {
    const open = `    <testcase classname="tap.verify.${esc(env)}" name="${esc(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}"`;
    const text = xmlText([r.detail, r.remedy && `remedy: ${r.remedy}`].filter(Boolean).join('\n'));
    if (failed(r)) return `${open}>\n      <failure message="${esc(r.detail)}" type="${r.status}">${text}</failure>\n    </testcase>`;
    if (r.status === 'skip') return `${open}>\n      <skipped message="${esc(r.detail)}">${text}</skipped>\n    </testcase>`;
    if (r.status === 'warn') return `${open}>\n      <system-out>warning: ${text}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tap verify" tests="${results.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${time}">`,
    `  <testsuite name="tap verify --env ${esc(env)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${time}" timestamp="${at.toISOString()}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
