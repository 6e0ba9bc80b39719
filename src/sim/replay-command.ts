// The `procsim replay ...` command lines that every report prints (replay, explore, gates,
// generated programs): one quoting rule, so a printed command pastes into any POSIX shell.

/** A shell word: quoted unless it is plainly safe (an empty word is ''). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_\-.,/:=@%+]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `procsim replay` with these arguments, each quoted as the shell needs. */
export const replayCommandLine = (args: readonly string[]): string => ['procsim', 'replay', ...args].map(shellWord).join(' ');
