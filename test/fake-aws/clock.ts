/**
 * The fake account's clock. What AWS does in the background (a stack operation, a change set being
 * computed, a replay re-sending events, EventBridge delivering to a target) moves with this clock,
 * never with reads: each service registers what falls due, and `advance` runs it.
 *
 * Time passes by `advance(ms)` (the `sleep` that runTap hands to tap while a fake is installed, and a
 * test's own `fake.advance`), and by `callMs` for every API call, as an answer takes time (the fake's
 * choice: 100 ms, so that a loop that does not sleep still sees time pass). A timestamp the fake hands
 * out (`stamp`) adds a millisecond, so that no two are equal (also the fake's choice).
 */
export class FakeClock {
  /** Fake time one API call takes. */
  callMs = 100;
  private readonly due: ((now: number) => void | Promise<void>)[] = [];

  constructor(private time: number) {}

  /** The time now, in milliseconds since the epoch. */
  get ms(): number {
    return this.time;
  }

  /** A timestamp for something that happens now. */
  readonly stamp = (): Date => new Date(++this.time);

  /** Runs `run(now)` after every move of the clock: it does what has fallen due by then. */
  onAdvance(run: (now: number) => void | Promise<void>): void {
    this.due.push(run);
  }

  /**
   * Moves the clock on and lets everything that falls due meanwhile happen, in steps of at most
   * `callMs`, so that what happens is stamped near the time it fell due.
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    do {
      this.time = Math.max(this.time, Math.min(end, this.time + this.callMs));
      for (const run of this.due) await run(this.time);
    } while (this.time < end);
  }
}
