// procsim sut-run: one generated program once on a system under test, judged as the SUT
// gates judge it: the command a failing `gate --sut` or `--sut-module` prints to reproduce
// its counterexample (with --seed, a SUT that schedules from the seed runs the same way).

import { decodeProgram, ProgramSyntaxError } from '../sim/programs/program.ts';
import { markedLines, ObservationError } from '../sim/sut/observed.ts';
import { outcomeText } from '../sim/sut/outcome.ts';
import type { SutGateId } from '../sim/sut/judge.ts';
import { DEFAULT_REFERENCE_BUDGET } from '../sim/sut/reference.ts';
import { judgeSutRun, p21Shown, SUT_GATES, SUT_P21 } from '../sut/gate.ts';
import { type FlagSpec, intFlag, parseArgs, UsageError } from './args.ts';
import { openSystem, SUT_FLAGS } from './sut-flags.ts';

const FLAGS: Record<string, FlagSpec> = { ...SUT_FLAGS, seed: { value: true }, gate: { value: true, repeat: true } };

export const SUT_RUN_HELP = `procsim sut-run (--sut 'CMD' | --sut-module F) [--seed N] [--gate ID] PROGRAM
  Run one generated program (its text, as a gate prints it) once on a system under test and
  judge the run on P0.1-P0.4 (or the --gate ones, P2.1 too) as gate --sut does: one line per gate,
  then the run's outcome. --seed N is offered to the SUT's scheduler (default 0);
  --sut-timeout S as for gate. Exit code: 0 when every gate judged passes, 1 otherwise.`;

export async function sutRunCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length !== 1) throw new UsageError(`sut-run takes one PROGRAM, got ${args.positionals.length} arguments (see --help)`);
  const text = args.positionals[0];
  let program;
  try {
    program = decodeProgram(text);
  } catch (e) {
    if (e instanceof ProgramSyntaxError) throw new UsageError(e.message);
    throw e;
  }
  const seed = intFlag(args, 'seed', 0);
  const ids = args.flags.get('gate') ?? SUT_GATES.map((g) => g.id);
  const known: string[] = [...SUT_GATES.map((g) => g.id), SUT_P21.id];
  for (const id of ids) if (!known.includes(id)) throw new UsageError(`--gate: ${id} is not judged on a SUT (choose from ${known.join(', ')})`);
  const opened = await openSystem(args);
  if (opened === undefined) throw new UsageError('sut-run needs --sut \'CMD\' or --sut-module FILE');
  try {
    const run = await opened.system.run(text, seed, opened.timeoutMs);
    const how = run.kind === 'exit' ? run.status : run.kind === 'timeout' ? (run.blocked !== undefined ? `blocked for ever (${run.blocked})` : 'timed out') : run.kind;
    const out = [`procsim sut-run: program ${text === '' ? "''" : text} on ${opened.system.label}, seed ${seed}: ${how}`];
    let pass = true;
    for (const id of ids) {
      if (id === SUT_P21.id) {
        const shown = p21Shown(program, run);
        pass &&= shown === true;
        const says = typeof shown === 'string' ? `not judged (${shown})` : shown ? 'yes' : 'no';
        out.push(`${id} ${SUT_P21.name}: ${shown === true ? 'pass' : 'FAIL'} (this run shows p1 writing after its fork while the child lives: ${says})`);
        continue;
      }
      const g = SUT_GATES.find((x) => x.id === id)!;
      const j = judgeSutRun(id as SutGateId, program, run, DEFAULT_REFERENCE_BUDGET, opened.timeoutMs);
      pass &&= j.verdict.ok;
      const m = j.membership;
      const note = j.verdict.ok ? (m === undefined ? '' : m.kind === 'member' ? ' (outcome in the reference set)' : ` (outcome ${m.kind}${m.note !== undefined && m.kind !== 'unconfirmed' ? `: ${m.note.split('\n')[0]}` : ''})`) : `: ${j.verdict.message.split('\nSUT outcome:\n')[0]}`;
      out.push(`${g.id} ${g.name}: ${j.verdict.ok ? 'pass' : 'FAIL'}${note}`);
    }
    if (run.kind === 'exit' || run.kind === 'timeout') {
      try {
        const end = run.kind === 'exit' ? run.status : 'blocked for ever';
        out.push('outcome:', outcomeText(program, markedLines(run.stdout, run.stderr), end));
      } catch (e) {
        if (!(e instanceof ObservationError)) throw e;
        out.push(`stdout: ${JSON.stringify(run.stdout.slice(0, 2000))}`, `stderr: ${JSON.stringify(run.stderr.slice(0, 2000))}`);
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return pass ? 0 : 1;
  } finally {
    await opened.system.close();
  }
}

