// Real workloads: Debian's dynamically linked riscv64 programs (dash, bash, coreutils, git,
// python3) in the Debian rootfs (npm run rootfs), as procsim runs them and as real Linux does
// (test/support/rootfs-linux.ts). The same cases serve the oracle test and the bench.
import { runProgram, type RunResult } from '../../src/process/run.ts';
import { DEBIAN_ROOTFS } from '../../src/sim/scenarios.ts';

export interface Workload {
  name: string;
  argv: string[];
  cwd?: string;
  stdin?: string;
  /** What Linux must print (checked on the oracle first, so a broken oracle cannot pass). */
  stdout: RegExp;
  exitCode?: number;
}

/** A fixed identity and fixed dates: a commit has the same hash wherever it is made. */
const GIT_ENV = [
  'GIT_AUTHOR_NAME=procsim', 'GIT_AUTHOR_EMAIL=procsim@example.org', 'GIT_AUTHOR_DATE=1700000000 +0000',
  'GIT_COMMITTER_NAME=procsim', 'GIT_COMMITTER_EMAIL=procsim@example.org', 'GIT_COMMITTER_DATE=1700000000 +0000',
];
export const WORKLOAD_ENV = ['PATH=/usr/bin:/bin', 'HOME=/root', 'LC_ALL=C', ...GIT_ENV];

const sh = (script: string, shell = 'dash'): string[] => [`/bin/${shell}`, '-c', script];
const py = (code: string): string[] => ['/usr/bin/python3', '-c', code];

