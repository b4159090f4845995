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
#   - the records' MAC key, when there is none: /var/lib/auditsh (auditsh:auditsh 0700) with the
#     key state file `key` (auditsh:auditsh 0600), and the verification key
#     /etc/auditsh/verify.key (root:root 0400; move it off the host, README "Installed mode"),
#     and /etc/cron.hourly/auditsh-key, which brings the state forward on days without sessions
#   - DIR/auditsh setuid and setgid auditsh (mode 6755), DIR/auditsh-log (0755)
#   - DIR/auditsh listed in /etc/shells
#   - where rsyslog is installed: /etc/rsyslog.d/auditsh.conf (records whole, with the sender's
#     kernel credentials, in /var/log/auditsh-syslog.log; see packaging/rsyslog/auditsh.conf),
#     and the annotation of the system socket turned on in /etc/rsyslog.conf
# --uninstall removes the binaries, the /etc/shells line and the rsyslog snippet; --purge also
# removes the config, the records, the keys and the account.
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
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
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
statedir=/var/lib/auditsh
state=$statedir/key
verify_key=$confdir/verify.key
cron_job=/etc/cron.hourly/auditsh-key

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
    rm -f "$shell" "$bindir/auditsh-log" "$cron_job"
    remove_shell_line
    uninstall_rsyslog
    if [ "$purge" = yes ]; then
        rm -rf "$confdir" "$spool" "$statedir"
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

# The records' MAC key: made once. An existing state file is kept (and given back to the
# account if need be); a verification key without a state file is an earlier key whose records
# only it can check: it is not replaced here.
install -d -o auditsh -g auditsh -m 0700 "$statedir"
if [ ! -e "$state" ] && [ ! -e "$verify_key" ]; then
    if [ -x "$bindir/auditsh-log" ]; then
        "$bindir/auditsh-log" key init --state "$state" --verify-key "$verify_key"
    else
        echo "install.sh: auditsh-log is not installed: no record key created (records will not be authenticated)" >&2
    fi
elif [ ! -e "$state" ]; then
    echo "install.sh: $verify_key exists but $state does not: no new key created (keep $verify_key for the records it sealed, then run auditsh-log key init --force)" >&2
fi
if [ -e "$state" ]; then
    chown auditsh:auditsh "$state"
    chmod 0600 "$state"
fi
if [ -e "$verify_key" ]; then
    chown root:root "$verify_key"
    chmod 0400 "$verify_key"
fi
# The first session of a day brings the state forward; on a day without one, this does (at
# most an hour after midnight UTC), so that no earlier day's key stays on the disk.
if [ -d /etc/cron.hourly ]; then
    printf '#!/bin/sh\n# Installed by auditsh install.sh: erase the earlier days'"'"' record key.\nexec %s key evolve --state %s\n' \
        "$bindir/auditsh-log" "$state" > "$cron_job.new"
    chmod 0755 "$cron_job.new"
    mv -f "$cron_job.new" "$cron_job"
fi

touch /etc/shells
if ! grep -qx "$shell" /etc/shells; then
    echo "$shell" >> /etc/shells
fi

install_rsyslog

echo "auditsh installed: $shell (setuid auditsh), records in $spool, config $confdir/auditsh.toml, record key $state"
