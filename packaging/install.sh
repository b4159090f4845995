#!/bin/sh
# Install auditsh in its protected (setuid) mode, or remove it. Idempotent: running it twice
# leaves the same system as running it once, and an existing config is never overwritten.
#
#   packaging/install.sh [--bindir DIR] [--binary PATH] [--log-binary PATH]
#   packaging/install.sh --uninstall [--bindir DIR] [--purge]
#
# What it sets up (see README, "Installed mode"):
#   - a system account and group `auditsh` (no login, no home of its own)
#   - /var/log/auditsh, owned auditsh:auditsh, mode 0750 (readers: root and the auditsh group)
#   - /etc/auditsh/auditsh.toml, root-owned, the documented defaults (kept if it exists)
#   - DIR/auditsh setuid and setgid auditsh (mode 6755), DIR/auditsh-log (0755)
#   - DIR/auditsh listed in /etc/shells
# --uninstall removes the binaries and the /etc/shells line; --purge also removes the config,
# the records and the account.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
bindir=/usr/bin
# The binaries: the static musl build when it is there and not older than the default build
# (README, "Installed mode": it starts faster), else the default build (the target named in
# .cargo/config.toml).
release=$top/target/x86_64-unknown-linux-gnu/release
[ -d "$release" ] || release=$top/target/release
musl=$top/target/x86_64-unknown-linux-musl/release
if [ -x "$musl/auditsh" ] && [ -x "$musl/auditsh-log" ] && ! [ "$release/auditsh" -nt "$musl/auditsh" ]; then
    release=$musl
fi
binary=$release/auditsh
log_binary=$release/auditsh-log
action=install
purge=no

while [ $# -gt 0 ]; do
    case $1 in
        --bindir) bindir=${2:?--bindir needs a directory}; shift 2 ;;
        --binary) binary=${2:?--binary needs a path}; shift 2 ;;
        --log-binary) log_binary=${2:?--log-binary needs a path}; shift 2 ;;
        --uninstall) action=uninstall; shift ;;
        --purge) purge=yes; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    echo "install.sh: must run as root" >&2
    exit 1
fi

shell=$bindir/auditsh
spool=/var/log/auditsh
confdir=/etc/auditsh

remove_shell_line() {
    if [ -f /etc/shells ] && grep -qx "$shell" /etc/shells; then
        grep -vx "$shell" /etc/shells > /etc/shells.auditsh-new || true
        cat /etc/shells.auditsh-new > /etc/shells
        rm -f /etc/shells.auditsh-new
    fi
}

if [ "$action" = uninstall ]; then
    rm -f "$shell" "$bindir/auditsh-log"
    remove_shell_line
    if [ "$purge" = yes ]; then
        rm -rf "$confdir" "$spool"
        if getent passwd auditsh >/dev/null; then userdel auditsh; fi
        if getent group auditsh >/dev/null; then groupdel auditsh; fi
    fi
    echo "auditsh removed from $bindir"
    exit 0
fi

if [ ! -x "$binary" ]; then
    echo "install.sh: $binary is missing: build it first (cargo build --release --target x86_64-unknown-linux-musl, or cargo build --release)" >&2
    exit 1
fi

if ! getent group auditsh >/dev/null; then
    groupadd --system auditsh
fi
if ! getent passwd auditsh >/dev/null; then
    useradd --system --gid auditsh --no-create-home --home-dir "$spool" \
        --shell /usr/sbin/nologin --comment "auditsh audit trail" auditsh
fi

install -d -o auditsh -g auditsh -m 0750 "$spool"
install -d -o root -g root -m 0755 "$confdir"
if [ ! -e "$confdir/auditsh.toml" ]; then
    install -o root -g root -m 0644 "$here/auditsh.toml" "$confdir/auditsh.toml"
fi

install -d -m 0755 "$bindir"
# Copy first, then set owner and mode: a setuid bit must never sit on a file still being written.
install -o root -g root -m 0755 "$binary" "$shell.new"
chown auditsh:auditsh "$shell.new"
chmod 6755 "$shell.new"
mv -f "$shell.new" "$shell"
if [ -x "$log_binary" ]; then
    install -o root -g root -m 0755 "$log_binary" "$bindir/auditsh-log"
else
    echo "install.sh: $log_binary is missing: auditsh-log not installed" >&2
fi

touch /etc/shells
if ! grep -qx "$shell" /etc/shells; then
    echo "$shell" >> /etc/shells
fi

echo "auditsh installed: $shell (setuid auditsh), records in $spool, config $confdir/auditsh.toml"
