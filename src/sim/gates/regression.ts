// P0.6, no regression of the non-fork syscalls: the single-process scenarios (those marked
// "regression": hello, file-io, printf-float, setjmp, malloc-heavy, args-stdin, ...) print
// and end on this kernel exactly as in the reference golden outcome set, which the oracle
// suite (test/oracle/scenarios.test.ts) checks against real Linux. Runs cycle through the
// scenarios with seeds from the gate's seed, so the output must not depend on the seed.

import { readGoldenOutcomes } from '../golden/golden.ts';
import { GOLDEN_MAX_INSNS, GOLDEN_MAX_STEPS, outcomeOf } from '../golden/outcomes.ts';
import { shellWord } from '../replay-command.ts';
import { listScenarios, scenarioTarget } from '../scenarios.ts';
import { RoundRobinStrategy } from '../strategies/round-robin.ts';
import { simulateTarget } from '../target.ts';
import type { Gate, GateOptions, GateResult } from './gate.ts';
import { saveTrace } from './gate-run.ts';
import { lineDiff } from '../golden/diff.ts';

/** Each scenario runs at most this many times (seeds), however many runs are asked for. */
const MAX_SEEDS = 4;

function evaluate(opts: GateOptions): GateResult {
  const scenarios = listScenarios().filter((s) => s.regression);
  if (scenarios.length === 0) throw new Error('no regression scenarios in scenarios/ (want "regression": true)');
  const golden = new Map(scenarios.map((s) => [s.name, readGoldenOutcomes(s.name, 'reference')]));
  const runs = Math.min(Math.max(opts.runs, scenarios.length), scenarios.length * MAX_SEEDS);
  for (let i = 0; i < runs; i++) {
    const s = scenarios[i % scenarios.length];
    const seed = opts.seed + Math.floor(i / scenarios.length);
    const set = golden.get(s.name)!;
    if (set.outcomes.length !== 1) throw new Error(`golden/${s.name}/reference.outcomes.json has ${set.outcomes.length} outcomes: a regression scenario has one`);
    const want = set.outcomes[0];
    const run = simulateTarget(scenarioTarget(s, opts.kernel), {
      seed,
      strategy: new RoundRobinStrategy(),
      trace: true,
      maxInsns: GOLDEN_MAX_INSNS,
      maxSteps: GOLDEN_MAX_STEPS,
    });
    const got = outcomeOf(run);
    const show = (o: typeof got): string => [`status ${o.status}`, '-- stdout', ...o.stdout, '-- stderr', ...o.stderr].join('\n');
    const diff = lineDiff(show(want), show(got), { expected: 'reference (real Linux)', actual: opts.kernel });
    if (diff === '') continue;
    const trace = saveTrace(opts.outDir, `P0.6-${opts.kernel}-${s.name}`, run);
    const why = `${s.name} (${s.argv.map(shellWord).join(' ')}) does not behave as on the reference kernel and real Linux`;
    return {
      pass: false,
      runs: i + 1,
      detail: why,
      counterexample: {
        summary: `${why}, seed ${seed}:\n${diff}`,
        // A scenario name as the target: procsim resolves it through findScenario/scenarioTarget.
        replay: ['procsim', 'replay', '--seed', String(seed), '--schedule', run.schedule, '--kernel', opts.kernel, s.name].join(' '),
        ...(trace ? { trace } : {}),
      },
    };
  }
  return {
    pass: true,
    runs,
    detail: `${scenarios.length} single-process programs (${scenarios.map((s) => s.name.replace(/^regress-/, '')).join(', ')}) print and exit as on real Linux`,
  };
}

export const REGRESSION_GATE: Gate = { id: 'P0.6', name: 'no regression of the non-fork syscalls', phase: 0, evaluate };
