// Debian's busybox sh under procsim, judged by its amd64 twin of the same version running
// natively. Each case first checks the native run against an explicit expectation (so a
// broken oracle cannot pass), then requires procsim's stdout, stderr and exit status to be
// byte-for-byte the native ones. Scripts use relative paths only: both shells start in a
// private HOME (see test/support/busybox.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BUSYBOX_ROOTFS, busyboxVersion, requireBusybox, runNativeBusybox, runProcsimBusybox } from '../support/busybox.ts';
import { REPO_ROOT } from '../support/guests.ts';
import { expectSameRun, guardedSuite } from '../support/oracle.ts';
import type { GuestResult } from '../support/real-linux.ts';

interface ShellCase {
  name: string;
  script: string;
  stdin?: string;
  env?: Record<string, string>;
  /** What the native twin must print and return (stderr defaults to nothing, status to 0). */
  stdout: string | (() => string);
  stderr?: string;
  exitCode?: number;
  signal?: number;
}

// Interactive shells print their prompt from PS1; its default depends on the user running the
// tests ("# " for root), so the cases fix it.
const PROMPT = { PS1: '$ ' };
const NO_TTY = "sh: can't access tty; job control turned off\n";
/** The banner `sh -i` prints on stdout, e.g. "BusyBox v1.37.0 (Debian 1:1.37.0-6+b9) ...". */
const banner = (): string => {
  const debian = busyboxVersion();
  const upstream = debian.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
  return `\n\nBusyBox v${upstream} (Debian ${debian}) built-in shell (ash)\nEnter 'help' for a list of built-in commands.\n\n`;
};

