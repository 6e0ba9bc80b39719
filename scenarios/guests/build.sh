#!/usr/bin/env bash
# Builds the riscv64 guest programs.
#
#   build.sh                  every guest
#   build.sh free  [NAME...]  freestanding guests -> scenarios/guests/bin/  (committed)
#   build.sh glibc [NAME...]  glibc guests        -> scenarios/guests/bin/  (committed)
#   build.sh native NAME...   glibc guests built with the host gcc -> .cache/native/
#                             (real Linux runs what qemu-user cannot: exec of a guest binary
#                             from a guest, PR_SET_CHILD_SUBREAPER)
#   build.sh --list           prints "freestanding NAME" / "glibc NAME" for every guest
#
# FREE_OUT / GLIBC_OUT / NATIVE_OUT override the output directories (the tests rebuild the
# guests elsewhere to check that the committed binaries match their sources). Every riscv64
# guest is committed: golden traces are traces of these exact bytes, and `procsim gate` and
# `npm test` then need no cross toolchain.
#
# Output is byte-for-byte reproducible: sources are compiled by relative path from this
# directory, paths are remapped, and there is no build id or timestamp in the result.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# Freestanding guests link only rt/ (no libc).
FREESTANDING=(hello exit-code cpu-loop mem-traffic echo-args cat write-stderr fault ill interp interp-sut)
# glibc guests are static glibc programs.
GLIBC=(hello-glibc printf-float setjmp malloc-heavy file-io args-stdin fork-wait
  pm-identity pm-wait pm-exec pm-pipe pm-signal pm-spawn pm-orphan pm-order pm-bad pm-sched pm-rusage pm-mmap pm-lock pm-timer
  exec-child fork-touch planted-order planted-window fsinfo fault-bugs)

FREE_OUT="${FREE_OUT:-$here/bin}"
GLIBC_OUT="${GLIBC_OUT:-$here/bin}"
NATIVE_OUT="${NATIVE_OUT:-$root/.cache/native}"
CC="${CC:-riscv64-linux-gnu-gcc}"
HOST_CC="${HOST_CC:-gcc}"

COMMON=(-std=gnu11 -O2 -march=rv64gc -mabi=lp64d -Wall -Wextra
  "-ffile-prefix-map=$here=." -Wl,--build-id=none)
# No small-data sections: a read-only .srodata merged into .sdata would otherwise make ld
# put .rodata in a writable segment. separate-code gives R / R+X / R / RW segments.
FREE_FLAGS=("${COMMON[@]}" -ffreestanding -nostdlib -static -fno-pie -no-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-tree-loop-distribute-patterns -msmall-data-limit=0 -Wl,-z,separate-code -Irt)
RT_SOURCES=(rt/start.S rt/crt.c rt/fmt.c rt/string.c)
GLIBC_FLAGS=("${COMMON[@]}" -static)
NATIVE_FLAGS=(-std=gnu11 -O2 -Wall -Wextra -static "-ffile-prefix-map=$here=." -Wl,--build-id=none)

die() { echo "build.sh: $*" >&2; exit 1; }

member() { # member NAME LIST...
  local n="$1"; shift
  local x; for x in "$@"; do [[ "$x" == "$n" ]] && return 0; done
  return 1
}

# Link into a temporary name, then rename: a concurrent reader never sees half a binary.
install_bin() { # install_bin TMPFILE DEST
  chmod 755 "$1"
  mv -f "$1" "$2"
}

# Compile guest $1 into file $2, one function per kind (free, glibc, native).
compile_free() {
  member "$1" "${FREESTANDING[@]}" || die "unknown freestanding guest '$1'"
  (cd "$here" && "$CC" "${FREE_FLAGS[@]}" -o "$2" "$1.c" "${RT_SOURCES[@]}" -lgcc)
}
compile_glibc() {
  member "$1" "${GLIBC[@]}" || die "unknown glibc guest '$1'"
  (cd "$here" && "$CC" "${GLIBC_FLAGS[@]}" -o "$2" "$1.c" -lm)
}
compile_native() {
  member "$1" "${GLIBC[@]}" || die "unknown glibc guest '$1'"
  (cd "$here" && "$HOST_CC" "${NATIVE_FLAGS[@]}" -o "$2" "$1.c" -lm)
}

build() { # build KIND OUTDIR NAME...
  local kind="$1" out="$2" name tmp
  shift 2
  mkdir -p "$out"
  for name in "$@"; do
    tmp="$out/.$name.tmp.$$"
    "compile_$kind" "$name" "$tmp"
    install_bin "$tmp" "$out/$name"
    echo "built $out/$name"
  done
}

need_cc() {
  command -v "$CC" >/dev/null 2>&1 ||
    die "$CC not found (apt-get install gcc-riscv64-linux-gnu)"
}

case "${1:-all}" in
--list)
  for n in "${FREESTANDING[@]}"; do echo "freestanding $n"; done
  for n in "${GLIBC[@]}"; do echo "glibc $n"; done
  ;;
free)
  shift; need_cc
  if (($#)); then build free "$FREE_OUT" "$@"; else build free "$FREE_OUT" "${FREESTANDING[@]}"; fi
  ;;
glibc)
  shift; need_cc
  if (($#)); then build glibc "$GLIBC_OUT" "$@"; else build glibc "$GLIBC_OUT" "${GLIBC[@]}"; fi
  ;;
native)
  shift
  command -v "$HOST_CC" >/dev/null 2>&1 || die "$HOST_CC not found (apt-get install gcc)"
  (($#)) || die "native: name the guests to build"
  build native "$NATIVE_OUT" "$@"
  ;;
all)
  need_cc
  build free "$FREE_OUT" "${FREESTANDING[@]}"
  build glibc "$GLIBC_OUT" "${GLIBC[@]}"
  ;;
*)
  die "unknown command '$1' (use: free|glibc [NAME...], native NAME..., --list, or nothing for all)"
  ;;
esac
