// P3.1, fork cost grows with the pages touched, not with the address-space size (plan phase
// 3, copy-on-write). Measured in physical pages, deterministically: the distinct pages behind
// every address space when the child is about to exit, minus those when the parent was at
// fork (src/sim/gates/pages.ts), for fork-touch runs that vary one thing at a time:
//   - the address space (64 pages vs 256 MiB mapped): the cost must not move;
//   - pages resident in the parent but untouched after fork: the cost must not move;
//   - pages the child writes: the cost must grow by one page per page written.
// A kernel whose fork copies memory (eagerly, or the mapped or resident part) fails.

import { SYS } from '../../process/sysno.ts';
import type { Gate, GateOptions, GateResult } from './gate.ts';
import { replayLine, saveTrace } from './gate-run.ts';
import { type ProbeRun, probeFork } from './fork-probe.ts';
import { physicalPages } from './pages.ts';

/** fork-touch arguments, in pages: mapped, touched by the parent before fork, written by the child. */
interface Config {
  mapped: number;
  touched: number;
  writes: number;
}

const BIG = 65536; // 256 MiB
const BASE: Config = { mapped: 64, touched: 16, writes: 0 };
const CONFIGS = {
  base: BASE,
  bigSpace: { ...BASE, mapped: BIG },
  bigResident: { mapped: BIG, touched: 4096, writes: 0 },
  writes: { mapped: BIG, touched: 16, writes: 256 },
} satisfies Record<string, Config>;

/** Pages a fork may cost beyond the child's writes: its stack and libc's, the parent's stack. */
const SLACK = 8;

interface Measured {
  cfg: Config;
  probe: ProbeRun;
  /** Physical pages added between the fork and the child's exit, or NaN if not measured. */
  cost: number;
}

function measure(cfg: Config, opts: GateOptions, seed: number): Measured {
  let cost = NaN;
  const probe = probeFork([cfg.mapped, cfg.touched, cfg.writes].map(String), opts.kernel, seed, {
    childAt: SYS.exit_group,
    atFork: (k) => physicalPages([...k.procs.values()].map((p) => p.mem)),
    atChild: (_k, parent, child, before) => {
      cost = physicalPages([parent.mem, child.mem]) - before;
    },
  });
  return { cfg, probe, cost };
}

function evaluate(opts: GateOptions): GateResult {
  const m = Object.fromEntries(Object.entries(CONFIGS).map(([name, cfg]) => [name, measure(cfg, opts, opts.seed)])) as Record<
    keyof typeof CONFIGS,
    Measured
  >;
  const label = (x: Measured): string => `fork-touch ${x.cfg.mapped} ${x.cfg.touched} ${x.cfg.writes}`;
  const fail = (x: Measured, why: string): GateResult => {
    const trace = saveTrace(opts.outDir, `P3.1-${opts.kernel}`, x.probe.run);
    return {
      pass: false,
      runs: Object.keys(m).length,
      detail: why,
      counterexample: {
        summary: `${label(x)} on ${opts.kernel} (mapped, touched before fork, written by the child, in pages): ${why}`,
        replay: replayLine(x.probe.cli, opts.seed, x.probe.run.schedule),
        ...(trace ? { trace } : {}),
      },
    };
  };
  for (const x of Object.values(m)) {
    if (!x.probe.probed || Number.isNaN(x.cost)) return fail(x, `the run never reached the points measured (${x.probe.run.verdict.kind})`);
  }
  const { base, bigSpace, bigResident, writes } = m;
  if (base.cost > SLACK) return fail(base, `a fork with nothing written costs ${base.cost} pages (at most ${SLACK} expected)`);
  if (bigSpace.cost !== base.cost) {
    return fail(bigSpace, `fork cost depends on the address-space size: ${base.cost} pages with ${base.cfg.mapped} mapped, ${bigSpace.cost} with ${BIG}`);
  }
  if (bigResident.cost !== bigSpace.cost) {
    return fail(bigResident, `fork cost depends on pages resident before fork: ${bigSpace.cost} pages with ${bigSpace.cfg.touched} resident, ${bigResident.cost} with ${bigResident.cfg.touched}`);
  }
  const grew = writes.cost - bigSpace.cost;
  if (grew !== writes.cfg.writes) {
    return fail(writes, `the child wrote ${writes.cfg.writes} pages and the fork's cost grew by ${grew} pages`);
  }
  return {
    pass: true,
    runs: Object.keys(m).length,
    detail:
      `physical pages per fork: ${base.cost} (64 pages mapped), ${bigSpace.cost} (256 MiB mapped), ` +
      `${bigResident.cost} (16 MiB resident), ${writes.cost} (child writes 256 pages)`,
  };
}

export const FORK_COST_GATE: Gate = { id: 'P3.1', name: 'fork cost grows with pages touched, not address-space size', phase: 3, evaluate };
