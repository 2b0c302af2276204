// Types of test/e2e/assert.js (plain JavaScript, run by Node without a build) for the harness test.
/** A finished `node bin/tap.js ... --json`: its exit code, its parsed result, what it wrote on stderr. */
export interface TapRun {
  code: number | null;
  stderr?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tap's results, read as parsed JSON
  result?: any;
}
export declare const STACK_OUTPUTS: readonly string[];
export declare function reason(r: TapRun): string;
export declare function expect(condition: unknown, message: string, r?: TapRun): void;
export declare function checkDeploy(r: TapRun): string;
export declare function checkStatus(r: TapRun, verified: boolean): string;
export declare function checkDestroy(r: TapRun): string;
