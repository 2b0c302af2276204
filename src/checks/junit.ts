import type { CheckResult } from './check.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
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
    const text = esc([r.detail, r.remedy && `remedy: ${r.remedy}`].filter(Boolean).join('\n'));
    if (failed(r)) return `${open}>\n      <failure message="${esc(r.detail)}" type="${r.status}">${text}</failure>\n    </testcase>`;
    if (r.status === 'skip') return `${open}>\n      <skipped message="${esc(r.detail)}"/>\n    </testcase>`;
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
