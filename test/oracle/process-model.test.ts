// The process-model contracts, each exercised by a guest of our own (scenarios/guests/pm-*.c,
// one mode per test) and judged by real Linux: the guest runs under qemu-riscv64, or built
// with the host gcc and run natively where qemu-user cannot follow (a guest exec'ing a guest
// binary, PR_SET_CHILD_SUBREAPER). Linux's output is first checked against the expected text
// below, so a broken oracle cannot pass; then procsim, given the same argv, env and stdin,
// must print the same stdout and stderr and end with the same status and signal.
//
// The guests print no pids and sequence their children's output (see scenarios/guests/pm.h),
// so the text is the same under any correct schedule and whatever pid the guest gets.
import { it } from 'vitest';
import { guestPath, type GlibcGuest } from '../support/guests.ts';
import { runNative } from '../support/native.ts';
import {
  caseLabel,
  expectLinuxAsExpected,
  expectProcsimSame,
  expectSameAsQemu,
  invocation,
  oracleSuite,
  type Invocation,
  type OracleCase,
} from '../support/oracle.ts';
import { runQemu, type GuestResult } from '../support/real-linux.ts';

const ENV = ['PATH=/bin', 'HOME=/', 'LANG=C'];

/** Instruction budget of one procsim run: far above what any mode needs (a few million). */
const MAX_INSNS = 50_000_000;

/** A run of one guest mode, and what Linux prints for it. */
interface ModeCase {
  guest: GlibcGuest;
  mode: string;
  /** The real Linux that judges it (default: qemu). */
  linux?: 'qemu' | 'native';
  /** Exit status (default 0). */
  exitCode?: number;
  /** stdout after the "== MODE ==" line. */
  lines: string[];
  /** Exact stderr (default: none). */
  stderr?: string;
}

/** What a pm-orphan mode prints as it makes itself a subreaper. */
const SUBREAPER = ['PR_SET_CHILD_SUBREAPER: 0', 'PR_GET_CHILD_SUBREAPER: 0', 'subreaper flag: 1'];
/** The orphan mode: a grandchild orphaned below a subreaper goes to it. */
const ORPHAN = [
  ...SUBREAPER,
  'parent of the grandchild exited 0',
  'grandchild: first parent was the child: yes',
  'grandchild: reparented to the subreaper: yes',
  'grandchild: reparented away from the dead parent: yes',
  'the subreaper reaped the orphan: yes, exited 6',
  'then wait: -1 ECHILD',
];

