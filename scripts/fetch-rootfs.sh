#!/usr/bin/env bash
# Builds a Debian trixie riscv64 root filesystem from Debian's packages into .cache/rootfs/:
#   root/        the tree: dash bash coreutils findutils diffutils tar git python3-minimal
#                nodejs libc6 and their whole Depends/Pre-Depends closure, unpacked with
#                dpkg-deb -x, plus what the maintainer scripts would have made (usrmerge links,
#                /bin/sh -> dash, /etc/passwd and /etc/group, /tmp, /root, the python stdlib
#                byte-compiled with checked-hash .pyc); owned by uid 65534, root of the
#                oracle's user namespace
#   qemu/        qemu-riscv64-static: the statically linked qemu-riscv64 of trixie's qemu-user
#                (amd64), the interpreter the real-Linux oracle registers in its private
#                binfmt_misc (test/support/rootfs-linux.ts); static, so it runs in the chroot
#   debs/        the downloaded packages (a rebuild of the same lock needs no network)
#   STAMP        written last: the hash of the lock and of this script the tree was built from
#
# The exact versions come from scripts/rootfs.lock (one name:arch=version a line, sorted);
# `npm run rootfs -- --update-lock` re-resolves the closure against the mirror and rewrites it.
# Golden files of the workloads depend on those versions.
#
# apt runs with a private configuration under .cache/rootfs/apt/ (its own sources list, lists,
# cache, an EMPTY status file and no system config parts), as scripts/fetch-busybox.sh does:
# the system apt state is neither read nor written. Quiet when everything is in place; on
# failure, one line saying what to do.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=private-apt.sh
source "$root/scripts/private-apt.sh"
out="$root/.cache/rootfs"
lock="$root/scripts/rootfs.lock"
SUITE=trixie
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PACKAGES=(dash bash coreutils findutils diffutils tar git python3-minimal nodejs libc6)
QEMU_PKG=qemu-user
# The uid the oracle runs the guests as (root of its user namespace): it owns the tree, so
# inside the namespace every file is root's, as in a real Debian root filesystem.
GUEST_UID=65534

update_lock=0
for a in "$@"; do
  case "$a" in
    --update-lock) update_lock=1 ;;
    *) echo "fetch-rootfs: unknown argument '$a' (usage: npm run rootfs [-- --update-lock])" >&2; exit 2 ;;
  esac
done

fail() {
  echo "fetch-rootfs: $* (then rerun: npm run rootfs)" >&2
  exit 1
}

