// Real Linux, the judge: run a riscv64 guest under qemu-riscv64, or a host program standing in
// for one, and report what it did; and find the tools that needs, naming the fix when one is
// missing. No vitest here: the bench uses these too (test/support/oracle.ts has the suites).
import { spawnSync, type SpawnSyncOptionsWithBufferEncoding } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

export type OracleTool = 'cross-gcc' | 'cross-binutils' | 'qemu' | 'native-gcc';

const TOOLS: Record<OracleTool, { command: string; pkg: string }> = {
  'cross-gcc': { command: 'riscv64-linux-gnu-gcc', pkg: 'gcc-riscv64-linux-gnu' },
  // as and objcopy (test/support/rv-asm.test.ts); the cross gcc depends on them.
  'cross-binutils': { command: 'riscv64-linux-gnu-as', pkg: 'binutils-riscv64-linux-gnu' },
  qemu: { command: 'qemu-riscv64', pkg: 'qemu-user' },
  // The host compiler, with the static C library, for guests run natively (test/support/native.ts).
  'native-gcc': { command: 'gcc', pkg: 'gcc libc6-dev' },
};

const found = new Map<string, string | null>();

/** Absolute path of a command on PATH, or null. Cached: tool lookups happen per suite. */
export function which(command: string): string | null {
  if (!found.has(command)) {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
    const path = r.status === 0 ? r.stdout.trim() : '';
    found.set(command, path.startsWith('/') ? path : null);
  }
  return found.get(command) ?? null;
}

/** Why `name` cannot run (one line naming the fix), or null when every tool it needs is there. */
export function requireOracle(name: string, needs: readonly OracleTool[]): string | null {
  const missing = needs.filter((t) => which(TOOLS[t].command) === null);
  if (missing.length === 0) return null;
  const commands = missing.map((t) => TOOLS[t].command).join(', ');
  const pkgs = missing.map((t) => TOOLS[t].pkg).join(' ');
  return `${name}: ${commands} not found (fix: apt-get install ${pkgs})`;
}

/** How a guest is started on a real Linux: qemu-riscv64, or natively (test/support/native.ts). */
export interface QemuOptions {
  /** argv[0] as the guest sees it (default: the binary's path). */
  argv0?: string;
  /** The guest's whole environment, as "NAME=value" strings in order (default: empty). */
  env?: readonly string[];
  stdin?: Uint8Array | string;
  timeoutMs?: number;
}

export interface GuestResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status, or 128 + signal number when a signal killed the guest (like a shell). */
  exitCode: number;
  signal?: number;
}

// Printed by qemu versions that can write a guest core file, after a guest is killed by a
// signal with core dumps enabled; real Linux prints nothing, so it is not guest stderr.
const QEMU_CORE_LINE = /qemu: uncaught target signal \d+ \([^)]*\) - core dumped\n$/;

/**
 * A guest environment ("NAME=value" strings) as a host one, in the same order. A host
 * environment cannot carry a name twice, which a guest's could: that is refused.
 */
export function hostEnv(entries: readonly string[], who: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`${who}: bad environment entry '${entry}' (want NAME=value)`);
    const name = entry.slice(0, eq);
    if (Object.hasOwn(env, name)) throw new Error(`${who}: environment names ${name} twice`);
    env[name] = entry.slice(eq + 1);
  }
  return env;
}

export interface HostRunOptions {
  argv0: string;
  /** The whole environment; a function gets the scratch working directory first. */
  env: Record<string, string> | ((cwd: string) => Record<string, string>);
  stdin?: Uint8Array | string;
  timeoutMs?: number;
}

