import { describe, expect, it } from 'vitest';
import { all, always, before, describe as describeEvent, eventually, exactlyOnce, fail, never, OK } from '../../src/sim/predicates.ts';
import type { Observation, TraceEvent } from '../../src/sim/programs/observations.ts';

// A small run: p1 forks p2, waits (blocks), p2 exits 3, p1's wait returns it.
const trace: TraceEvent[] = [
  { i: 0, step: 0, event: 'spawn', proc: 'p1', parent: null },
  { i: 1, step: 1, proc: 'p1', sys: 'clone', args: {}, ret: 'p2' },
  { i: 2, step: 1, event: 'spawn', proc: 'p2', parent: 'p1' },
  { i: 3, step: 2, proc: 'p1', sys: 'wait4', args: { pid: -1 }, block: 'wait' },
  { i: 4, step: 3, proc: 'p2', sys: 'exit_group', args: { status: 3 }, wakes: ['p1'] },
  { i: 5, step: 3, event: 'exit', proc: 'p2', status: 'exited 3' },
  { i: 6, step: 4, proc: 'p1', sys: 'wait4', args: { pid: -1 }, retry: true, ret: 'p2', status: 'exited 3' },
  { i: 7, end: 'exit', status: 'exited 0' },
];
const isWait = (e: TraceEvent) => e.sys === 'wait4';
const isExit = (e: TraceEvent) => e.event === 'exit';

function failure(v: ReturnType<typeof always>): string {
  if (v.ok) throw new Error('expected a failure');
  return v.message;
}

describe('trace predicates', () => {
  it('always: holds, or names the first failing step, its reason and the others', () => {
    expect(always('steps have a proc', trace.filter((e) => e.step !== undefined), (e) => e.proc !== undefined)).toEqual(OK);
    const m = failure(always('nothing blocks', trace, (e) => e.block === undefined || `blocked in ${e.block}`));
    expect(m).toBe('always nothing blocks: fails at step 2 p1 wait4 blocks (wait): blocked in wait');
    expect(failure(always('no wait4', trace, (e) => !isWait(e)))).toMatch(/fails at step 2 .*\(and 1 more: step 4 p1 wait4 \(retry\) = "p2"/);
  });

  it('never: holds when nothing matches, else names where it happens', () => {
    expect(never('a dropped event', trace, (e) => e.event === 'dropped')).toEqual(OK);
    expect(failure(never('an exit', trace, isExit))).toBe('never an exit: happens at step 3 event exit p2 (exited 3)');
  });

  it('eventually: holds when something matches, else says what was searched', () => {
    expect(eventually('p2 exits', trace, isExit)).toEqual(OK);
    expect(failure(eventually('a reap', trace, (e) => e.event === 'reap'))).toMatch(/^eventually a reap: never happens \(8 events, step 0 event spawn p1 to end of run/);
    expect(failure(eventually('anything', [], () => true))).toBe('eventually anything: never happens (no events)');
  });

  it('exactlyOnce: fails for none and for two, naming both', () => {
    expect(exactlyOnce('the exit of p2', trace, isExit)).toEqual(OK);
    expect(failure(exactlyOnce('a reap', trace, (e) => e.event === 'reap'))).toBe('exactly once a reap: never happens');
    expect(failure(exactlyOnce('a wait4', trace, isWait))).toBe('exactly once a wait4: happens 2 times: step 2 p1 wait4 blocks (wait); step 4 p1 wait4 (retry) = "p2" [exited 3]');
  });

  it('before: every b has an a strictly earlier (vacuous without b)', () => {
    expect(before('exit before the wait returns', trace, isExit, (e) => e.retry === true)).toEqual(OK);
    expect(before('a reap before anything', trace, (e) => e.event === 'reap', () => false)).toEqual(OK);
    expect(failure(before('exit before any wait4', trace, isExit, isWait))).toBe('before exit before any wait4: step 2 p1 wait4 blocks (wait) happens with nothing before it');
    // an event that is both a and b does not precede itself
    expect(before('itself', trace, isWait, isWait).ok).toBe(false);
  });

  it('all: the first failure, else OK; fail: a message of its own', () => {
    expect(all(OK, OK)).toEqual(OK);
    expect(all(OK, fail('first'), fail('second'))).toEqual({ ok: false, message: 'first' });
  });

  it('works over observations too, describing them by process and text', () => {
    const o: Observation = { i: 9, proc: 'p2', node: 4, tag: 'pid', vals: ['7'], text: 'n4 pid 7', call: trace[4] };
    expect(describeEvent(o)).toBe('p2 observes "n4 pid 7" (step 3)');
    expect(failure(always('pids are 2', [o], (x) => x.vals[0] === '2' || 'wrong pid'))).toBe('always pids are 2: fails at p2 observes "n4 pid 7" (step 3): wrong pid');
  });
});
