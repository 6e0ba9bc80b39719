// procsim as a library: the package imported by its name, as a user's own suite would, and
// the property of properties/README.md ("procsim as a library") run through it: it holds on
// the reference kernel and fails, with a counterexample, on legacy-rollback.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as procsim from 'procsim';
import { all, choicesArb, decodeProgram, exactlyOnce, type KernelVariantName, runGenerated } from 'procsim';

/** The README's property: two children, each collected by exactly one wait4, whatever the schedule. */
function eachChildCollectedOnce(kernel: KernelVariantName) {
  const program = decodeProgram('fx3.fx4.wawa');
  return fc.property(choicesArb, (choices) => {
    const run = runGenerated(program, { kernel, choices });
    const waits = run.events.filter((e) => e.sys === 'wait4');
    const verdict = all(...['p2', 'p3'].map((c) => exactlyOnce(`a wait4 of p1 returns ${c}`, waits, (e) => e.proc === 'p1' && e.ret === c)));
    if (!verdict.ok) throw new Error(`${verdict.message}\n  replay: ${run.replay}`);
  });
}

describe("import from 'procsim'", () => {
  it('exports every group: arbitraries, predicates, contracts, simulation, gates, the event-log checker', () => {
    for (const name of ['programArb', 'forkingProgramArb', 'choicesArb', 'runGenerated', 'always', 'never', 'eventually', 'exactlyOnce', 'before', 'all',
      'CONTRACT_PROPERTIES', 'CONTRACT_GATES', 'runContractViolations', 'simulate', 'simulateTarget', 'parseStrategy', 'ALL_GATES', 'evaluateGate',
      'parseEventLog', 'checkEventLog', 'EventLogWriter', 'parseSutModuleSpec', 'moduleSystem', 'commandSystem', 'parseSutCommand', 'evaluateSutGate', 'SUT_GATES'] as const) {
      expect(typeof procsim[name], name).not.toBe('undefined');
    }
    expect(procsim.CONTRACT_PROPERTIES.map((p) => p.id)).toEqual(['P0.1', 'P0.2', 'P0.3', 'P0.4', 'P1.1', 'P1.2', 'P1.3', 'P1.4', 'P2.1', 'P2.2', 'P2.3']);
  });

  it('the README property holds on the reference kernel', () => {
    expect(fc.check(eachChildCollectedOnce('reference'), { numRuns: 40, seed: 1 }).failed).toBe(false);
  });

  it('and fails on legacy-rollback, which forgets the first child when the second is forked', () => {
    const r = fc.check(eachChildCollectedOnce('legacy-rollback'), { numRuns: 40, seed: 1 });
    expect(r.failed).toBe(true);
    expect(String(r.errorInstance)).toMatch(/a wait4 of p1 returns p2: .*\n  replay: procsim replay --seed 0 --schedule s1:\S* --kernel legacy-rollback scenarios\/guests\/bin\/interp fx3\.fx4\.wawa/);
  });

  it('a SUT module runs a program in-process through the package (examples/procsim-kernel.mjs)', async () => {
    const sut = await procsim.moduleSystem(procsim.parseSutModuleSpec('examples/procsim-kernel.mjs?kernel=reference'), 1);
    try {
      expect(await sut.run('fx3.wa', 7, 20_000)).toMatchObject({ kind: 'exit', status: 'exited 0', stderr: expect.stringMatching(/@procsim n1 fork/) });
    } finally {
      await sut.close();
    }
  });

  it('the event-log checker judges a log the simulator wrote', () => {
    const run = runGenerated(decodeProgram('fx3.fx4.wawa'), { kernel: 'reference', eventLog: true });
    const { log, errors } = procsim.parseEventLog(run.result.eventLog!.text());
    expect(errors).toEqual([]);
    expect(procsim.checkEventLog(log).ok).toBe(true);
  });
});
