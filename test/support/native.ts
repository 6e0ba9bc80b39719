// Real Linux without qemu: a glibc guest's C source built with the host gcc (build.sh native,
// into .cache/native/) and run as a host process. It is the judge where qemu-user cannot be:
// a guest exec'ing a guest binary (qemu-user has no binfmt_misc to run it with) and
// PR_SET_CHILD_SUBREAPER (qemu-user rejects it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GUEST_BUILD_SCRIPT, REPO_ROOT, isStale, type GlibcGuest } from './guests.ts';
import { hostEnv, runHostProgram, type GuestResult, type QemuOptions } from './real-linux.ts';

const NATIVE_BIN_DIR = join(REPO_ROOT, '.cache', 'native');

const nativePath = (name: GlibcGuest): string => join(NATIVE_BIN_DIR, name);

/** Builds the native twin of a guest unless it is up to date; returns its path. */
function buildNative(name: GlibcGuest): string {
  if (isStale(nativePath(name), name)) {
    const r = spawnSync('bash', [GUEST_BUILD_SCRIPT, 'native', name], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bash ${GUEST_BUILD_SCRIPT} native ${name} failed:\n${r.stderr}`);
  }
  return nativePath(name);
}

/**
 * Runs the native twin of a guest with exactly the given argv[0], arguments, environment
 * (in order) and stdin. Same result shape as runQemu.
 */
export function runNative(name: GlibcGuest, args: readonly string[], opts: QemuOptions = {}): GuestResult {
  const bin = buildNative(name);
  return runHostProgram(`runNative ${name}`, bin, args, {
    argv0: opts.argv0 ?? bin,
    env: hostEnv(opts.env ?? [], 'runNative'),
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}