// Host tools of the sandbox, by absolute path (the run's environment is the guest's).
const SANDBOX = { unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', perl: '/usr/bin/perl' };
/** The unprivileged uid and gid a sandboxed run has (nobody). */
const SANDBOX_UID = 65534;

// pid 1 of a sandboxed run's PID namespace: takes a count N and N NAME=value arguments as
// the whole environment (in order: perl appends each new variable to environ), then FILE
// ARGV0 ARGS...; runs that as its only child, in a session of its own (pid = pgid = sid, as
// without the sandbox), reaps every orphan, and writes the child's wait status to fd 3
// ("exit N" or "signal N"). The program is not pid 1 itself: a namespace's
// init ignores signals it has no handler for, and a guest killing itself must die of it.
const REAPER = String.raw`
use POSIX ();
open(my $out, ">&=", 3) or exit 1;
%ENV = ();
for (1 .. shift @ARGV) { my ($n, $v) = split /=/, shift(@ARGV), 2; $ENV{$n} = $v }
my $file = shift @ARGV;
my $pid = fork;
defined $pid or do { print $out "sandbox: fork: $!\n"; exit 1 };
if (!$pid) { POSIX::close(3); POSIX::setsid(); exec { $file } @ARGV; exit 127 }
my $st;
while ((my $w = waitpid(-1, 0)) > 0) { if ($w == $pid) { $st = $?; last } }
defined $st or do { print $out "sandbox: lost the program (waitpid: $!)\n"; exit 1 };
print $out (($st & 127) ? "signal " . ($st & 127) : "exit " . ($st >> 8)), "\n";
exit 0;
`;

/**
 * Runs a host program as a guest's stand-in and reports what it did. It runs in a scratch
 * working directory of its own (with core dumps enabled, a process killed by a signal leaves
 * a core file there) and in a new session and process group, without a controlling terminal,
 * which it and whatever it left behind (children blocked for ever after a failure, say) lose
 * to SIGKILL once it is done. Run as root, it is sandboxed: a PID namespace of its own (the
 * namespace dies with its reaper, REAPER, taking every leftover with it) as uid/gid 65534
 * without groups, so nothing it does (kill(-1), a runaway fork) reaches the machine; inside
 * a user namespace where that uid is root, so it still sees uid 0 (a root shell's prompt, as
 * procsim's processes, all root, see), without any privilege over the machine. Its files
 * must be readable by others.
 */
export function runHostProgram(who: string, file: string, args: readonly string[], opts: HostRunOptions): GuestResult {
  const scratch = mkdtempSync(join(tmpdir(), 'procsim-oracle-'));
  const sandboxed = process.getuid?.() === 0;
  let r;
  try {
    const env = typeof opts.env === 'function' ? opts.env(scratch) : opts.env;
    if (sandboxed) chownSync(scratch, SANDBOX_UID, SANDBOX_UID);
    const [command, argv] = sandboxed
      ? [SANDBOX.unshare, [
          '--pid', '--fork', '--kill-child', '--mount-proc',
          SANDBOX.setpriv, `--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups',
          SANDBOX.unshare, '--user', '--map-root-user',
          SANDBOX.perl, '-e', REAPER, String(Object.keys(env).length), ...Object.entries(env).map(([n, v]) => `${n}=${v}`), file, opts.argv0, ...args,
        ]]
      : [file, [...args]];
    // spawnSync honours `detached` (setsid in the child) though its types leave it out.
    const options: SpawnSyncOptionsWithBufferEncoding & { detached: boolean } = {
      argv0: sandboxed ? SANDBOX.unshare : opts.argv0,
      cwd: scratch,
      env: sandboxed ? {} : env,
      input: opts.stdin ?? Buffer.alloc(0),
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      maxBuffer: 256 << 20,
      timeout: opts.timeoutMs ?? 60_000,
      detached: true,
    };
    r = spawnSync(command, argv, options);
  } finally {
    if (r?.pid) killGroup(r.pid);
    rmSync(scratch, { recursive: true, force: true });
  }
  if (r.error) throw new Error(`${who}: ${r.error.message}`);
  let signal = r.signal !== null ? constants.signals[r.signal] : undefined;
  let status = r.status;
  if (sandboxed && signal === undefined) {
    const report = r.output[3]?.toString() ?? '';
    const m = /^(exit|signal) (\d+)\n$/.exec(report);
    if (m === null) throw new Error(`${who}: the sandbox ended without the program's status (${report.trim() || r.stderr.toString().trim() || 'no message'}; status ${r.status})`);
    if (m[1] === 'signal') signal = Number(m[2]);
    else status = Number(m[2]);
  }
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: signal !== undefined ? 128 + signal : (status ?? -1),
    ...(signal !== undefined ? { signal } : {}),
  };
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of it is left, the usual case
  }
}

/** Runs a riscv64 Linux binary under qemu-riscv64 with exactly the given argv and env. */
export function runQemu(binPath: string, args: readonly string[], opts: QemuOptions = {}): GuestResult {
  const qemu = which(TOOLS.qemu.command);
  if (qemu === null) throw new Error(requireOracle('runQemu', ['qemu']) ?? 'qemu-riscv64 missing');
  // qemu-user builds the guest environment by pushing each host entry to the front of a
  // list, so the guest sees the host order reversed: hand it the reverse.
  const env = hostEnv([...(opts.env ?? [])].reverse(), 'runQemu');
  const r = runHostProgram(`runQemu ${binPath}`, qemu, ['-0', opts.argv0 ?? binPath, binPath, ...args], {
    argv0: qemu,
    env,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  if (r.signal === undefined) return r;
  return { ...r, stderr: Buffer.from(r.stderr.toString('latin1').replace(QEMU_CORE_LINE, ''), 'latin1') };
}
