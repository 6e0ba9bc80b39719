// A periodic timer that fell behind moves to its first period end after now (Linux's
// hrtimer_forward): the overruns are dropped, the phase is kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECK_PARAMS } from '../../src/sim/contracts/property.ts';
import { rearm } from '../../src/process/itimers.ts';

describe('rearming an interval timer', () => {
  it('lands on the first period end after now, in phase with the old expiry', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 50n }), fc.bigInt({ min: 1n, max: 1n << 40n }), fc.bigInt({ min: 0n, max: 1n << 45n }), (at, interval, late) => {
        const t = { at, interval };
        const now = at + late;
        rearm(t, now);
        expect(t.at).not.toBeNull();
        const next = t.at!;
        expect(next > now).toBe(true);
        expect(next - interval <= now).toBe(true);
        expect((next - at) % interval).toBe(0n);
      }),
      CHECK_PARAMS,
    );
  });

  it('a one-shot timer is disarmed', () => {
    const t = { at: 5n, interval: 0n };
    rearm(t, 9n);
    expect(t.at).toBeNull();
  });
});