const CASES: ShellCase[] = [
  // No fork: the shell alone, builtins only.
  { name: 'builtin echo', script: 'echo hello', stdout: 'hello\n' },
  { name: 'exit status of the script', script: 'exit 7', stdout: '', exitCode: 7 },
  { name: 'functions and $?', script: 'f() { return 4; }; f; echo $?', stdout: '4\n' },
  { name: 'exec of a builtin', script: 'exec echo replaced; echo never', stdout: 'replaced\n' },
  {
    name: 'shell language without children',
    script: "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; case $i in 3) echo three;; esac; set -- a b; echo $# $2; printf '%s-%d\\n' x 5",
    stdout: 'three\n2 b\nx-5\n',
  },
  { name: 'read builtin from a file', script: 'echo "a b" > f; read x y < f; echo "$y $x"', stdout: 'b a\n' },

  // Pipelines of applets.
  { name: 'printf hi | cat', script: 'printf hi | cat', stdout: 'hi' },
  { name: 'three-stage pipeline', script: 'echo a b c | tr a-z A-Z | wc -c', stdout: '6\n' },
  {
    name: 'seq | sort | uniq | head',
    script: "seq 3 | sort -r | uniq; printf 'b\\na\\nb\\n' | sort | uniq -c | head -n 1",
    stdout: '3\n2\n1\n      1 a\n',
  },
  { name: 'writer gets SIGPIPE when the reader leaves', script: 'yes | head -n 3; echo done', stdout: 'y\ny\ny\ndone\n' },
  {
    name: 'pipeline status and pipefail',
    script: 'false | true; echo $?; true | false; echo $?; set -o pipefail; false | true; echo $?',
    stdout: '0\n1\n1\n',
  },

  // Redirections.
  {
    name: '> >> < on files',
    script: 'echo x > f; echo y >> f; cat f; wc -l < f; cat < f | tr xy XY',
    stdout: 'x\ny\n2\nX\nY\n',
  },
  {
    name: '2>&1 into a pipe, stdout to /dev/null',
    script: '{ echo o; echo e >&2; } 2>&1 >/dev/null | tr a-z A-Z; ls nosuch 2>&1 | tr a-z A-Z',
    stdout: 'E\nLS: NOSUCH: NO SUCH FILE OR DIRECTORY\n',
  },
  { name: 'stderr of the shell itself', script: 'echo to-err >&2; cat < missing; echo $?', stdout: '1\n', stderr: "to-err\nsh: can't open missing: no such file\n" },
  { name: 'exec opens and closes an fd', script: 'exec 3> f; echo via3 >&3; exec 3>&-; cat f', stdout: 'via3\n' },

  // Subshells and command substitution.
  {
    name: 'subshell status and isolation',
    script: '(exit 3); echo $?; (x=1; echo in $x); echo out ${x:-unset}; (cd /; pwd); [ "$(pwd)" = "$HOME" ] && echo home',
    stdout: '3\nin 1\nout unset\n/\nhome\n',
  },
  {
    name: 'command substitution',
    script: 'x=$(echo a; echo b); echo "$x" | wc -l; echo $(seq 3); echo $(echo $(echo deep)); x=$(exit 4); echo $?',
    stdout: '2\n1 2 3\ndeep\n4\n',
  },

  // Background jobs and wait; every output is ordered by wait or by files.
  { name: 'sleep 0 & wait', script: 'sleep 0 & wait; echo $?', stdout: '0\n' },
  { name: 'wait $! returns the job status', script: '(exit 7) & wait $!; echo $?; false & wait $!; echo $?', stdout: '7\n1\n' },
  {
    name: 'several jobs then wait',
    script: 'for i in 1 2 3; do (echo $i > f$i) & done; wait; cat f1 f2 f3; (echo bg) > g & wait; echo fg; cat g',
    stdout: '1\n2\n3\nfg\nbg\n',
  },

  // kill of a child. Whether ash reports a background job's death ("Killed") depends on
  // when it reaps it: in the wait builtin it does, before it (a SIGCHLD between kill and
  // wait) it does not; native Linux does either (1 run in 150 under load), so the report of a
  // background job goes to /dev/null, and a foreground child's, which is always made, is checked.
  { name: 'kill a sleeping child (SIGTERM)', script: 'sleep 100 & kill $!; wait $! 2>/dev/null; echo $?', stdout: '143\n' },
  { name: 'kill -KILL a sleeping child', script: 'sleep 100 & kill -KILL $!; wait $! 2>/dev/null; echo $?', stdout: '137\n' },
  { name: 'a foreground child killed by SIGKILL is reported', script: "sh -c 'kill -KILL $$'; echo $?", stdout: '137\n', stderr: 'Killed\n' },
  { name: 'the shell kills itself', script: 'kill -TERM $$; echo not reached', stdout: '', exitCode: 143, signal: 15 },

  // Nested sh -c.
  {
    name: 'nested sh -c with $0, args and status',
    script: "sh -c 'echo inner $0 $1; exit 5' zero one; echo outer $?; sh -c 'sh -c \"echo deeper\"'",
    stdout: 'inner zero one\nouter 5\ndeeper\n',
  },
  { name: 'nested shell killed by a signal', script: "sh -c 'kill -TERM $$'; echo $?", stdout: '143\n', stderr: 'Terminated\n' },
  { name: 'exec replaces the shell', script: "exec sh -c 'echo $0 $#' renamed a b; echo never", stdout: 'renamed 2\n' },

  // Exit codes.
  { name: 'command not found', script: 'nosuch; echo $?', stdout: '127\n', stderr: 'sh: nosuch: not found\n' },
  { name: 'applet exit status', script: 'ls nosuch 2>/dev/null; echo $?; false; echo $?; test 1 -eq 1; echo $?', stdout: '1\n1\n0\n' },

  // Here-docs.
  {
    name: 'here-docs: expanded, quoted, tab-stripped',
    script: 'cat <<EOF\nA $((1+1))\nEOF\ncat <<"EOF"\nB $((1+1))\nEOF\ncat <<-EOF\n\tC\n\tEOF\nwhile read a b; do echo "$b $a"; done <<EOF\n1 one\n2 two\nEOF',
    stdout: 'A 2\nB $((1+1))\nC\none 1\ntwo 2\n',
  },

  // sh -i reading its commands from a pipe: prompts on stderr, one per command and at EOF.
  {
    name: 'sh -i from a pipe',
    script: 'sh -i',
    stdin: 'echo one\necho two\n',
    env: PROMPT,
    stdout: () => `${banner()}one\ntwo\n`,
    stderr: `${NO_TTY}$ $ $ \n`,
  },
  {
    // 2>&1 puts prompts and output in one stream: the prompt comes back after the child's output.
    name: 'sh -i: the prompt comes back after the children',
    script: 'sh -i 2>&1',
    stdin: 'printf one\\\\n | cat\nseq 2\necho three\n',
    env: PROMPT,
    stdout: () => `${NO_TTY}${banner()}$ one\n$ 1\n2\n$ three\n$ \n`,
  },
  {
    name: 'sh -i exit status',
    script: 'sh -i',
    stdin: 'echo one\nexit 3\necho never\n',
    env: PROMPT,
    stdout: () => `${banner()}one\n`,
    stderr: `${NO_TTY}$ $ `,
    exitCode: 3,
  },
];

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** The native run of a case, checked against the case's expectation. */
function expectNative(c: ShellCase): GuestResult {
  const r = runNativeBusybox(c.script, { stdin: c.stdin, env: c.env });
  const want = typeof c.stdout === 'function' ? c.stdout() : c.stdout;
  expect(latin1(r.stdout), 'native stdout').toBe(want);
  expect(latin1(r.stderr), 'native stderr').toBe(c.stderr ?? '');
  expect(r.exitCode, 'native exit status').toBe(c.exitCode ?? 0);
  expect(r.signal, 'native killing signal').toBe(c.signal);
  return r;
}

const busyboxSuite = (name: string, fn: () => void) => guardedSuite(name, requireBusybox(name), fn);

busyboxSuite('busybox sh: native amd64 twin', () => {
  for (const c of CASES) it(c.name, () => void expectNative(c));
});

busyboxSuite('busybox sh: procsim matches the native twin', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const real = expectNative(c);
      const sim = runProcsimBusybox(c.script, { stdin: c.stdin, env: c.env });
      const why = `procsim${sim.unknownSyscalls ? ` (unknown syscalls nr×count: ${sim.unknownSyscalls})` : ''}${sim.budgetExceeded ? ' (instruction budget exhausted)' : ''}`;
      expectSameRun(sim, real, why);
    });
  }

  it('procsim run --rootfs: /bin/sh -c "printf hi | cat" through the CLI', () => {
    const script = 'printf hi | cat';
    const real = runNativeBusybox(script);
    expect(latin1(real.stdout)).toBe('hi');
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/procsim.mjs'), 'run', '--rootfs', BUSYBOX_ROOTFS, '--clear-env', '--env', 'PATH=/bin', '/bin/sh', '-c', script],
      { input: '', timeout: 60_000 },
    );
    expect(r.error).toBeUndefined();
    expect(latin1(r.stdout), 'procsim run stdout').toBe('hi');
    expect(latin1(r.stderr), 'procsim run stderr').toBe('');
    expect(r.status, 'procsim run exit status').toBe(real.exitCode);
  });
});
