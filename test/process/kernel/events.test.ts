// The process-event ring (src/process/events.ts): bounded, in order, overflow counted and
// reported at the drain that follows it, and sequence-number gaps equal to the dropped count.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventRing } from '../../../src/process/events.ts';

describe('event ring', () => {
  it('is bounded and ordered, and every pushed event is delivered or counted (property)', () => {
    // A positive number pushes that many events; 0 drains.
    const action = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.constant(0) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(action, { maxLength: 30 }), (cap, actions) => {
        const ring = new EventRing(cap);
        let pushed = 0;
        let delivered = 0;
        let reportedDropped = 0;
        let nextSeq = 0; // seq the next delivered event must carry
        const drain = (): void => {
          const { events, dropped } = ring.drain();
          expect(events.length).toBeLessThanOrEqual(cap);
          // Kept: the oldest events since the last drain, in order; dropped: the newest.
          events.forEach((e, i) => {
            expect(e.seq).toBe(nextSeq + i);
            expect(e.pid).toBe(e.seq); // the payload travels with its seq
          });
          // The gap before the next kept event is exactly the number reported dropped.
          nextSeq += events.length + dropped;
          delivered += events.length;
          reportedDropped += dropped;
          expect(ring.length).toBe(0);
        };
        for (const n of actions) {
          if (n === 0) drain();
          for (let i = 0; i < n; i++) ring.push({ kind: 'spawn', pid: pushed++ });
          expect(ring.length).toBeLessThanOrEqual(cap);
        }
        drain();
        expect(delivered + reportedDropped).toBe(pushed);
        expect(ring.totalDropped).toBe(reportedDropped);
        expect(ring.drain()).toEqual({ events: [], dropped: 0 }); // nothing is reported twice
      }),
      { numRuns: 300 },
    );
  });

  it('fills to capacity exactly, then counts', () => {
    const ring = new EventRing(3);
    for (let i = 0; i < 5; i++) ring.push({ kind: 'exit', pid: 10 + i, status: i });
    const d = ring.drain();
    expect(d.events.map((e) => [e.seq, e.pid, e.status])).toEqual([[0, 10, 0], [1, 11, 1], [2, 12, 2]]);
    expect(d.dropped).toBe(2);
    ring.push({ kind: 'reap', pid: 20 });
    expect(ring.drain()).toEqual({ events: [{ seq: 5, kind: 'reap', pid: 20 }], dropped: 0 });
  });

  it('rejects a capacity that is not a positive integer with a one-line error', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => new EventRing(bad)).toThrow(/positive integer/);
  });
});
