// Real Linux, the judge of dynamically linked riscv64 programs: runs a command in the Debian
// riscv64 root filesystem of `npm run rootfs` (.cache/rootfs/root, scripts/fetch-rootfs.sh)
// as root of a private user namespace, where EVERY process is a riscv64 program under qemu.
//
// Plain `qemu-riscv64 -L ROOT` is no oracle for these: whatever the guest execs runs as a
// HOST (amd64) program of the same path. Here instead, per run:
//   - outside: a new PID namespace as real root, then uid/gid 65534 with no groups (setpriv),
//     so nothing the guest does (`rm -rf /`, `kill -1`) reaches the machine;
//   - inside: a user namespace (65534 -> root), its own mount, PID and UTS namespaces
//     (hostname procsim, as procsim's uname); a private binfmt_misc (Linux >= 6.7) with
//     qemu-riscv64-static registered for riscv64 ELF with flags PF (P: argv[0] as given;
//     F: the interpreter is opened now, so it works in the chroot, being static);
//   - the root: an overlay whose lower layer is the cached tree (owned by uid 65534, so every
//     file is root's inside, as in a real Debian root) and whose upper layer is a scratch
//     directory, so a run writes anywhere (/tmp, /root, /etc) and the cache never changes;
//     /proc of the new PID namespace, a small /dev (null zero full random urandom tty, fd,
//     stdin/stdout/stderr, shm), /sys from the host;
//   - the command runs chrooted there with exactly the given environment, in a new session
//     (pid = pgid = sid = 2), as the only child of a small reaper, pid 1 of the namespace
//     (the host's perl: it reaps orphans and reports the command's exact wait status). A
//     guest as pid 1 would ignore signals it has no handler for, and qemu, which dies of a
//     guest's fatal signal by raising it on itself, would hang. When the command exits,
//     whatever it left running is killed with the namespace.
// What qemu-user shows differently from a riscv64 machine, to keep out of golden files: pids
// advance faster (qemu's own threads take pids: the command is 2, its first child 4); qemu
// answers /proc/self/{stat,maps,exe,cmdline,auxv} itself (in /proc/self/stat most fields
// after ppid are 0); uname -r is the host's kernel.
// No vitest here: the bench and scripts/fetch-rootfs.sh use it too (the latter through the
// command line at the end, for ldconfig and python's byte-compilation in the tree itself).
import { spawnSync, type SpawnSyncOptionsWithBufferEncoding } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './guests.ts';
import { DEBIAN_ROOTFS } from '../../src/sim/scenarios.ts';
import type { GuestResult } from './real-linux.ts';

const ROOTFS_DIR = join(REPO_ROOT, '.cache', 'rootfs');
/** The cached Debian riscv64 tree (read-only to the runs: they see it through an overlay). */
export const ROOTFS_ROOT = DEBIAN_ROOTFS;
/** Written last by scripts/fetch-rootfs.sh: the tree is complete. */
export const ROOTFS_STAMP = join(ROOTFS_DIR, 'STAMP');
/** Debian trixie's statically linked qemu-riscv64 (package qemu-user, amd64). */
export const ROOTFS_QEMU = join(ROOTFS_DIR, 'qemu', 'qemu-riscv64-static');

/** The unprivileged uid (and gid) the runs start as; root of their user namespace. */
export const GUEST_HOST_UID = 65534;

export interface RootfsRunOptions {
  /** Working directory inside the root (default /root). */
  cwd?: string;
  /** The guest's whole environment, "NAME=value" strings in order, each name once (default: empty). */
  env?: readonly string[];
  stdin?: Uint8Array | string;
  /** Wall-clock limit (default 60 s); past it the whole namespace is killed and this throws. */
  timeoutMs?: number;
  /** The tree (default: ROOTFS_ROOT). */
  root?: string;
  /** The riscv64 interpreter registered in binfmt_misc (default: ROOTFS_QEMU). */
  qemu?: string;
  /**
   * Write into the tree itself instead of an overlay on it (scripts/fetch-rootfs.sh, while it
   * builds the tree). Never on ROOTFS_ROOT from a test.
   */
  writable?: boolean;
}

export interface RootfsResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status, or null when a signal killed the command. */
  status: number | null;
  /** Name of the signal that killed the command ("SIGSEGV"), or null. */
  signal: string | null;
}

