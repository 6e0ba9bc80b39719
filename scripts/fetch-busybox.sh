#!/usr/bin/env bash
# Fetches Debian trixie's busybox-static for riscv64 (the guest) and amd64 (its native twin,
# same version) into .cache/busybox/ and lays out:
#   riscv64/, amd64/   the extracted packages
#   rootfs/            a guest root: /bin/busybox (riscv64) + /bin/APPLET -> busybox,
#                      /etc/passwd, /etc/group, /tmp, /root
#   native-bin/        APPLET -> the amd64 busybox, a PATH for the native twin runs
#   VERSION            the package version
#
# apt runs with a private configuration under .cache/busybox/apt/ (its own sources list,
# lists, cache, status file and no system config parts), so the system apt state is never
# read for sources nor written, and root is not needed. Quiet when everything is in place;
# on failure, one line saying what to do.
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=private-apt.sh
source "$root/scripts/private-apt.sh"
out="$root/.cache/busybox"
SUITE=trixie
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

fail() {
  echo "fetch-busybox: $* (then rerun: npm run busybox)" >&2
  exit 1
}

# Done already: the stamp is written last, after every step succeeded.
[[ -f "$out/VERSION" && -x "$out/rootfs/bin/busybox" && -x "$out/native-bin/busybox" ]] && exit 0

command -v apt-get >/dev/null || fail "apt-get not found: this script needs a Debian-like host with apt"
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (apt-get install dpkg)"
[[ -r "$KEYRING" ]] || fail "$KEYRING missing (apt-get install debian-archive-keyring)"

apt="$out/apt"
rm -f "$out/VERSION"
private_apt "$apt" amd64 "amd64 riscv64"
mkdir -p "$apt/debs"

log="$apt/log/fetch.log"
apt-get -q update >"$log" 2>&1 || fail "apt-get update of $MIRROR $SUITE failed (network or mirror problem? see $log)"
grep -q '^[WE]:' "$log" && fail "apt-get update of $MIRROR $SUITE failed (network or mirror problem? see $log)"

# The candidate version of each architecture; the twin must be the very same build.
version_of() { apt-cache show --no-all-versions "busybox-static:$1" 2>>"$log" | sed -n 's/^Version: //p'; }
vr="$(version_of riscv64)"
va="$(version_of amd64)"
[[ -n "$vr" && -n "$va" ]] || fail "busybox-static not found in $SUITE for riscv64/amd64 (see $log)"
[[ "$vr" == "$va" ]] || fail "busybox-static versions differ: riscv64 $vr, amd64 $va (retry later: the mirror is mid-sync)"

(cd "$apt/debs" && apt-get -q download "busybox-static:riscv64=$vr" "busybox-static:amd64=$va" >>"$log" 2>&1) ||
  fail "apt-get download busybox-static $vr failed (see $log)"

declare -A bin
for arch in riscv64 amd64; do
  deb=("$apt/debs"/busybox-static_*_"$arch".deb)
  [[ -f "${deb[0]}" ]] || fail "downloaded package for $arch missing in $apt/debs"
  rm -rf "$out/$arch"
  dpkg-deb -x "${deb[0]}" "$out/$arch" || fail "dpkg-deb -x ${deb[0]} failed"
  # trixie is merged-/usr: the binary is usr/bin/busybox (bin/busybox before).
  for bb in usr/bin/busybox bin/busybox; do [[ -x "$out/$arch/$bb" ]] && break; done
  [[ -x "$out/$arch/$bb" ]] || fail "${deb[0]} has no usr/bin/busybox"
  bin[$arch]="$out/$arch/$bb"
done

applets="$("${bin[amd64]}" --list)" || fail "the amd64 busybox does not run on this host (${bin[amd64]} --list)"
[[ -n "$applets" ]] || fail "the amd64 busybox lists no applets"

rm -rf "$out/rootfs" "$out/native-bin"
mkdir -p "$out/rootfs/bin" "$out/rootfs/etc" "$out/rootfs/root" "$out/rootfs/tmp" "$out/native-bin"
chmod 1777 "$out/rootfs/tmp"
chmod 700 "$out/rootfs/root"
cp "${bin[riscv64]}" "$out/rootfs/bin/busybox"
cp "${bin[amd64]}" "$out/native-bin/busybox"
while IFS= read -r a; do
  [[ "$a" == busybox ]] && continue
  ln -s busybox "$out/rootfs/bin/$a"
  ln -s busybox "$out/native-bin/$a"
done <<<"$applets"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$out/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$out/rootfs/etc/group"

# The package lists and apt's binary caches are a couple of hundred MB, needed no more.
rm -rf "$apt/lists" "$apt/cache"
echo "$vr" >"$out/VERSION"
echo "fetch-busybox: busybox-static $vr (riscv64 + amd64) in .cache/busybox/"
