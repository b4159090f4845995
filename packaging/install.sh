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
#   - where rsyslog is installed: /etc/rsyslog.d/auditsh.conf (records whole, with the sender's
#     kernel credentials, in /var/log/auditsh-syslog.log; see packaging/rsyslog/auditsh.conf),
#     and the annotation of the system socket turned on in /etc/rsyslog.conf
# --uninstall removes the binaries, the /etc/shells line and the rsyslog snippet; --purge also
# removes the config, the records and the account.
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
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
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
rsyslog_snippet=/etc/rsyslog.d/auditsh.conf
syslog_file=/var/log/auditsh-syslog.log
# imuxsock's line as Debian ships it, and as the annotation leaves it: the sender's kernel
# credentials (uid, gid, pid) are module parameters of the system socket, so they can only be
# set on this line, not from a snippet.
imuxsock_stock='module(load="imuxsock")'
imuxsock_annotated='module(load="imuxsock" SysSock.Annotate="on" SysSock.ParseTrusted="on")'

remove_shell_line() {
    if [ -f /etc/shells ] && grep -qx "$shell" /etc/shells; then
        grep -vx "$shell" /etc/shells > /etc/shells.auditsh-new || true
        cat /etc/shells.auditsh-new > /etc/shells
        rm -f /etc/shells.auditsh-new
    fi
}

# rsyslog must be told to apply a changed config; where systemd runs it, restart it.
restart_rsyslog() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        systemctl try-restart rsyslog.service || true
    elif pidof rsyslogd >/dev/null 2>&1; then
        echo "install.sh: restart rsyslogd for $rsyslog_snippet to take effect" >&2
    fi
}

# Records whole in syslog (maxMessageSize above max_record_bytes, rsyslog's 8 KiB default
# would cut every longer record) and the sender's credentials beside each.
install_rsyslog() {
    [ -d /etc/rsyslog.d ] || return 0
    max=$(sed -n 's/^[[:space:]]*max_record_bytes[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
        "$confdir/auditsh.toml" | tail -n 1)
    # The syslog header and an @cee: cookie need far less than this headroom.
    size=$(( ${max:-65536} + 4096 ))
    sed -e "s|@MAX_MESSAGE_SIZE@|$size|" -e "s|@LOG_FILE@|$syslog_file|" \
        "$here/rsyslog/auditsh.conf" > "$rsyslog_snippet.new"
    chmod 0644 "$rsyslog_snippet.new"
    mv -f "$rsyslog_snippet.new" "$rsyslog_snippet"
    if [ -f /etc/rsyslog.conf ]; then
        if grep -q "^$imuxsock_stock" /etc/rsyslog.conf; then
            sed -i "s|^$imuxsock_stock|$imuxsock_annotated|" /etc/rsyslog.conf
        elif ! grep -q 'SysSock.ParseTrusted="on"' /etc/rsyslog.conf; then
            echo "install.sh: add SysSock.Annotate=\"on\" SysSock.ParseTrusted=\"on\" to imuxsock's module(load=...) line in /etc/rsyslog.conf, so that records carry their sender's credentials" >&2
        fi
    fi
    restart_rsyslog
}

uninstall_rsyslog() {
    [ -e "$rsyslog_snippet" ] || return 0
    rm -f "$rsyslog_snippet"
    if [ -f /etc/rsyslog.conf ] && grep -q "^$imuxsock_annotated" /etc/rsyslog.conf; then
        sed -i "s|^$imuxsock_annotated|$imuxsock_stock|" /etc/rsyslog.conf
    fi
    restart_rsyslog
}

if [ "$action" = uninstall ]; then
    rm -f "$shell" "$bindir/auditsh-log"
    remove_shell_line
    uninstall_rsyslog
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

install_rsyslog

echo "auditsh installed: $shell (setuid auditsh), records in $spool, config $confdir/auditsh.toml"