/** A run as the oracle helpers take it: exit status, or 128 + signal number, and the signal. */
export function asGuestResult(r: RootfsResult): GuestResult {
  const signal = r.signal !== null ? constants.signals[r.signal as keyof typeof constants.signals] : undefined;
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: signal !== undefined ? 128 + signal : (r.status ?? -1),
    ...(signal !== undefined ? { signal } : {}),
  };
}

// The standard riscv64 ELF entry (qemu's binfmt.d/qemu-riscv64.conf): 64-bit little-endian
// ELF, e_type EXEC or DYN, e_machine EM_RISCV (243).
const RISCV64_MAGIC = '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00';
const RISCV64_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';

// Host tools, by absolute path: the run's environment is the guest's, without a PATH.
const HOST = {
  unshare: '/usr/bin/unshare',
  setpriv: '/usr/bin/setpriv',
  sh: '/bin/sh',
};

// Exit status of the setup script when it fails; its message is on fd 3, never the guest's.
const SETUP_FAILED = 121;

// pid 1 of the run's PID namespace: runs the command (ARGV after the time limit in seconds) as
// its child, reaps every orphan, and when the command is done writes its wait status to fd 3
// ("exit N" or "signal N"), or "timeout" when the limit passes first; then exits, and the
// namespace, with whatever is left in it, is gone.
const REAPER = String.raw`
use POSIX ();
open(my $out, ">&=", 3) or exit 1;
my $limit = shift @ARGV;
my $pid = fork;
defined $pid or do { print $out "rootfs-linux: fork: $!\n"; exit 1 };
if (!$pid) { POSIX::close(3); exec { $ARGV[0] } @ARGV; exit 127 }
$SIG{ALRM} = sub { print $out "timeout\n"; exit 0 };
alarm $limit;
my $st;
while ((my $w = waitpid(-1, 0)) > 0) { if ($w == $pid) { $st = $?; last } }
alarm 0;
defined $st or do { print $out "rootfs-linux: lost the command (waitpid: $!)\n"; exit 1 };
print $out (($st & 127) ? "signal " . ($st & 127) : "exit " . ($st >> 8)), "\n";
exit 0;
`;

// Runs as root of the new user namespace, in its mount and UTS namespaces: builds the root,
// then starts the reaper (and through it the command) in a new PID namespace with its /proc.
// $1 root, $2 qemu, $3 scratch, $4 writable (0/1), $5 time limit (s), then NAME=value... argv...
const INNER = String.raw`
PATH=/usr/sbin:/usr/bin:/sbin:/bin
fail() { echo "rootfs-linux: $*" >&3; exit ${SETUP_FAILED}; }
R=$1 Q=$2 S=$3 W=$4 T=$5
shift 5
M=$S/root
mkdir -p "$S/binfmt" "$M" || fail "cannot create directories in $S"
mount -t binfmt_misc binfmt_misc "$S/binfmt" 2>/dev/null ||
  fail "cannot mount binfmt_misc in a user namespace (needs Linux >= 6.7)"
printf '%s' ':riscv64:M::${RISCV64_MAGIC}:${RISCV64_MASK}:'"$Q"':PF' >"$S/binfmt/register" ||
  fail "cannot register $Q in the private binfmt_misc"
if [ "$W" = 1 ]; then
  mount --bind "$R" "$M" || fail "cannot bind-mount $R"
else
  mkdir -p "$S/upper" "$S/work" || fail "cannot create directories in $S"
  # The merged / shows the upper directory's mode and times: the tree's, until a run writes.
  chmod --reference="$R" "$S/upper" && touch -r "$R" "$S/upper" || fail "cannot set up $S/upper"
  mount -t overlay overlay -o "lowerdir=$R,upperdir=$S/upper,workdir=$S/work,userxattr" "$M" 2>/dev/null ||
    fail "cannot mount an overlay on $R in a user namespace"
fi
mount --rbind /sys "$M/sys" || fail "cannot bind-mount /sys"
mount -t tmpfs -o mode=755,size=1m tmpfs "$M/dev" || fail "cannot mount /dev"
for d in null zero full random urandom tty; do
  : >"$M/dev/$d" && mount --bind "/dev/$d" "$M/dev/$d" || fail "cannot bind-mount /dev/$d"
done
mkdir "$M/dev/shm" && mount -t tmpfs -o mode=1777 tmpfs "$M/dev/shm" || fail "cannot mount /dev/shm"
ln -s /proc/self/fd "$M/dev/fd" && ln -s /proc/self/fd/0 "$M/dev/stdin" &&
  ln -s /proc/self/fd/1 "$M/dev/stdout" && ln -s /proc/self/fd/2 "$M/dev/stderr" || fail "cannot populate /dev"
hostname procsim || fail "cannot set the hostname (sethostname in a UTS namespace of its own)"
[ -x /usr/bin/perl ] || fail "/usr/bin/perl not found (the reaper; apt-get install perl-base)"
# env -i: exactly the guest's environment; setsid: a session of its own; unshare --root:
# chroot and chdir, then execvp of the command in the tree (qemu runs it, via binfmt_misc).
exec /usr/bin/unshare --pid --fork --kill-child --mount-proc="$M/proc" /usr/bin/perl -e '${REAPER}' "$T" /usr/bin/env -i "$@"
`;

