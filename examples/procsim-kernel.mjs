// A system under test for `procsim gate --sut-module`: procsim's own kernels, run in-process
// through the same interface an emulator implements (src/sut/module-api.ts). Gate one with
//   npx procsim gate --sut-module 'examples/procsim-kernel.mjs?kernel=legacy-rollback'
// Options (the query): kernel = reference | legacy-rollback | phase1-bridge (default
// reference), strategy = random | rr | pct:D (default random: the run's seed picks the
// interleaving, so the same seed gives the same run), events = 1 | 0 (default 1: each result
// carries the kernel's process-event log, which the phase-1 gates judge).

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { KERNEL_VARIANTS, parseStrategy, simulateTarget, verdictText } from 'procsim';

const text = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export function createSut(options) {
  const kernel = options.kernel ?? 'reference';
  if (!KERNEL_VARIANTS.includes(kernel)) throw new Error(`unknown kernel ${JSON.stringify(kernel)} (one of: ${KERNEL_VARIANTS.join(', ')})`);
  const strategy = options.strategy ?? 'random';
  parseStrategy(strategy); // a bad one fails here, at load, not at every run
  const withEvents = options.events !== '0';
  const elfs = new Map();
  return {
    name: `procsim ${kernel} kernel, ${strategy} schedules`,
    run(req) {
      let elf = elfs.get(req.elf);
      if (elf === undefined) elfs.set(req.elf, (elf = new Uint8Array(readFileSync(req.elf))));
      // The guest lives in the kernel's own filesystem; execve of argv[0] finds it there.
      const path = `/bin/${basename(req.elf)}`;
      const target = { path, elf, argv: [path, ...req.argv.slice(1)], env: req.env, stdin: req.stdin, kernel, cwd: '/', createCwd: true };
      const run = simulateTarget(target, { seed: req.seed, strategy: parseStrategy(strategy), events: withEvents });
      // The kernel's drained process events, for the phase-1 gates (legacy-rollback has none).
      const out = { stdout: text(run.stdout), stderr: text(run.stderr), ...(withEvents ? { events: run.eventLog.text() } : {}) };
      const v = run.verdict;
      if (v.kind === 'deadlock') return { ...out, blocked: v.blocked.map((b) => `${b.proc} ${b.reason}`).join(', ') };
      if (v.kind !== 'exit') throw new Error(verdictText(v));
      const status = run.procs[0].status;
      const killed = /^killed (SIG[A-Z0-9]+)/.exec(status);
      return killed !== null ? { ...out, signal: killed[1] } : { ...out, exit: Number(/^exited (\d+)$/.exec(status)[1]) };
    },
  };
}