export const WORKLOADS: readonly Workload[] = [
  { name: "dash -c 'echo hi'", argv: sh('echo hi'), stdout: /^hi\n$/ },
  {
    name: 'dash: command substitution, a pipe, ls | sort | head',
    argv: sh('x=$(echo sub); echo "$x" | cat; ls / | sort -r | head -n 3'),
    stdout: /^sub\nvar\nusr\ntmp\n$/,
  },
  {
    name: 'bash: arithmetic, a loop into a pipe, uname -m in a substitution',
    argv: sh('echo hi; echo $((6*7)); for i in 1 2; do echo $i; done | cat; echo "$(uname -m)"', 'bash'),
    stdout: /^hi\n42\n1\n2\nriscv64\n$/,
  },
  { name: 'cat /etc/os-release', argv: ['/usr/bin/cat', '/etc/os-release'], stdout: /trixie/ },
  { name: 'sort /etc/passwd', argv: ['/usr/bin/sort', '/etc/passwd'], stdout: /^nobody:.*\nroot:/ },
  {
    // Full times (ls shows a year instead of a time for dates far from "now", which is the
    // virtual clock's under procsim); '..' of /etc is the oracle's overlay root (nlink 1).
    name: 'ls -la /etc',
    argv: sh("ls -la --time-style=full-iso /etc | awk '$NF != \"..\"'"),
    stdout: /^total \d+\ndrwx.* \.\n(.*\n)*.* os-release -> \.\.\/usr\/lib\/os-release\n/,
  },
  {
    name: 'git init, add, commit, log',
    cwd: '/tmp',
    argv: sh('mkdir r && cd r && git init -q && echo hello > f && git add f && git commit -q -m init && git log --oneline | cat'),
    stdout: /^[0-9a-f]{7} init\n$/,
  },
  {
    name: 'git status and diff after a change',
    cwd: '/tmp',
    argv: sh('mkdir r && cd r && git init -q && echo a > f && git add f && git commit -q -m one && echo b >> f && git status --short && git diff | cat'),
    stdout: /^ M f\ndiff --git a\/f b\/f\n/,
  },
  {
    name: 'python3: os.fork and os.waitpid with the status',
    argv: py('import os\npid = os.fork()\nif pid == 0:\n    os._exit(7)\n_, st = os.waitpid(pid, 0)\nprint(os.WIFEXITED(st), os.WEXITSTATUS(st))'),
    stdout: /^True 7\n$/,
  },
  {
    name: 'python3: subprocess.run echo',
    argv: py('import subprocess\nr = subprocess.run(["echo", "hi"])\nprint(r.returncode)'),
    stdout: /^hi\n0\n$/,
  },
  {
    name: 'python3: a pipe between two processes, os.system',
    argv: py('import os\nr, w = os.pipe()\nif os.fork() == 0:\n    os.close(r); os.write(w, b"from child"); os._exit(0)\nos.close(w)\nprint(os.read(r, 100).decode()); os.wait()\nprint(os.system("exit 3") >> 8)'),
    stdout: /^from child\n3\n$/,
  },
  {
    name: 'dash: background jobs and wait, a trap and kill',
    // The two jobs race on Linux too: their lines are sorted.
    argv: sh('{ (echo bg1) & (echo bg2) & wait; } | sort; trap "echo got TERM" TERM; kill -TERM $$; echo after'),
    stdout: /^bg1\nbg2\ngot TERM\nafter\n$/,
  },
  {
    name: 'bash: process substitution',
    argv: sh('cat <(echo from-subst); diff <(printf "a\\nb\\n") <(printf "a\\nc\\n"); echo "diff $?"', 'bash'),
    stdout: /^from-subst\n2c2\n< b\n---\n> c\ndiff 1\n$/,
  },
  {
    // comm is the basename of the path given to execve: sh (not dash), a script's own name.
    name: '/proc/PID/comm of a shell, a #! script and python3',
    cwd: '/tmp',
    argv: sh('cat /proc/$$/comm; printf "#!/bin/sh\\ncat /proc/\\$\\$/comm\\n" > s1; chmod +x s1; ./s1; python3 -c "print(open(\'/proc/self/comm\').read(), end=\'\')"', 'sh'),
    stdout: /^sh\ns1\npython3\n$/,
  },
  {
    name: 'coreutils pipeline, find | xargs, tar c | tar t',
    cwd: '/tmp',
    argv: sh('mkdir d && echo one > d/a && echo two > d/b && find d -type f | sort | xargs cat | tr a-z A-Z | wc -l; tar cf - d | tar tf - | sort'),
    stdout: /^2\nd\/\nd\/a\nd\/b\n$/,
  },
  {
    // ld.so on a library cut short: in its headers (a message, 127), empty (127), or after
    // them (its mapping reaches past the file's end: SIGBUS on the first touch, 135).
    name: 'ld.so and a truncated libc: cannot read file data, file too short, Bus error',
    argv: sh(
      `mkdir /tmp/l && L=/usr/lib/riscv64-linux-gnu/libc.so.6 && head -c 100 $L > /tmp/l/libc.so.6 && LD_LIBRARY_PATH=/tmp/l /usr/bin/true; echo "status $?"; ` +
        `: > /tmp/l/libc.so.6; LD_LIBRARY_PATH=/tmp/l /usr/bin/true; echo "status $?"; head -c 1000 $L > /tmp/l/libc.so.6; LD_LIBRARY_PATH=/tmp/l /usr/bin/true; echo "status $?"`,
    ),
    stdout: /^status 127\nstatus 127\nstatus 135\n$/,
  },
  {
    // A library of another machine (e_machine x86-64) is passed over on the search path and
    // refused as a preload, with ld.so's own message.
    name: 'ld.so and a foreign-arch libc: skipped on LD_LIBRARY_PATH, refused by LD_PRELOAD',
    argv: sh(
      `mkdir /tmp/l && cp /usr/lib/riscv64-linux-gnu/libc.so.6 /tmp/l/ && printf '>' | dd of=/tmp/l/libc.so.6 bs=1 seek=18 conv=notrunc status=none && ` +
        `LD_LIBRARY_PATH=/tmp/l /usr/bin/true; echo "status $?"; LD_PRELOAD=/tmp/l/libc.so.6 /usr/bin/true; echo "status $?"`,
    ),
    stdout: /^status 0\nstatus 0\n$/,
  },
];

/** The workload under procsim, as `procsim run --rootfs .cache/rootfs/root` runs it. */
export function runWorkload(w: Workload, seed = 1): RunResult {
  return runProgram({
    path: w.argv[0],
    argv: w.argv,
    env: WORKLOAD_ENV,
    cwd: w.cwd ?? '/root',
    rootfs: { kind: 'host-dir', path: DEBIAN_ROOTFS },
    ...(w.stdin !== undefined ? { stdin: new Uint8Array(Buffer.from(w.stdin)) } : {}),
    seed,
    maxInsns: 5_000_000_000,
  });
}