function runOptions(opts: RootfsRunOptions, scratch: string, timeoutMs: number): string[] {
  const root = resolve(opts.root ?? ROOTFS_ROOT);
  const qemu = resolve(opts.qemu ?? ROOTFS_QEMU);
  return [root, qemu, scratch, opts.writable ? '1' : '0', String(Math.max(1, Math.ceil(timeoutMs / 1000)))];
}

/**
 * Runs argv (argv[0] is looked up on the guest's PATH in the tree, or /bin:/usr/bin without
 * one) in the riscv64 root filesystem on real Linux, every process under qemu, and reports
 * what it did. Throws when the runner itself cannot set up (the reason, with the fix) or the
 * run times out.
 */
export function runInRootfsLinux(argv: readonly string[], opts: RootfsRunOptions = {}): RootfsResult {
  if (argv.length === 0) throw new Error('runInRootfsLinux: empty argv');
  if (argv[0].includes('=')) throw new Error(`runInRootfsLinux: argv[0] '${argv[0]}' contains '=' (env would take it for a variable)`);
  const env = [...(opts.env ?? [])];
  const names = new Set<string>();
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new Error(`runInRootfsLinux: bad environment entry '${e}' (want NAME=value)`);
    if (names.has(e.slice(0, eq))) throw new Error(`runInRootfsLinux: the environment names ${e.slice(0, eq)} twice (env -i would keep one)`);
    names.add(e.slice(0, eq));
  }
  const cwd = opts.cwd ?? '/root';
  if (!cwd.startsWith('/')) throw new Error(`runInRootfsLinux: cwd '${cwd}' is not absolute`);
  // qemu 10 (unlike the 7.2 of runQemu) hands a program its environment in the order given.
  const guestEnv = env;

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const scratch = mkdtempSync(join(tmpdir(), 'procsim-rootfs-'));
  let r;
  try {
    chownSync(scratch, GUEST_HOST_UID, GUEST_HOST_UID);
    const args = [
      '--pid', '--fork', '--kill-child', '--mount-proc',
      HOST.setpriv, `--reuid=${GUEST_HOST_UID}`, `--regid=${GUEST_HOST_UID}`, '--clear-groups',
      HOST.unshare, '--user', '--map-root-user', '--mount', '--uts',
      HOST.sh, '-c', INNER, 'rootfs-linux', ...runOptions(opts, scratch, timeoutMs),
      ...guestEnv, '/usr/bin/setsid', HOST.unshare, `--root=${join(scratch, 'root')}`, `--wd=${cwd}`, '--', ...argv,
    ];
    // detached: a process group of its own, killed as a whole once done. The namespaces die
    // with their first process (pid 1 of the outer one), but unshare --kill-child cannot
    // arrange that across setpriv (a credential change clears the parent-death signal).
    const options: SpawnSyncOptionsWithBufferEncoding & { detached: boolean } = {
      cwd: scratch,
      env: {},
      input: opts.stdin ?? Buffer.alloc(0),
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      maxBuffer: 256 << 20,
      // A backstop: the reaper keeps the limit and ends the run cleanly.
      timeout: timeoutMs + 10_000,
      killSignal: 'SIGKILL',
      detached: true,
    };
    r = spawnSync(HOST.unshare, args, options);
  } finally {
    if (r?.pid) killGroup(r.pid);
    rmSync(scratch, { recursive: true, force: true });
  }
  const who = `runInRootfsLinux ${argv.join(' ')}`;
  if (r.error) {
    const timedOut = (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    throw new Error(timedOut ? `${who}: timed out after ${timeoutMs} ms (the reaper did not end it)` : `${who}: ${r.error.message}`);
  }
  const report = r.output[3]?.toString() ?? '';
  const setup = report.split('\n').find((l) => l.startsWith('rootfs-linux: '));
  if (setup !== undefined) throw new Error(setup);
  if (report === 'timeout\n') throw new Error(`${who}: timed out after ${timeoutMs} ms`);
  const m = /^(exit|signal) (\d+)\n$/.exec(report);
  if (m === null) {
    const why = `${r.stderr.toString().trim() || 'no message'}; status ${r.status}, signal ${r.signal}`;
    throw new Error(`rootfs-linux: the run ended without the command's status (${why})`);
  }
  const n = Number(m[2]);
  if (m[1] === 'exit') return { stdout: r.stdout, stderr: r.stderr, status: n, signal: null };
  const name = Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `SIG${n}`;
  return { stdout: r.stdout, stderr: r.stderr, status: null, signal: name };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of it is left, the usual case
  }
}

