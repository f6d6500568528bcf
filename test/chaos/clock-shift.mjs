/**
 * TEST-ONLY clock hook for the fault matrix: `node --import ./test/chaos/clock-shift.mjs <dist>/main.js`
 * with FOBRIDGE_TEST_CLOCK_SHIFT_MS=300000 makes `Date.now()` and `new Date()` of that process run
 * that far ahead (negative: behind), as a replica whose clock jumped would. Read once at start;
 * without the variable (or without `--import`) nothing changes. The proxy itself has no such hook.
 */
const shift = Number(process.env.FOBRIDGE_TEST_CLOCK_SHIFT_MS ?? 0);
if (Number.isFinite(shift) && shift !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shift;
    }
  }
  globalThis.Date = ShiftedDate;
}
