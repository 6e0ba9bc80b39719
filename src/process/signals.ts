// Linux signal numbers (riscv64 uses the generic ones), names and default actions.

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGVTALRM = 26;
export const SIGPROF = 27;

const NAMES = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

export function signalName(sig: number): string {
  if (sig > 0 && sig < NAMES.length) return NAMES[sig];
  if (sig >= 32 && sig <= 64) return sig === 32 ? 'SIGRTMIN-2' : `SIGRTMIN+${sig - 34}`;
  return `signal ${sig}`;
}

/** What SIG_DFL does. Core is reported as termination by the signal (no core files). */
export type DefaultAction = 'terminate' | 'core' | 'ignore' | 'stop' | 'continue';

const CORE = new Set([SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, 24, 25, 31]);
const IGNORE = new Set([SIGCHLD, 23, 28]);
const STOP = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);

export function defaultAction(sig: number): DefaultAction {
  if (CORE.has(sig)) return 'core';
  if (IGNORE.has(sig)) return 'ignore';
  if (STOP.has(sig)) return 'stop';
  if (sig === SIGCONT) return 'continue';
  return 'terminate';
}

/** The bit of sig in a sigset. */
export const sigbit = (sig: number): bigint => 1n << BigInt(sig - 1);

/** SIGKILL and SIGSTOP can be neither caught nor blocked. */
export const UNBLOCKABLE = sigbit(SIGKILL) | sigbit(SIGSTOP);
