// The procsim command.

import { ALL_GATES } from '../sim/gates/index.ts';
import { UsageError } from './args.ts';
import { CHECK_EVENTS_HELP, checkEventsCommand } from './check-events.ts';
import { EXPLORE_HELP, exploreCommand } from './explore.ts';
import { GATE_HELP, gateCommand } from './gate.ts';
import { GOLDEN_HELP, goldenCommand } from './golden.ts';
import { MERGE_HELP, mergeCommand } from './merge.ts';
import { REPLAY_HELP, replayCommandMain } from './replay.ts';
import { RUN_HELP, runCommand } from './run.ts';
import { SUT_RUN_HELP, sutRunCommand } from './sut-run.ts';

/** Each command: its help text and what runs it (with the arguments after its name). */
const COMMANDS = new Map<string, { help: string; main: (argv: string[]) => number | Promise<number> }>([
  ['gate', { help: GATE_HELP, main: (argv) => gateCommand(argv, ALL_GATES) }],
  ['run', { help: RUN_HELP, main: runCommand }],
  ['replay', { help: REPLAY_HELP, main: replayCommandMain }],
  ['explore', { help: EXPLORE_HELP, main: exploreCommand }],
  ['merge', { help: MERGE_HELP, main: mergeCommand }],
  ['golden', { help: GOLDEN_HELP, main: goldenCommand }],
  ['check-events', { help: CHECK_EVENTS_HELP, main: checkEventsCommand }],
  ['sut-run', { help: SUT_RUN_HELP, main: sutRunCommand }],
]);

const HELP = `procsim: deterministic simulation of a RISC-V 64 Linux process model

Usage: procsim <command> [flags] ...

Commands:
${[...COMMANDS.values()].map((c) => c.help.replace(/^/gm, '  ')).join('\n\n')}

  procsim help | --help      this text

Exit codes: the guest's own for run and replay (replay's findings: see above); 0, 1 for
gate, check-events and sut-run (pass, fail); 2 for a
usage error (a bad flag or value, an output path that cannot be written, checked before
the run) or when procsim's own stdout cannot take its output (ENOSPC, EIO); 126 when the
program cannot be executed (bad ELF), 127 when it does not exist.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(HELP);
    return cmd === undefined ? 2 : 0;
  }
  try {
    const command = COMMANDS.get(cmd);
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(cmd)} (commands: ${[...COMMANDS.keys(), 'help'].join(', ')})`);
    if (rest[0] === '--help' || rest[0] === '-h') {
      console.log(command.help);
      return 0;
    }
    return await command.main(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`procsim: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
