// The lock table against a byte-by-byte model: after any sequence of lock and unlock
// requests by a few owners, each owner holds exactly the bytes the model says, in as few
// locks as Linux would keep (no two of one owner's locks of one type touch), and a request
// conflicts exactly when the model says it does. Then deadlock detection and closes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenFile } from '../../src/process/fd.ts';
import { F_RDLCK, F_UNLCK, F_WRLCK, type Lock, LockTable, OFFSET_MAX } from '../../src/process/locks.ts';
import type { Process } from '../../src/process/process.ts';

const BYTES = 48;
const KEY = {};

/** A table over one file, counting the wakeups it asks for. */
function table(): { t: LockTable; wakes: () => number } {
  let n = 0;
  const t = new LockTable(() => KEY, () => void n++);
  return { t, wakes: () => n };
}

function held(t: LockTable): Lock[] {
  return [...t.held()].map(([, l]) => l);
}

const op = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  type: fc.constantFrom(F_RDLCK, F_WRLCK, F_UNLCK),
  start: fc.integer({ min: 0, max: BYTES - 1 }),
  len: fc.integer({ min: 1, max: 16 }),
});

describe('file locks', () => {
  it('holds what a byte-by-byte model holds, merged as Linux merges, and conflicts where the model does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const owners = [{}, {}, {}];
        const model = owners.map(() => new Array<number | null>(BYTES + 16).fill(null));
        const { t } = table();
        for (const o of ops) {
          const end = o.start + o.len - 1;
          const req = { type: o.type, start: BigInt(o.start), end: BigInt(end), owner: owners[o.owner], pid: o.owner };
          let modelConflict = false;
          if (o.type !== F_UNLCK) {
            for (let b = o.start; b <= end; b++) {
              for (let w = 0; w < owners.length; w++) {
                const h = model[w][b];
                if (w !== o.owner && h !== null && (h === F_WRLCK || o.type === F_WRLCK)) modelConflict = true;
              }
            }
            const c = t.recordConflict(KEY, req as Lock);
            expect(c !== undefined).toBe(modelConflict);
            if (c !== undefined) {
              expect(c.owner).not.toBe(req.owner);
              expect(c.start <= req.end && req.start <= c.end).toBe(true);
              expect(c.type === F_WRLCK || o.type === F_WRLCK).toBe(true);
            }
          }
          if (modelConflict) continue;
          t.setRecord(KEY, req);
          for (let b = o.start; b <= end; b++) model[o.owner][b] = o.type === F_UNLCK ? null : o.type;
        }
        const locks = held(t);
        for (const [w, owner] of owners.entries()) {
          const mine = locks.filter((l) => l.owner === owner);
          const bytes = new Array<number | null>(BYTES + 16).fill(null);
          for (const l of mine) {
            for (let b = Number(l.start); b <= Number(l.end); b++) {
              expect(bytes[b]).toBeNull(); // an owner's locks never overlap
              bytes[b] = l.type;
            }
          }
          expect(bytes).toEqual(model[w]);
          for (const a of mine) for (const b of mine) if (a !== b && a.type === b.type) expect(a.end + 1n < b.start || b.end + 1n < a.start).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a cycle of waiting owners is a deadlock; a waiter that is no longer blocked breaks it', () => {
    const { t } = table();
    const [a, b, c] = [{}, {}, {}];
    const proc = (state: string) => ({ state, alive: true }) as unknown as Process;
    const lock = (owner: object, at: bigint): Lock => ({ type: F_WRLCK, start: at, end: at, owner, pid: 0 });
    t.setRecord(KEY, lock(a, 0n));
    t.setRecord(KEY, lock(b, 1n));
    t.setRecord(KEY, lock(c, 2n));
    // b waits for a's byte 0, c for b's byte 1: a asking for c's byte 2 closes the cycle.
    const pb = proc('blocked');
    t.waiting(pb, KEY, lock(b, 0n));
    t.waiting(proc('blocked'), KEY, lock(c, 1n));
    const ask = lock(a, 2n);
    expect(t.deadlock(ask, t.recordConflict(KEY, ask)!)).toBe(true);
    // b asking for c's byte closes the cycle c -> b as well; a fourth owner closes none.
    const ask2 = lock(b, 2n);
    expect(t.deadlock(ask2, t.recordConflict(KEY, ask2)!)).toBe(true);
    const ask3 = lock({}, 2n);
    expect(t.deadlock(ask3, t.recordConflict(KEY, ask3)!)).toBe(false);
    // b was interrupted out of its wait: the edge it left is ignored.
    (pb as { state: string }).state = 'running';
    expect(t.deadlock(ask, t.recordConflict(KEY, ask)!)).toBe(false);
  });

  it('a close drops the table\'s record locks on the file; the last close drops the description\'s', () => {
    const { t, wakes } = table();
    const fds = {};
    const f = new OpenFile({ read: () => null, write: () => 0, size: () => 0, stat: () => ({}) as never }, 2, 'f');
    t.setRecord(KEY, { type: F_WRLCK, start: 0n, end: 9n, owner: fds, pid: 1 });
    t.setRecord(KEY, { type: F_RDLCK, start: 20n, end: OFFSET_MAX, owner: f, pid: -1 });
    t.setFlock(KEY, f, F_WRLCK);
    const before = wakes();
    t.closed(fds, f, false);
    expect(held(t).map((l) => l.owner === f)).toEqual([true, true]);
    t.closed({}, f, true);
    expect(held(t)).toEqual([]);
    expect(wakes()).toBe(before + 2);
    // Nothing is held and no one waits: the file's entry is gone, and closes cost nothing.
    t.closed(fds, f, true);
    expect(wakes()).toBe(before + 2);
  });
});
