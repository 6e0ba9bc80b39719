// P0.5, shell smoke on /bin/sh (the plan's gate 5), on busybox sh, dash and bash: an
// interactive shell prints its prompt again only after the child it ran has exited (its
// output before), `printf hi | cat` prints hi, and `sh -c 'echo x > /tmp/a'` writes the file.
// Each run takes a random schedule of its own seed; the first failing run is the
// counterexample, with its trace and the replay command that reproduces it.

import type { Kernel } from '../../process/kernel.ts';
import type { KernelVariantName } from '../../process/variants/index.ts';
import { RandomStrategy } from '../strategies/random.ts';
import { statusText } from '../golden/outcomes.ts';
import type { TargetRun } from '../target.ts';
import type { Gate, GateOptions, GateResult } from './gate.ts';
import { type CliTarget, replayLine, runKeepingKernel, saveInput, saveTrace, shellCli } from './gate-run.ts';
import { missingShells, type Shell, SHELLS } from './shells.ts';

/** Commands typed into the interactive shell: a child program and a pipeline. */
const INTERACTIVE_INPUT = '/bin/echo child\nprintf hi | cat\nexit\n';

type TraceLine = { step?: number; proc?: string; sys?: string; event?: string; parent?: string; args?: { fd?: number; buf?: unknown } };

interface SmokeCase {
  name: string;
  target(shell: Shell, kernel: KernelVariantName, outDir: string | undefined): CliTarget;
  /** What is wrong with the run, or undefined. */
  judge(run: TargetRun, kernel: Kernel): string | undefined;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function exitedZero(run: TargetRun): string | undefined {
  const s = statusText(run.verdict);
  return s === 'exited 0' ? undefined : `the shell ended "${s}" (stderr ${JSON.stringify(text(run.stderr))})`;
}

/**
 * Every child of the shell has exited before the shell's next prompt, and a prompt came for
 * every line typed. Prompts are the shell's writes to fd 2 ending in "# " or "$ ".
 */
function promptAfterChildren(run: TargetRun): string | undefined {
  const lines = run.trace!.lines.map((l) => JSON.parse(l) as TraceLine);
  const prompts = lines
    .filter((l) => l.proc === 'p1' && l.sys === 'write' && l.args?.fd === 2 && typeof l.args.buf === 'string' && /[#$] $/.test(l.args.buf))
    .map((l) => l.step!);
  const typed = INTERACTIVE_INPUT.split('\n').length - 1;
  if (prompts.length !== typed) return `${prompts.length} prompt(s) for ${typed} line(s) typed`;
  for (const spawn of lines.filter((l) => l.event === 'spawn' && l.parent === 'p1')) {
    const next = prompts.find((p) => p > spawn.step!);
    const exit = lines.find((l) => l.event === 'exit' && l.proc === spawn.proc);
    if (next === undefined) continue; // the last command (exit) needs no prompt after it
    if (exit === undefined || exit.step! >= next) {
      return `the prompt came back at step ${next} before the shell's child ${spawn.proc} (spawned at step ${spawn.step}) had exited${exit ? ` (it exited at step ${exit.step})` : ''}`;
    }
  }
  return undefined;
}

const CASES: SmokeCase[] = [
  {
    name: 'prompt',
    target: (sh, k, outDir) => {
      const bytes = new Uint8Array(Buffer.from(INTERACTIVE_INPUT));
      return shellCli(sh, ['-i'], k, { bytes, file: saveInput(outDir, `P0.5-${k}-prompt`, bytes) });
    },
    judge(run) {
      const out = text(run.stdout);
      if (!out.endsWith('child\nhi')) return `stdout ${JSON.stringify(out.slice(-40))} does not end with the commands' output "child\\nhi"`;
      return exitedZero(run) ?? promptAfterChildren(run);
    },
  },
  {
    name: 'pipeline',
    target: (sh, k) => shellCli(sh, ['-c', 'printf hi | cat'], k),
    judge(run) {
      const out = text(run.stdout);
      return out !== 'hi' ? `printf hi | cat printed ${JSON.stringify(out)}` : exitedZero(run);
    },
  },
  {
    name: 'redirect',
    target: (sh, k) => shellCli(sh, ['-c', 'echo x > /tmp/a'], k),
    judge(run, kernel) {
      const bad = exitedZero(run);
      if (bad !== undefined) return bad;
      let got: string;
      try {
        const inode = kernel.fs.resolve(kernel.fs.root, '/tmp/a');
        got = text(kernel.fs.read(inode, 0, 64));
      } catch (e) {
        return `/tmp/a was not written (${(e as Error).message})`;
      }
      return got === 'x\n' ? undefined : `/tmp/a holds ${JSON.stringify(got)}, expected "x\\n"`;
    },
  },
];

function evaluate(opts: GateOptions): GateResult {
  const missing = missingShells();
  if (missing !== undefined) throw new Error(missing);
  const combos = SHELLS.flatMap((sh) => CASES.map((c) => ({ sh, c })));
  const runs = Math.max(opts.runs, combos.length);
  for (let i = 0; i < runs; i++) {
    const { sh, c } = combos[i % combos.length];
    const seed = opts.seed + i;
    const t = c.target(sh, opts.kernel, opts.outDir);
    const { run, kernel } = runKeepingKernel(t.target, seed, new RandomStrategy(), true);
    const why = c.judge(run, kernel);
    if (why !== undefined) {
      const trace = saveTrace(opts.outDir, `P0.5-${opts.kernel}-${sh.name.replace(/ /g, '-')}-${c.name}`, run);
      return {
        pass: false,
        runs: i + 1,
        detail: `${sh.name} ${c.name}: ${why}`,
        counterexample: {
          summary: `${t.target.argv.join(' ')} on ${opts.kernel}, seed ${seed}, schedule ${run.schedule}: ${why}`,
          replay: replayLine(t, seed, run.schedule),
          ...(trace ? { trace } : {}),
        },
      };
    }
  }
  return {
    pass: true,
    runs,
    detail: `${runs} random schedules of ${SHELLS.map((sh) => sh.name).join(', ')}: the prompt returns after the child exits, printf hi | cat prints hi, echo x > /tmp/a writes x`,
  };
}

export const SHELL_SMOKE_GATE: Gate = { id: 'P0.5', name: 'shell smoke on /bin/sh (busybox, dash, bash)', phase: 0, evaluate };
