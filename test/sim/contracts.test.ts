// The contract checks on real runs and on doctored copies of them: a run edited to show the
// defect a check is about (a lost wakeup, a wrong status, a stale ppid, a missing event)
// must fail it with a message naming the step, and the untouched run must pass.
import { describe, expect, it } from 'vitest';
import { execHolds, forkHolds, identityHolds, waitHolds } from '../../src/sim/contracts/phase0.ts';
import { eventOrderHolds, nohangHolds, tableIdentityHolds, wakeupReapHolds } from '../../src/sim/contracts/phase1.ts';
import { noShortcut, parentRunsFirst, waitBeforeExitShown, waitQueueShown, wakeupsHold } from '../../src/sim/contracts/phase2.ts';
import { type ContractProperty, casesOf, evaluateProperty } from '../../src/sim/contracts/property.ts';
import { World } from '../../src/sim/contracts/world.ts';
import { programArb } from '../../src/sim/programs/arbitrary.ts';
import type { Verdict } from '../../src/sim/predicates.ts';
import { parseRun } from '../../src/sim/programs/observations.ts';
import { decodeProgram } from '../../src/sim/programs/program.ts';
import { type GeneratedRun, runGenerated } from '../../src/sim/programs/run.ts';

function run(text: string, choices: number[] = []): GeneratedRun {
  return runGenerated(decodeProgram(text), { kernel: 'reference', choices });
}

/** The run with its trace body edited (and its verdict replaced, if given). */
function doctor(r: GeneratedRun, edit: (lines: string[]) => string[], verdict = r.result.verdict): World {
  const trace = { ...r.result.trace!, lines: edit(r.result.trace!.lines) };
  return new World({ ...r, ...parseRun({ ...r.result, verdict, trace }) });
}

function message(v: Verdict): string {
  if (v.ok) throw new Error('expected the check to fail');
  return v.message;
}

const replaceIn = (needle: string, from: string, to: string) => (lines: string[]) => lines.map((l) => (l.includes(needle) ? l.replace(from, to) : l));

describe('World: the facts of a run', () => {
  it('knows creators, reparenting to p1, exits, reaps and groups', () => {
    const r = run('ffyQ..wawa');
    const w = new World(r);
    expect(w.procs).toEqual(['p1', 'p2', 'p3']);
    expect(w.creator('p3')).toBe('p2');
    const q = r.obs.find((o) => o.tag === 'ppid')!;
    expect(w.parentsAt('p3', q.call!.i)).toEqual(['p1']); // p2 had exited: p3 belongs to the reaper
    expect(w.parentsAt('p3', w.spawnedAt('p3') + 1)).toEqual(['p2']);
    expect(w.exitStatus('p2')).toBe('exited 0');
    expect(w.reapedAt('p2')).toBeLessThan(w.reapedAt('p3'));
    expect(w.idsAt('p3', q.i)).toMatchObject({ pgid: 1, sid: 1 });
    for (const check of [identityHolds, forkHolds, waitHolds, execHolds, tableIdentityHolds, eventOrderHolds, nohangHolds, wakeupReapHolds]) {
      expect(check(w), check.name).toEqual({ ok: true });
    }
  });

  it('follows setsid and setpgid', () => {
    const r = run('fsGSgf.wa.wa');
    const w = new World(r);
    expect(identityHolds(w)).toEqual({ ok: true });
    expect(r.obs.filter((o) => o.proc === 'p2').map((o) => o.text)).toEqual(['n1 fork 0', 'n2 setsid 2', 'n3 pgid 2', 'n4 sid 2', 'n5 setpgid -1', 'n6 fork 3', 'n7 wait 3 exited 0']);
  });
});

