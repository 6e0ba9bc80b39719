# Sourced by the fetch scripts: an apt that reads and writes only under one directory.
#
# private_apt DIR NATIVE_ARCH "ARCH..." [EXTRA_APT_CONF_LINE...]
#   Lays out DIR as apt's whole world (its own sources list for $MIRROR $SUITE signed by
#   $KEYRING, lists, cache, an empty dpkg status, no system config parts) and exports
#   APT_CONFIG, which apt reads before anything else: /etc/apt and /var/lib/apt are neither
#   used nor touched, and root is not needed to fetch.
private_apt() {
  local dir="$1" native="$2" archs="$3"
  shift 3
  rm -rf "$dir"
  mkdir -p "$dir/etc/apt.conf.d" "$dir/etc/preferences.d" "$dir/etc/sources.list.d" \
    "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/log"
  : >"$dir/status"
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$dir/etc/sources.list"
  local list="" a
  for a in $archs; do list+="\"$a\"; "; done
  {
    cat <<EOF
Dir::Etc "$dir/etc/";
Dir::Etc::main "$dir/etc/apt.conf";
Dir::Etc::parts "$dir/etc/apt.conf.d/";
Dir::Etc::sourcelist "$dir/etc/sources.list";
Dir::Etc::sourceparts "$dir/etc/sources.list.d/";
Dir::Etc::preferences "$dir/etc/preferences";
Dir::Etc::preferencesparts "$dir/etc/preferences.d/";
Dir::State "$dir/";
Dir::State::lists "$dir/lists/";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache/";
Dir::Cache::archives "$dir/cache/archives/";
Dir::Log "$dir/log/";
APT::Architecture "$native";
APT::Architectures { $list};
APT::Sandbox::User "$(id -un)";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
EOF
    local line
    for line in "$@"; do echo "$line"; done
  } >"$dir/apt.conf"
  touch "$dir/etc/apt.conf"
  export APT_CONFIG="$dir/apt.conf"
}