stamp_value() { cat "$lock" "${BASH_SOURCE[0]}" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# Done already: the stamp is written last, after every step succeeded, for this very lock.
if ((!update_lock)) && [[ -f "$lock" && -f "$out/STAMP" && "$(cat "$out/STAMP")" == "$(stamp_value)" ]]; then
  exit 0
fi

command -v apt-get >/dev/null || fail "apt-get not found: this script needs a Debian-like host with apt"
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (apt-get install dpkg)"
[[ -r "$KEYRING" ]] || fail "$KEYRING missing (apt-get install debian-archive-keyring)"
[[ $(id -u) == 0 ]] || fail "must run as root: the tree is handed to uid $GUEST_UID, the oracle's guest user"

start=$SECONDS
apt="$out/apt"
debs="$out/debs"
log="$out/fetch.log"
rm -f "$out/STAMP"
mkdir -p "$out" "$debs"
: >"$log"

setup_apt() {
  # riscv64 is the native architecture (the closure is resolved for it alone); amd64 is
  # there only for qemu-user, fetched by its exact name.
  private_apt "$apt" riscv64 "riscv64 amd64" 'APT::Install-Recommends "false";' 'APT::Install-Suggests "false";'
  apt-get -q update >>"$log" 2>&1 || fail "apt-get update of $MIRROR $SUITE failed (network or mirror problem? see $log)"
  ! grep -q '^[WE]:' "$log" || fail "apt-get update of $MIRROR $SUITE failed (network or mirror problem? see $log)"
}

# --update-lock (or no lock yet): resolve the closure with an empty dpkg status, so every
# Depends/Pre-Depends (and the Essential set apt adds to an empty system) is in it.
if ((update_lock)) || [[ ! -f "$lock" ]]; then
  setup_apt
  sim="$(apt-get -s -q install --no-install-recommends "${PACKAGES[@]}" 2>>"$log")" ||
    fail "apt-get cannot resolve ${PACKAGES[*]} for riscv64 in $SUITE (see $log)"
  resolved="$(sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' <<<"$sim" | sed 's/^\([^:=]*\)=/\1:riscv64=/')"
  [[ -n "$resolved" ]] || fail "apt-get resolved nothing for ${PACKAGES[*]} (see $log)"
  ! grep -v ':riscv64=' <<<"$resolved" >/dev/null || fail "the closure has foreign packages: $(grep -v ':riscv64=' <<<"$resolved" | tr '\n' ' ')"
  qv="$(apt-cache show --no-all-versions "$QEMU_PKG:amd64" 2>>"$log" | sed -n 's/^Version: //p')"
  [[ -n "$qv" ]] || fail "$QEMU_PKG:amd64 not found in $SUITE (see $log)"
  { echo "$resolved"; echo "$QEMU_PKG:amd64=$qv"; } | sort >"$lock.new"
  mv "$lock.new" "$lock"
  echo "fetch-rootfs: scripts/rootfs.lock: $(wc -l <"$lock") packages (commit it: golden files of the workloads depend on these versions)"
fi

mapfile -t locked < <(grep -v '^\s*\(#\|$\)' "$lock")
((${#locked[@]})) || fail "scripts/rootfs.lock is empty (run: npm run rootfs -- --update-lock)"

# The debs we have, as name:arch=version (dpkg-deb's own fields, not the file names).
have_debs() {
  local f
  for f in "$debs"/*.deb; do
    [[ -f "$f" ]] || continue
    dpkg-deb -f "$f" Package Architecture Version | awk -v f="$f" '
      /^Package:/ {p=$2} /^Architecture:/ {a=$2} /^Version:/ {v=$2}
      END {if (a == "all") a = "riscv64"; print p ":" a "=" v "\t" f}'
  done
}
declare -A file_of=()
while IFS=$'\t' read -r id f; do file_of[$id]="$f"; done < <(have_debs)

missing=()
for id in "${locked[@]}"; do [[ -n "${file_of[$id]:-}" ]] || missing+=("$id"); done
if ((${#missing[@]})); then
  [[ -n "${APT_CONFIG:-}" ]] || setup_apt
  for id in "${missing[@]}"; do
    name="${id%%:*}" ver="${id#*=}"
    # apt-cache show exits 0 for a version it does not have (an E: line on stderr).
    if ! grep -qxF "Version: $ver" <<<"$(apt-cache show "$id" 2>>"$log")"; then
      echo "fetch-rootfs: $name $ver no longer on the mirror; run: npm run rootfs -- --update-lock (golden files of the workloads depend on these versions)" >&2
      exit 1
    fi
  done
  (cd "$debs" && apt-get -q download "${missing[@]}" >>"$log" 2>&1) ||
    fail "apt-get download of ${#missing[@]} packages failed (see $log)"
  file_of=()
  while IFS=$'\t' read -r id f; do file_of[$id]="$f"; done < <(have_debs)
  for id in "${locked[@]}"; do [[ -n "${file_of[$id]:-}" ]] || fail "downloaded $id missing in $debs"; done
fi
# Debs of older locks are dropped.
declare -A keep=()
for id in "${locked[@]}"; do keep[${file_of[$id]}]=1; done
for f in "$debs"/*.deb; do [[ -n "${keep[$f]:-}" ]] || rm -f "$f"; done

# Unpack into a fresh tree; it replaces root/ only once complete.
new="$out/root.new"
rm -rf "$new" "$out/qemu.new"
mkdir -p "$new" "$out/qemu.new"
# Whatever is newer than this when the tree is done was made by this script, not unpacked.
marker="$out/unpack-start"
touch "$marker"
qemu_deb=""
for id in "${locked[@]}"; do
  if [[ "$id" == "$QEMU_PKG:amd64="* ]]; then
    qemu_deb="${file_of[$id]}"
    continue
  fi
  dpkg-deb -x "${file_of[$id]}" "$new" || fail "dpkg-deb -x ${file_of[$id]} failed"
done
[[ -n "$qemu_deb" ]] || fail "scripts/rootfs.lock has no $QEMU_PKG:amd64 (run: npm run rootfs -- --update-lock)"
# Only the one binary of the package (it has every target: 465 MB unpacked).
dpkg-deb --fsys-tarfile "$qemu_deb" | tar -x -C "$out/qemu.new" ./usr/bin/qemu-riscv64 ||
  fail "$qemu_deb has no usr/bin/qemu-riscv64"
mv "$out/qemu.new/usr/bin/qemu-riscv64" "$out/qemu.new/qemu-riscv64-static"
rm -rf "$out/qemu.new/usr"
"$out/qemu.new/qemu-riscv64-static" --version >/dev/null 2>&1 || fail "qemu-riscv64 from $qemu_deb does not run on this host"

# What the maintainer scripts would have done.
# usrmerge: /bin, /sbin, /lib (and /lib64 if anything uses it) are links into /usr; whatever a
# package still shipped under the old paths moves into /usr first.
for d in bin sbin lib lib64; do
  if [[ -L "$new/$d" ]]; then
    continue
  elif [[ -d "$new/$d" ]]; then
    mkdir -p "$new/usr/$d"
    cp -a "$new/$d/." "$new/usr/$d/"
    rm -rf "${new:?}/$d"
  elif [[ "$d" == lib64 && ! -d "$new/usr/lib64" ]]; then
    continue
  fi
  ln -s "usr/$d" "$new/$d"
done
[[ -e "$new/lib/ld-linux-riscv64-lp64d.so.1" ]] || fail "/lib/ld-linux-riscv64-lp64d.so.1 does not resolve in the tree"
ln -sfn dash "$new/usr/bin/sh"
# The alternatives the postinsts of debianutils and mawk install (the only provider each).
[[ -e "$new/usr/bin/which" || ! -e "$new/usr/bin/which.debianutils" ]] || ln -s which.debianutils "$new/usr/bin/which"
[[ -e "$new/usr/bin/awk" || ! -e "$new/usr/bin/mawk" ]] || ln -s mawk "$new/usr/bin/awk"
mkdir -p "$new/etc" "$new/tmp" "$new/root" "$new/proc" "$new/dev" "$new/sys" "$new/run" "$new/home" "$new/var/tmp"
chmod 1777 "$new/tmp" "$new/var/tmp"
chmod 700 "$new/root"
# base-passwd's postinst installs its master files when /etc/passwd and /etc/group are absent.
if [[ -f "$new/usr/share/base-passwd/passwd.master" && -f "$new/usr/share/base-passwd/group.master" ]]; then
  cp "$new/usr/share/base-passwd/passwd.master" "$new/etc/passwd"
  cp "$new/usr/share/base-passwd/group.master" "$new/etc/group"
else
  printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$new/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$new/etc/group"
fi
grep -q '^root:x:0:0:' "$new/etc/passwd" && grep -q '^nobody:x:65534:65534:' "$new/etc/passwd" || fail "/etc/passwd lacks root or nobody"
grep -q '^root:x:0:' "$new/etc/group" && grep -q '^nogroup:x:65534:' "$new/etc/group" || fail "/etc/group lacks root or nogroup"
chmod 644 "$new/etc/passwd" "$new/etc/group"
# libc-bin's postinst installs nsswitch.conf.
[[ -e "$new/etc/nsswitch.conf" || ! -f "$new/usr/share/libc-bin/nsswitch.conf" ]] || cp "$new/usr/share/libc-bin/nsswitch.conf" "$new/etc/nsswitch.conf"
[[ -e "$new/etc/os-release" ]] || fail "/etc/os-release missing (is base-files in scripts/rootfs.lock?)"

# Handed to the guest user: root of the oracle's user namespace.
chown -R "$GUEST_UID:$GUEST_UID" "$new"

# Python's byte-compilation runs in the tree itself, as a riscv64 program under qemu: the
# host's python has another bytecode magic number. Checked-hash .pyc: procsim's file times are
# virtual, so timestamp .pyc would look stale there and python would rewrite them every run.
# (No ldconfig: libc-bin is not in the closure; ld.so finds the libraries in its default
# directories, /usr/lib/riscv64-linux-gnu among them, without /etc/ld.so.cache.)
pyver="$(ls "$new/usr/lib" | grep -x 'python3\.[0-9]*' | sort -V | tail -n 1)"
[[ -n "$pyver" ]] || fail "no /usr/lib/python3.N in the tree"
tsx="$root/node_modules/.bin/tsx"
[[ -x "$tsx" ]] || fail "$tsx missing (run: npm ci)"
"$tsx" "$root/test/support/rootfs-linux.ts" --root "$new" --qemu "$out/qemu.new/qemu-riscv64-static" --writable -- \
  python3 -B -m compileall -f -q --invalidation-mode checked-hash "/usr/lib/$pyver" >>"$log" 2>&1 ||
  fail "python3 -m compileall in the riscv64 tree failed (see $log)"
[[ -n "$(find "$new/usr/lib/$pyver" -name 'subprocess.*.pyc' -print -quit)" ]] || fail "no .pyc for subprocess.py after compileall (see $log)"
# -B: the modules compileall itself imports get no timestamp .pyc first; -f: none is kept.
# Bytes 4..7 of a .pyc are its flags: 0 is a timestamp .pyc, stale under procsim's clock.
stale="$(find "$new/usr/lib/$pyver" -name '*.pyc' -exec sh -c 'for f; do [ "$(od -An -tx1 -j4 -N1 "$f" | tr -d " ")" = 00 ] && echo "$f"; done; true' sh {} + | head -n 1)"
[[ -z "$stale" ]] || fail "timestamp .pyc left by compileall: $stale (see $log)"

# What this script made gets one fixed time, base-files' (ls -l shows it; the golden files of
# the workloads must not depend on the day of the build).
when="$(stat -c %Y "$new/usr/lib/os-release")"
find "$new" -newer "$marker" -exec touch -h -d "@$when" {} +
rm -f "$marker"

rm -rf "$out/root" "$out/qemu"
mv "$new" "$out/root"
mv "$out/qemu.new" "$out/qemu"
# The package lists and apt's binary caches are big and needed no more.
rm -rf "$apt"
stamp_value >"$out/STAMP"
mb() { du -sm "$1" | cut -f1; }
echo "fetch-rootfs: ${#locked[@]} packages ($(mb "$debs") MB of .deb) unpacked into .cache/rootfs/root ($(mb "$out/root") MB) in $((SECONDS - start)) s"