const CASES: ModeCase[] = [
  {
    guest: 'pm-identity', mode: 'fork',
    lines: [
      'child: fork returned 0: yes',
      'child: sees the value set before fork: yes',
      'child: pid differs from parent: yes',
      'child: ppid is the parent: yes',
      'child: tid is pid: yes',
      'child: pgid inherited: yes',
      'child: sid inherited: yes',
      'parent: child exited 0',
      'parent: fork returned a new pid: yes',
      'parent: pid unchanged: yes',
      'parent: tid is pid: yes',
      'parent: getpgid(child) is own pgid: yes',
      'parent: getsid(child) is own sid: yes',
      'parent: second child exited 0',
      'parent: getpgid(reaped child): -1 ESRCH',
      'parent: getsid(reaped child): -1 ESRCH',
    ],
  },
  {
    guest: 'pm-identity', mode: 'memory',
    lines: [
      "child: sees parent's later writes: no",
      'child: sbrk grows: yes',
      'child: own writes visible: yes',
      'parent: child exited 0',
      'parent: global kept: yes',
      'parent: stack kept: yes',
      'parent: heap kept: yes',
      'parent: private mapping kept: yes',
      'parent: break unchanged by child: yes',
    ],
  },
  {
    guest: 'pm-identity', mode: 'shared',
    lines: [
      "child: sees parent's write to shared page: yes",
      'parent: child exited 0',
      "parent: sees child's write to shared page: yes",
    ],
  },
  {
    guest: 'pm-identity', mode: 'groups',
    lines: [
      'setpgid(0, -1): -1 EINVAL',
      'session child: setsid returns own pid: yes',
      'session child: leads its group: yes',
      'session child: leads its session: yes',
      'session child: setsid again: -1 EPERM',
      "session child: setpgid into parent's group: -1 EPERM",
      "session child: parent's session unchanged: yes",
      'parent: setpgid(session leader child): -1 EPERM',
      'parent: getsid(child) is the child: yes',
      'parent: own session unchanged: yes',
      'parent: session child exited 0',
      'group child: setpgid(0, 0): 0',
      'group child: leads its group: yes',
      'group child: same session: yes',
      'parent: getpgid(child) is the child: yes',
      'parent: setpgid(child, own group): 0',
      "parent: child back in parent's group: yes",
      'parent: group child exited 0',
      'parent: setpgid(0, gone group): -1 EPERM',
      'parent: setpgid(reaped child, ...): -1 ESRCH',
      'parent: own group unchanged: yes',
    ],
  },
  {
    guest: 'pm-wait', mode: 'status',
    lines: [
      'exit(0): status 0x0000, exited 0',
      'exit(1): status 0x0100, exited 1',
      'exit(42): status 0x2a00, exited 42',
      'exit(255): status 0xff00, exited 255',
      'exit(256): status 0x0000, exited 0',
      'exit(257): status 0x0100, exited 1',
      'exit(-1): status 0xff00, exited 255',
      'exit(1000): status 0xe800, exited 232',
      'SIGTERM: status 0x000f, killed by SIGTERM',
      'SIGKILL: status 0x0009, killed by SIGKILL',
      'SIGUSR1: status 0x000a, killed by SIGUSR1',
      'SIGHUP: status 0x0001, killed by SIGHUP',
      'SIGINT: status 0x0002, killed by SIGINT',
      'SIGABRT: status 0x0006, killed by SIGABRT',
      'SIGSEGV: status 0x000b, killed by SIGSEGV',
    ],
  },
  {
    guest: 'pm-wait', mode: 'wnohang',
    lines: [
      'waitpid(child, WNOHANG) while it runs: 0',
      'waitpid(-1, WNOHANG) while it runs: 0',
      'status untouched: yes',
      'polling with WNOHANG reaps the child: yes',
      'child exited 5',
      'waitpid(-1, WNOHANG) with no children: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-wait', mode: 'echild',
    lines: [
      'wait() with no children: -1 ECHILD',
      'waitpid(0) with no children: -1 ECHILD',
      'waitpid(self): -1 ECHILD',
      'child exited 3',
      'waitpid(reaped child): -1 ECHILD',
      'waitpid(reaped child, WNOHANG): -1 ECHILD',
      'wait() again: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-wait', mode: 'many',
    lines: [
      'children: 20',
      'each reaped once with its own status: yes',
      'wait() after all: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-wait', mode: 'selectors',
    lines: [
      'c and d in the new group: yes',
      'waitpid(-c, WNOHANG) while they run: 0',
      'waitpid(e): e, exited 5',
      'waitpid(0): a or b: yes, status matches: yes',
      'waitpid(0): a or b: yes, status matches: yes',
      'waitpid(0) then: -1 ECHILD',
      'waitpid(-c): c or d: yes, status matches: yes',
      'waitpid(-c): c or d: yes, status matches: yes',
      'waitpid(-c) then: -1 ECHILD',
      'waitpid(-1) then: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-wait', mode: 'waitid',
    lines: [
      'waitid(P_PID, WNOHANG) while it runs: 0 signo=0 pid=0 code=0 status=0',
      'waitid(P_PID, WNOWAIT): 0 signo=SIGCHLD pid=child code=CLD_EXITED status=7',
      'waitid(P_ALL) after WNOWAIT: 0 signo=SIGCHLD pid=child code=CLD_EXITED status=7',
      'waitid(P_PID) reaped: -1 ECHILD',
      'waitid(P_PGID) killed child: 0 signo=SIGCHLD pid=child code=CLD_KILLED status=15',
      'waitid without WEXITED: -1 EINVAL',
      'waitid(P_ALL) no children: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-wait', mode: 'cycles',
    lines: [
      'cycles: 200, statuses right: 200',
      'wait() after all: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-exec', mode: 'image', linux: 'native',
    lines: [
      "exec'd: argc 11, argv[0] pm-exec",
      "exec'd: argv[9] \"two words\"",
      "exec'd: argv[10] \"\"",
      "exec'd: env \"A=1\"",
      "exec'd: env \"B=x=y\"",
      "exec'd: env \"EMPTY=\"",
      "exec'd: pid kept: yes",
      "exec'd: ppid kept: yes",
      "exec'd: pgid kept: yes",
      "exec'd: globals are the new image's: yes",
      "exec'd: F_GETFD plain fd: 0",
      "exec'd: F_GETFD O_CLOEXEC fd: -1 EBADF",
      "exec'd: handled SIGUSR1 reset to default: yes",
      "exec'd: ignored SIGUSR2 still ignored: yes",
      "exec'd: blocked SIGHUP still blocked: yes",
      "exec'd: read 2 bytes of the shared file: 2",
      "exec'd: they are \"ab\"",
      'parent: read "hello through a kept fd"',
      "parent: setpgid(exec'd child): -1 EACCES",
      'parent: child exited 3',
      'parent: pid unchanged: yes',
      'parent: global unchanged: yes',
      'parent: F_GETFD own O_CLOEXEC fd: 1',
      'parent: rest of the shared file "cdef"',
      'parent: SIGUSR1 still handled: yes',
    ],
  },
  {
    guest: 'pm-exec', mode: 'fail',
    lines: [
      'execve missing file: -1 ENOENT',
      '  image intact: yes',
      'execve directory: -1 EACCES',
      '  image intact: yes',
      'execve file without x bit: -1 EACCES',
      '  image intact: yes',
      'execve data file: -1 ENOEXEC',
      '  image intact: yes',
      'execve truncated ELF: -1 ENOEXEC',
      '  image intact: yes',
      'execve script with missing interpreter: -1 ENOENT',
      '  image intact: yes',
      'child: execve failed with ENOENT, still running',
      'parent: child exited 4',
    ],
  },
  {
    guest: 'pm-pipe', mode: 'eof',
    lines: [
      'read until EOF: "hello world"',
      'read after EOF: 0',
      'writer exited 0',
      'three writers: 12000 bytes',
      'each message whole, each writer once: yes',
      'writer 0 exited 0',
      'writer 1 exited 0',
      'writer 2 exited 0',
    ],
  },
  {
    guest: 'pm-pipe', mode: 'epipe',
    lines: [
      'write, no reader, SIGPIPE ignored: -1 EPIPE',
      'write, no reader, SIGPIPE handled: -1 EPIPE',
      'handler ran: 1',
      'child writing with default SIGPIPE: killed by SIGPIPE',
      'reader exited 0',
      'write after the reader exited: -1 EPIPE',
    ],
  },
  {
    guest: 'pm-pipe', mode: 'big',
    lines: [
      'parent -> child: 262267 bytes, as sent: yes',
      'reader exited 0',
      'child -> parent: 262267 bytes, as sent: yes',
      'writer exited 0',
    ],
  },
  {
    guest: 'pm-pipe', mode: 'capacity',
    lines: [
      'O_NONBLOCK pipe filled with 4 KiB writes: 65536 bytes, then EAGAIN',
      'one more byte: -1 EAGAIN',
      'read 4 KiB: 4096',
      'write 4 KiB again: 4096',
      'drained 65536 bytes, then EAGAIN',
      'read with no writer: 0',
    ],
  },
  {
    guest: 'pm-pipe', mode: 'dup2',
    lines: [
      "parent read from the child's stdout: this went to the pipe",
      'child exited 0',
      "parent's stdout is the same file: yes",
      'write after the child closed its copies: 2',
      'read it back: 2',
      'dup takes the lowest free fd: yes',
      'dup2(fd, same fd) returns fd: yes',
      'dup3(fd, same fd): -1 EINVAL',
      'dup2(bad fd): -1 EBADF',
      'dup2 onto an open fd returns it: yes',
      'F_GETFD after dup2: 0',
      'F_DUPFD_CLOEXEC picks >= 20: yes',
      'F_GETFD after F_DUPFD_CLOEXEC: 1',
      'dup3 with O_CLOEXEC: 30',
      'F_GETFD after dup3 O_CLOEXEC: 1',
      "read through the dup'd read end: 2",
    ],
  },
  {
    guest: 'pm-pipe', mode: 'offsets',
    lines: [
      'child reading 4 bytes exited 0',
      "parent offset after the child's read: 4",
      'parent reads "456"',
      'dup sees the offset: 2',
      'second open has its own offset: 0',
      'pread at 5: "567", offset stays: 2',
      "O_APPEND offset after the child's append: 12",
      'file size: 12',
    ],
  },
  {
    guest: 'pm-signal', mode: 'defaults',
    lines: [
      'SIGTERM: killed by SIGTERM',
      'SIGKILL: killed by SIGKILL',
      'SIGUSR1: killed by SIGUSR1',
      'SIGUSR2: killed by SIGUSR2',
      'SIGHUP: killed by SIGHUP',
      'SIGINT: killed by SIGINT',
      'SIGALRM: killed by SIGALRM',
      'SIGPIPE: killed by SIGPIPE',
      'SIGQUIT: killed by SIGQUIT',
      'SIGABRT: killed by SIGABRT',
      'SIGSEGV: killed by SIGSEGV',
      'SIGBUS: killed by SIGBUS',
      'SIGFPE: killed by SIGFPE',
      'SIGILL: killed by SIGILL',
      'SIGTRAP: killed by SIGTRAP',
      'SIGCHLD: exited 7',
      'SIGURG: exited 7',
      'SIGWINCH: exited 7',
    ],
  },
  {
    guest: 'pm-signal', mode: 'stop',
    lines: [
      'after SIGSTOP, WUNTRACED: stopped by SIGSTOP',
      'WNOHANG|WUNTRACED again: 0',
      'after SIGCONT, WCONTINUED: continued: yes',
      'then exited 7',
    ],
  },
  {
    guest: 'pm-signal', mode: 'probe',
    lines: [
      'kill(live child, 0): 0',
      'kill(child, 65): -1 EINVAL',
      'kill(child, -1): -1 EINVAL',
      'kill(exited child, 0): 0',
      'child exited 0',
      'kill(reaped child, 0): -1 ESRCH',
      'kill(reaped child, SIGTERM): -1 ESRCH',
    ],
  },
  {
    guest: 'pm-signal', mode: 'sigchld',
    lines: [
      'SIGCHLD pending after each exit: 5 of 5',
      'handler ran 5 times, with CLD_EXITED, the pid and the status: 5',
      'SIGCHLD ignored: waitpid: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-signal', mode: 'mask',
    lines: [
      'blocked SIGUSR1 pending: yes',
      'handler runs while blocked: 0',
      'handler runs after unblock (two sent): 1',
      'nothing pending after delivery: yes',
      'child: mask inherited yes, pending not inherited yes, handler inherited yes',
      "parent's SIGUSR2 handler ran after unblock: 1",
      'sigaction(SIGKILL): -1 EINVAL',
      'sigaction(SIGSTOP): -1 EINVAL',
      'SIGKILL and SIGSTOP cannot be blocked: yes',
    ],
  },
  {
    guest: 'pm-signal', mode: 'eintr',
    lines: [
      'child: ppoll: -1 EINTR, handler ran 1',
      'ppoll child exited 0',
      'child: sigsuspend: -1 EINTR, handler ran 1',
      'sigsuspend child exited 0',
      'child: SA_RESTART read: 5 "data!", handler ran 1',
      'SA_RESTART child exited 0',
    ],
  },
  {
    guest: 'pm-signal', mode: 'group',
    lines: [
      'kill(-reaped-or-missing group): -1 ESRCH',
      'kid 0 after kill(-pgid, SIGTERM): killed by SIGTERM',
      'kid 1 after kill(-pgid, SIGTERM): killed by SIGTERM',
      'kid 2 after kill(-pgid, SIGTERM): exited 12',
      'kid 3 after kill(-pgid, SIGTERM): exited 13',
      'killpg(SIGKILL): killed by SIGKILL',
    ],
  },
  {
    guest: 'pm-signal', mode: 'die', exitCode: 143,
    lines: [
      'about to die',
    ],
  },
  {
    guest: 'pm-spawn', mode: 'vfork',
    lines: [
      'vfork child ran',
      'parent after vfork: child exited 9',
    ],
  },
  {
    guest: 'pm-spawn', mode: 'vfork-exec', linux: 'native',
    lines: [
      'spawned (vfork): argc 3, env "X=vfork"',
      'parent after vfork+exec: child exited 4',
    ],
  },
  {
    guest: 'pm-spawn', mode: 'spawn', linux: 'native',
    lines: [
      'posix_spawn: 0',
      "parent read the child's stdout:",
      'spawned (posix_spawn): argc 4, env "Y=spawn"',
      'spawned: leads its own group: yes',
      'spawned: SIGUSR1 blocked by the attributes: yes',
      'spawned: SIGUSR2 reset to default: yes',
      'spawned: fd closed by the file actions: -1 EBADF',
      'child exited 4',
      "parent's group unchanged: yes",
    ],
  },
  {
    guest: 'pm-spawn', mode: 'spawn-fail', linux: 'native',
    lines: [
      'posix_spawn missing program: ENOENT',
      'then wait: -1 ECHILD',
    ],
  },
  { guest: 'pm-orphan', mode: 'orphan', linux: 'native', lines: ORPHAN },
  {
    guest: 'pm-orphan', mode: 'zombie', linux: 'native',
    lines: [
      ...SUBREAPER,
      'reaped the child (exit 0) and its zombie child (exit 8): yes',
      'then wait: -1 ECHILD',
    ],
  },
  {
    guest: 'pm-orphan', mode: 'nested', linux: 'native',
    lines: [
      ...ORPHAN, // in a child of ours that is the subreaper
      'subreaper child exited 0',
      'top: wait (the orphan was not ours): -1 ECHILD',
    ],
  },
  {
    guest: 'pm-order', mode: 'stdio',
    lines: [
      'buffered before fork',
      'child',
      'buffered before fork',
      'parent after the child',
      'buffered again',
      'parent after the _exit child',
    ],
  },
  {
    guest: 'pm-order', mode: 'pingpong',
    lines: [
      'ping 0',
      'pong 0',
      'ping 1',
      'pong 1',
      'ping 2',
      'pong 2',
      'ping 3',
      'pong 3',
      'ping 4',
      'pong 4',
      'ping 5',
      'pong 5',
      'ping 6',
      'pong 6',
      'ping 7',
      'pong 7',
      'ping 8',
      'pong 8',
      'ping 9',
      'pong 9',
      'child exited 0',
    ],
  },
  {
    guest: 'pm-order', mode: 'stderr',
    stderr: 'parent: stderr before fork\nchild: stderr\nparent: stderr after the child\n',
    lines: [
      'stdout line',
    ],
  },
  {
    guest: 'pm-bad', mode: 'forkbomb',
    lines: [
      'fork failures are EAGAIN: yes',
      'every child reaped: yes',
      'then wait: -1 ECHILD',
      'fork afterwards: child exited 5',
    ],
  },
  {
    guest: 'pm-bad', mode: 'memory',
    lines: [
      'sbrk(1 PiB): ENOMEM',
      'break unchanged: yes',
      'raw brk(huge) returns the old break: yes',
      'mmap(1 PiB): ENOMEM',
      'mmap(1 PiB, PROT_NONE, MAP_NORESERVE): ENOMEM',
      'malloc(1 PiB): ENOMEM',
      'malloc afterwards: yes',
      'sbrk(64 KiB) afterwards: yes',
    ],
  },
  {
    guest: 'pm-bad', mode: 'hog',
    lines: [
      'hog children: 8 exited 0, 0 killed by SIGKILL, 0 otherwise',
      'the parent carries on: yes',
    ],
  },
  {
    guest: 'pm-bad', mode: 'efault',
    lines: [
      'parent: read into a bad buffer: -1 EFAULT',
      'parent: write from a bad buffer: -1 EFAULT',
      'parent: open a bad path: -1 EFAULT',
      'parent: pipe into a bad array: -1 EFAULT',
      'parent: fstat into a bad buffer: -1 EFAULT',
      'parent: uname into a bad buffer: -1 EFAULT',
      'parent: nanosleep from a bad pointer: -1 EFAULT',
      'parent: execve a bad path: -1 EFAULT',
      'parent: execve a bad argv: -1 EFAULT',
      'and the data is still there: 4',
      'child: read into a bad buffer: -1 EFAULT',
      'child: write from a bad buffer: -1 EFAULT',
      'child: open a bad path: -1 EFAULT',
      'child: pipe into a bad array: -1 EFAULT',
      'child: fstat into a bad buffer: -1 EFAULT',
      'child: uname into a bad buffer: -1 EFAULT',
      'child: nanosleep from a bad pointer: -1 EFAULT',
      'child: execve a bad path: -1 EFAULT',
      'child: execve a bad argv: -1 EFAULT',
      'and the data is still there: 4',
      'child exited 0',
      'wait4 into a bad status pointer: -1 EFAULT',
      'waitpid for it again: -1 ECHILD',
    ],
  },
];

function oracleCase(c: ModeCase): OracleCase {
  const stdout = [`== ${c.mode} ==`, ...c.lines].join('\n') + '\n';
  return {
    name: `${c.guest} ${c.mode}`,
    guest: c.guest,
    args: [c.mode],
    exitCode: c.exitCode ?? 0,
    stdout: Buffer.from(stdout),
    stderr: Buffer.from(c.stderr ?? ''),
    maxInsns: MAX_INSNS,
  };
}

const judge = (c: ModeCase): 'qemu' | 'native' => c.linux ?? 'qemu';

function runLinux(c: ModeCase, inv: Invocation): GuestResult {
  const opts = { argv0: inv.path, env: inv.env, ...(inv.stdin ? { stdin: inv.stdin } : {}) };
  return judge(c) === 'qemu' ? runQemu(guestPath(c.guest), inv.args, opts) : runNative(c.guest, inv.args, opts);
}

function check(c: ModeCase): void {
  const oc = oracleCase(c);
  const inv = invocation(oc, ENV);
  const real = runLinux(c, inv);
  expectLinuxAsExpected(real, oc, judge(c) === 'qemu' ? 'qemu' : 'native Linux');
  expectProcsimSame(oc, inv, real);
}

oracleSuite('process model: procsim vs qemu-riscv64', ['cross-gcc', 'qemu'], () => {
  for (const c of CASES.filter((k) => judge(k) === 'qemu')) it(`${c.guest} ${c.mode}`, () => check(c));

  // The mode dispatcher itself: bad command lines are refused the same way.
  const usage: OracleCase[] = [
    {
      guest: 'pm-wait',
      exitCode: 2,
      stdout: Buffer.alloc(0),
      stderr: /^usage: \/bin\/pm-wait MODE\.\.\.\nmodes: status wnohang echild many selectors waitid cycles\n$/,
      maxInsns: MAX_INSNS,
    },
    {
      guest: 'pm-wait',
      args: ['echild', 'bogus'],
      exitCode: 2,
      stdout: /^== echild ==\n[^]*wait\(\) again: -1 ECHILD\n$/,
      stderr: /^\/bin\/pm-wait: unknown mode 'bogus'\n$/,
      maxInsns: MAX_INSNS,
    },
  ];
  for (const oc of usage) it(caseLabel(oc), () => expectSameAsQemu(oc, ENV));
});

oracleSuite('process model: procsim vs native Linux', ['cross-gcc', 'native-gcc'], () => {
  for (const c of CASES.filter((k) => judge(k) === 'native')) it(`${c.guest} ${c.mode}`, () => check(c));
});
