// Where the guest programs live: every riscv64 guest, freestanding or static glibc, is
// committed in scenarios/guests/bin/ (rebuilt by `npm run guests`, or by the test global
// setup when a source is newer). The two lists mirror the ones in scenarios/guests/build.sh
// (a test keeps them in sync).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const GUEST_SRC_DIR = join(REPO_ROOT, 'scenarios', 'guests');
export const GUEST_BUILD_SCRIPT = join(GUEST_SRC_DIR, 'build.sh');
const GUEST_BIN_DIR = join(GUEST_SRC_DIR, 'bin');

export const FREESTANDING_GUESTS = [
  'hello',
  'exit-code',
  'cpu-loop',
  'mem-traffic',
  'echo-args',
  'cat',
  'write-stderr',
  'fault',
  'ill',
  'interp',
  'interp-sut',
] as const;
export const GLIBC_GUESTS = [
  'hello-glibc',
  'printf-float',
  'setjmp',
  'malloc-heavy',
  'file-io',
  'args-stdin',
  'fork-wait',
  'pm-identity',
  'pm-wait',
  'pm-exec',
  'pm-pipe',
  'pm-signal',
  'pm-spawn',
  'pm-orphan',
  'pm-order',
  'pm-bad',
  'pm-sched',
  'pm-rusage',
  'pm-mmap',
  'pm-lock',
  'pm-timer',
  'exec-child',
  'fork-touch',
  'planted-order',
  'planted-window',
  'fsinfo',
  'fault-bugs',
] as const;

type FreestandingGuest = (typeof FREESTANDING_GUESTS)[number];
export type GlibcGuest = (typeof GLIBC_GUESTS)[number];
export type GuestName = FreestandingGuest | GlibcGuest;
type GuestKind = 'freestanding' | 'glibc';

function guestKind(name: string): GuestKind {
  if ((FREESTANDING_GUESTS as readonly string[]).includes(name)) return 'freestanding';
  if ((GLIBC_GUESTS as readonly string[]).includes(name)) return 'glibc';
  throw new Error(`unknown guest '${name}' (see scenarios/guests/build.sh)`);
}

/** Host path of a guest binary. */
export function guestPath(name: GuestName): string {
  guestKind(name);
  return join(GUEST_BIN_DIR, name);
}

/** Source file of a guest. */
function guestSource(name: GuestName): string {
  guestKind(name);
  return join(GUEST_SRC_DIR, `${name}.c`);
}

/** Every file a guest binary is built from: its source, the headers it includes, build.sh. */
export function guestInputs(name: GuestName): string[] {
  const src = guestSource(name);
  const headers = [...readFileSync(src, 'latin1').matchAll(/^#include "([^"]+)"/gm)].map((m) =>
    join(GUEST_SRC_DIR, m[1]!),
  );
  return [src, ...headers, GUEST_BUILD_SCRIPT];
}

/** Whether bin, built from guest `name`, is missing or older than one of its inputs. */
export function isStale(bin: string, name: GuestName): boolean {
  if (!existsSync(bin)) return true;
  const built = statSync(bin).mtimeMs;
  return guestInputs(name).some((f) => statSync(f).mtimeMs > built);
}

/** The ELF bytes of a guest, or a one-line error saying how to get them. */
export function readGuest(name: GuestName): Uint8Array {
  const path = guestPath(name);
  if (!existsSync(path)) {
    const how =
      guestKind(name) === 'glibc'
        ? 'run `npm run guests` (needs riscv64-linux-gnu-gcc)'
        : 'it should be committed; rebuild with `npm run guests`';
    throw new Error(`guest binary ${path} is missing: ${how}`);
  }
  return readFileSync(path);
}
