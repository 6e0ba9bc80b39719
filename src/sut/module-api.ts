// The interface of an in-process system under test (procsim gate --sut-module FILE): what a
// module exports and what one run gets and gives back. It is all a team implements to gate
// its emulator without a process per run; examples/procsim-kernel.mjs is a worked example.

/** One run of a riscv64 Linux program on the SUT. */
export interface SutRequest {
  /** Host path of the riscv64 ELF to run (readable by anyone). */
  elf: string;
  /** The guest's argv; argv[0] is `elf` (the guest execve's argv[0] to run itself again). */
  argv: string[];
  /** The guest's environment, NAME=VALUE (empty for the generated programs). */
  env: string[];
  /** Bytes on the guest's stdin (empty: the generated programs never read it). */
  stdin: Uint8Array;
  /**
   * A seed for the SUT's own scheduling choices, if it makes any from a seed: the same
   * program and seed should give the same run, so that a failure can be reproduced.
   */
  seed: number;
}

/** How a run ended. Exactly one of exit, signal and blocked. */
export interface SutResult {
  stdout: string | Uint8Array;
  stderr: string | Uint8Array;
  /** p1 exited with this status. */
  exit?: number;
  /** p1 was killed by this signal ("SIGKILL"). */
  signal?: string;
  /**
   * The run can never end (every process blocked, as a deadlock detector sees it): judged
   * as a run that timed out, without the wait. Say why ("p1 in wait4").
   */
  blocked?: string;
  /**
   * The run's process events as the SUT's drain export writes them (JSONL, src/sim/EVENTS.md):
   * with them, gate --phase 1 judges P1.1, P1.2 and P1.4 on every run.
   */
  events?: string;
}

/** What the module's `createSut(options)` returns (or resolves to). */
export interface Sut {
  /** Shown in reports (default: the module's file name). */
  name?: string;
  run(req: SutRequest): SutResult | Promise<SutResult>;
  /** Called once when procsim is done with this instance. */
  close?(): void | Promise<void>;
}

/**
 * A module's export: `export function createSut(options)`, where options are the query of
 * `--sut-module FILE.mjs?key=value&...` (strings). Each worker thread makes one instance.
 */
export type CreateSut = (options: Record<string, string>) => Sut | Promise<Sut>;
