// procsim replay: run a program under the deterministic simulator, from a seed and a
// strategy or from a schedule string, and say how it ended, the schedule it took and the
// hash of its trace, with the command that reproduces it.

import { DEFAULT_SIM_MAX_INSNS, DEFAULT_SIM_MAX_STEPS, type Verdict, verdictText } from '../sim/engine.ts';
import type { FaultPolicy } from '../sim/faults.ts';
import { ScheduleSyntaxError } from '../sim/schedule.ts';
import { parseStrategy, STRATEGY_HELP } from '../sim/strategies/index.ts';
import { scheduleRun } from '../sim/strategies/replay.ts';
import type { Strategy } from '../sim/strategy.ts';
import { replayCommandLine } from '../sim/replay-command.ts';
import { simulateTarget } from '../sim/target.ts';
import { ForwardingConsole } from './host-console.ts';
import { checkOutputFile, type FlagSpec, intFlag, OutputLines, type Parsed, parseArgs, UsageError } from './args.ts';
import { shellStatus } from '../process/run.ts';
import { hermeticTarget, replayedTargetArgs, startOrFail, TARGET_FLAGS } from './target.ts';

const REPLAY_FLAGS: Record<string, FlagSpec> = {
  ...TARGET_FLAGS,
  strategy: { value: true },
  schedule: { value: true },
  trace: { value: true },
  events: { value: true },
  stdin: { value: true },
  'max-steps': { value: true },
};

/** Exit codes of runs that did not end with p1's exit. */
const REPLAY_EXIT = { deadlock: 3, budget: 4, divergence: 5, invariant: 6, crash: 70 } as const;

export const REPLAY_HELP = `procsim replay [flags] ELF [ARGS...] | SCENARIO
  Run a program under the deterministic simulator: a strategy, seeded by --seed, picks
  which process's pending syscall runs at every step, or --schedule dictates it. Prints the
  guest's output, then how the run ended, its schedule, its trace hash and the command that
  reproduces it. Hermetic: the environment starts empty, the cwd is /, stdin is empty and
  without --rootfs the ELF appears at /bin/NAME, so the same command gives the same trace,
  byte for byte, on any machine. SCENARIO: a named scenario (scenarios/NAME.json: its
  program, argv, environment and stdin).
  --seed N           run seed: the kernel's randomness and the strategy's (default 0)
  --strategy S       ${STRATEGY_HELP} (default random)
  --schedule STR     follow this schedule (s1:..., as printed) instead of a strategy; where
                     it no longer fits the program, the run stops and says where
  --trace FILE       write the trace (JSONL, see src/sim/TRACE.md) to FILE
  --events FILE      write the kernel's process events (JSONL, see src/sim/EVENTS.md) to FILE
  --stdin FILE       the guest's standard input
  --max-steps N      kernel step budget (default ${DEFAULT_SIM_MAX_STEPS})
  --max-insns N      instruction budget (default ${DEFAULT_SIM_MAX_INSNS})
  --rootfs, --env, --cwd, --kernel, --max-procs, --event-capacity, --memory-limit: as for run
  Exit code: the guest's (128+N if signal N killed it); ${REPLAY_EXIT.deadlock} deadlock, ${REPLAY_EXIT.budget} budget exhausted,
  ${REPLAY_EXIT.divergence} schedule does not fit, ${REPLAY_EXIT.invariant} kernel invariant broken (its bookkeeping is
  checked after every step: descriptors, pipes, wait queues, the process tree, what dead
  processes hold), ${REPLAY_EXIT.crash} simulator crash.`;

/** A command that reproduces this run: the same flags and target, and `how` (a strategy or the schedule taken). */
function replayCommand(args: Parsed, seed: number, how: string[]): string {
  return replayCommandLine(['--seed', String(seed), ...how, ...replayedTargetArgs(args)]);
}

const exitCode = (v: Verdict): number => (v.kind === 'exit' ? shellStatus(v.status) : REPLAY_EXIT[v.kind]);

export function replayCommandMain(argv: string[]): number {
  const args = parseArgs(argv, REPLAY_FLAGS);
  const seed = intFlag(args, 'seed', 0);
  const maxInsns = intFlag(args, 'max-insns', DEFAULT_SIM_MAX_INSNS);
  const maxSteps = intFlag(args, 'max-steps', DEFAULT_SIM_MAX_STEPS);
  const scheduleArg = args.flags.get('schedule')?.[0];
  const strategyArg = args.flags.get('strategy')?.[0];
  if (scheduleArg !== undefined && strategyArg !== undefined) throw new UsageError('replay: give --strategy or --schedule, not both');
  let how: { strategy: Strategy; faults?: FaultPolicy };
  try {
    how = scheduleArg !== undefined ? scheduleRun(scheduleArg) : { strategy: parseStrategy(strategyArg ?? 'random') };
  } catch (e) {
    if (e instanceof ScheduleSyntaxError || e instanceof RangeError) throw new UsageError(`--${scheduleArg !== undefined ? 'schedule' : 'strategy'}: ${e.message}`);
    throw e;
  }
  const target = hermeticTarget(args, 'replay');
  const tracePath = args.flags.get('trace')?.[0];
  if (tracePath !== undefined) checkOutputFile('trace', tracePath);
  const eventsPath = args.flags.get('events')?.[0];
  if (eventsPath !== undefined) checkOutputFile('events', eventsPath);

  const out = tracePath !== undefined ? new OutputLines('trace', tracePath) : undefined;
  const eventsOut = eventsPath !== undefined ? new OutputLines('events', eventsPath) : undefined;
  const console = new ForwardingConsole(target.stdin);
  // The trace is made for its hash: without --trace its lines go nowhere (a run of any length).
  const streams = { traceSink: out?.line ?? ((): void => {}), ...(eventsOut !== undefined ? { events: true, eventsSink: eventsOut.line } : {}) };
  const r = startOrFail(target.argv[0], () => simulateTarget(target, { seed, ...how, maxInsns, maxSteps, trace: true, console, invariants: true, ...streams }));
  out?.close();
  eventsOut?.close();
  if (typeof r === 'number') return r;
  if (console.hostError !== null) throw new UsageError(`cannot write ${console.hostError} (redirect it to a file or pipe that can take the output)`);
  const say = (s: string) => process.stderr.write(`procsim: ${s}\n`);
  say(verdictText(r.verdict));
  say(`${scheduleArg !== undefined ? 'schedule given' : `strategy ${r.strategy}`}, seed ${seed}: ${r.steps} steps, ${r.choices.length} choices, ${r.instructions} instructions`);
  say(`schedule ${r.schedule}`);
  say(`trace ${r.trace!.hash}${tracePath !== undefined ? ` (written to ${tracePath})` : ''}`);
  if (scheduleArg === undefined) say(`reproduce: ${replayCommand(args, seed, ['--strategy', r.strategy])}`);
  say(`${scheduleArg === undefined ? 'or by schedule' : 'reproduce'}: ${replayCommand(args, seed, ['--schedule', r.schedule])}`);
  return exitCode(r.verdict);
}
