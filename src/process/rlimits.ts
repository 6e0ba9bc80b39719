// Resource limits (getrlimit, setrlimit, prlimit64): a process's limits are its own (kept
// by exec, copied by fork); one never set has Linux's boot default for this machine.

import type { Process } from './process.ts';

export const RLIM_INFINITY = (1n << 64n) - 1n;
export const RLIMIT_STACK = 3;
export const RLIMIT_NOFILE = 7;
export const RLIMIT_SIGPENDING = 11;
export const RLIM_NLIMITS = 16;

/**
 * RLIMIT_SIGPENDING's default: Linux sets it (soft and hard) to max_threads / 2, computed
 * from the RAM at boot (fork_init: totalram / (8 * THREAD_SIZE) threads); 15633 is what a
 * riscv64 machine with our 4 GiB reports (its usable RAM is a little under 4 GiB).
 */
export const SIGPENDING_DEFAULT = 15_633n;

/** [soft, hard] when p never set the limit. */
export function defaultLimit(res: number): [bigint, bigint] {
  if (res === RLIMIT_STACK) return [8n << 20n, RLIM_INFINITY];
  if (res === RLIMIT_NOFILE) return [1024n, 1024n];
  if (res === RLIMIT_SIGPENDING) return [SIGPENDING_DEFAULT, SIGPENDING_DEFAULT];
  return [RLIM_INFINITY, RLIM_INFINITY];
}

/** p's [soft, hard] limit on resource res. */
export const limitOf = (p: Process, res: number): [bigint, bigint] => p.rlimits.get(res) ?? defaultLimit(res);