describe('the checks catch what they are about', () => {
  it('P0.1: a stale getppid after the parent exited', () => {
    const r = run('ffyQ..wawa');
    expect(message(identityHolds(doctor(r, replaceIn('n4 ppid 1', 'ppid 1', 'ppid 2'))))).toMatch(/getppid\(\).*p3 observes "n4 ppid 2" \(step \d+\): expected the pid of p1 1/);
  });

  it('P0.2: a child that sees its parent\'s later write', () => {
    const r = run('fyV.v5wa', [0, 0, 0]);
    expect(r.obs.find((o) => o.tag === 'var')!.text).toBe('n3 var 0');
    expect(message(forkHolds(doctor(r, replaceIn('n3 var 0', 'var 0', 'var 5'))))).toMatch(/memory is private: fails at p2 observes "n3 var 5".*expected the value 0/);
  });

  it('P0.3: a wrong status, a lost wakeup', () => {
    const r = run('fx3.wc1');
    expect(message(waitHolds(doctor(r, replaceIn('exited 3', 'exited 3', 'exited 4'))))).toMatch(/p2 exited 3, but the status reads exited 4/);
    // the kernel never wakes p1: its retry and everything after are gone, the run deadlocks
    const retry = r.result.trace!.lines.findIndex((l) => l.includes('"retry":true'));
    expect(retry).toBeGreaterThan(0);
    const lost = doctor(r, (lines) => lines.slice(0, retry), { kind: 'deadlock', blocked: [{ proc: 'p1', reason: 'wait' }] });
    expect(message(waitHolds(lost))).toMatch(/no lost wakeup\): fails at step \d+ p1 wait4 blocks \(wait\): p2 exited, yet p1 was never woken/);
  });

  it('P0.4: a descriptor gone that its holder never closed', () => {
    const r = run('pfe..W1wa');
    expect(message(execHolds(doctor(r, replaceIn('n4 write 1', 'write 1', 'write -9'))))).toMatch(/p1 observes "n4 write -9".*p1 never closed this descriptor/);
  });

  it('P1.1/P1.2: a missing spawn event', () => {
    const r = run('f.wa');
    const w = doctor(r, (lines) => lines.filter((l) => !(l.includes('"event":"spawn"') && l.includes('"proc":"p2"'))));
    expect(message(tableIdentityHolds(w))).toBe('exactly once a spawn event for p2: never happens');
    expect(message(eventOrderHolds(w))).toBe('exactly once spawn of p2: never happens');
  });

  it('P1.3: WNOHANG returning 0 when the child has exited', () => {
    const r = run('f.ywc1hwa', [1]);
    const o = r.obs.find((x) => x.node === 3)!;
    expect(o.text).toBe('n3 wait 2 exited 0');
    expect(message(nohangHolds(doctor(r, replaceIn('n3 wait 2 exited 0', 'wait 2 exited 0', 'wait 0'))))).toMatch(/"n3 wait 0".*expected an exited child among p2/);
  });

  it('P1.4: a reap event missing for a collected child', () => {
    const r = run('f.wa');
    const w = doctor(r, (lines) => lines.filter((l) => !l.includes('"event":"reap"')));
    expect(message(wakeupReapHolds(w))).toBe('exactly once reap event of p2: never happens');
  });

  it('P2: the witnesses see a parent running on and a wait that blocks; the shortcut and unwoken resumes fail', () => {
    const parentOn = new World(run('fx3.wc1'));
    expect([parentRunsFirst(parentOn), waitQueueShown(parentOn), waitBeforeExitShown(parentOn)]).toEqual([true, true, true]);
    const childFirst = new World(run('fx3.wc1', [1]));
    expect([parentRunsFirst(childFirst), waitQueueShown(childFirst), waitBeforeExitShown(childFirst)]).toEqual([false, false, false]);
    const r = run('fx3.wc1');
    expect([noShortcut(parentOn), wakeupsHold(parentOn)]).toEqual([{ ok: true }, { ok: true }]);
    // the blocking call answers ECHILD while p2 runs: the "already exited" shortcut
    const shortcut = doctor(r, replaceIn('"block":"wait"', '"block":"wait"', '"errno":"ECHILD"'));
    expect(message(noShortcut(shortcut))).toMatch(/blocks while its matching children all run: fails at step \d+ p1 wait4 = ECHILD: p2 still running, yet it returned ECHILD/);
    // p1 resumes though the exit that should wake it names nobody
    const unwoken = doctor(r, replaceIn('"wakes":["p1"]', ',"wakes":["p1"]', ''));
    expect(message(wakeupsHold(unwoken))).toMatch(/resumes only when a step wakes it: .*p1 ran again at step \d+ with nothing waking it/);
  });

});

describe('a gate whose judge breaks', () => {
  it('fails with the case and the error instead of throwing', () => {
    const broken: ContractProperty = {
      id: 'PX.1',
      name: 'broken',
      phase: 0,
      statement: 'throws on any fork',
      cases: casesOf(programArb()),
      judge: (kernel, c) => {
        if (c.program.some((o) => o.op === 'fork')) throw new Error('no process p9 in this run');
        return { verdict: { ok: true }, run: runGenerated(c.program, { kernel, choices: c.choices }) };
      },
    };
    const r = evaluateProperty(broken, { kernel: 'reference', runs: 100, seed: 1 });
    expect(r.pass).toBe(false);
    expect(r.counterexample!.summary).toBe('PX.1 broken could not judge program f.wa under choices []: no process p9 in this run');
    expect(r.counterexample!.replay).toBe('procsim replay --seed 0 --kernel reference scenarios/guests/bin/interp f.wa');
  });
});