let unavailable: string | null | undefined;

/**
 * Why runInRootfsLinux cannot run here (one line naming the fix), or null when it can. Checks
 * the built tree, qemu and the host tools, then runs `true` in the tree once (user and PID
 * namespaces, binfmt_misc, overlay). Cached.
 */
export function rootfsLinuxUnavailable(): string | null {
  if (unavailable === undefined) unavailable = probe();
  return unavailable;
}

function probe(): string | null {
  if (process.platform !== 'linux') return 'rootfs-linux: needs Linux';
  if (process.getuid?.() !== 0) return 'rootfs-linux: needs root, to drop to uid 65534 in a PID namespace of its own (run the tests as root)';
  if (!existsSync(ROOTFS_STAMP) || !existsSync(ROOTFS_ROOT)) return 'rootfs-linux: .cache/rootfs not built (fix: npm run rootfs)';
  if (!existsSync(ROOTFS_QEMU)) return `rootfs-linux: ${ROOTFS_QEMU} missing (fix: npm run rootfs)`;
  for (const tool of [HOST.unshare, HOST.setpriv, '/usr/bin/setsid', '/usr/bin/env', '/usr/bin/perl', '/usr/bin/hostname']) {
    if (!existsSync(tool)) return `rootfs-linux: ${tool} not found (fix: apt-get install util-linux coreutils perl-base hostname)`;
  }
  try {
    const r = runInRootfsLinux(['true'], { timeoutMs: 30_000 });
    if (r.status !== 0) return `rootfs-linux: \`true\` in the tree failed (status ${r.status}, signal ${r.signal}): ${r.stderr.toString().trim()}`;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
  return null;
}

// Command line, for scripts/fetch-rootfs.sh:
//   tsx test/support/rootfs-linux.ts [--root DIR] [--qemu FILE] [--writable] [--cwd DIR] -- ARGV...
// with the guest environment PATH=/usr/sbin:/usr/bin:/sbin:/bin, the standard streams passed
// through (as buffers), and the command's exit status (128 + n for a signal).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts: RootfsRunOptions = {};
  const args = process.argv.slice(2);
  const sep = args.indexOf('--');
  if (sep < 0 || sep === args.length - 1) {
    console.error('usage: rootfs-linux.ts [--root DIR] [--qemu FILE] [--writable] [--cwd DIR] -- ARGV...');
    process.exit(2);
  }
  for (let i = 0; i < sep; i++) {
    const a = args[i];
    if (a === '--writable') opts.writable = true;
    else if (a === '--root' && i + 1 < sep) opts.root = args[++i];
    else if (a === '--qemu' && i + 1 < sep) opts.qemu = args[++i];
    else if (a === '--cwd' && i + 1 < sep) opts.cwd = args[++i];
    else {
      console.error(`rootfs-linux.ts: unknown option '${a}'`);
      process.exit(2);
    }
  }
  opts.env = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'];
  opts.timeoutMs = 30 * 60_000;
  try {
    const r = asGuestResult(runInRootfsLinux(args.slice(sep + 1), opts));
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
