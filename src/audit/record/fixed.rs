//! What never changes in a session, serialized once: who and where, the session's own
//! `auditsh` fields, and the session's shell as the process of its own records and as every
//! record's leader. The encoder writes each record as these bytes with its own fields between
//! them.

use super::encode::{push_bool, push_named, push_names, push_str, push_u64};
use super::schema::{Mode, SCHEMA_VERSION};
use crate::audit::identity::Identity;
use crate::audit::text::push_escaped;

/// The parts of every record that are the same for the whole session, serialized once. The
/// shell as a leader is `{entity_id, pid, start, name, executable?, args, args_count,
/// working_directory?, interactive, user{id, name?}, tty?, same_as_process}` (and for the
/// entry leader, `entry_meta`).
pub struct Fixed {
    pub(super) session: String,
    /// The session id as escaped JSON text (it is hex: the same bytes), for `event.id`s.
    pub(super) session_text: Vec<u8>,
    /// `"user@host tty: "` as escaped text: the start of every `message`.
    pub(super) message_prefix: Vec<u8>,
    /// `,"host":{…},"user":{…},"group":{…},"process":{`
    pub(super) identity: Vec<u8>,
    /// `"pid":N,"entity_id":"…-p0","start":…,"name":…,"executable":…`: the shell (the writing
    /// process, which may be a forked subshell of it) as the process of its own records.
    pub(super) shell_head: Vec<u8>,
    /// `,"interactive":…` and the terminal (`,"tty":{…}`) of the shell.
    pub(super) shell_tail: Vec<u8>,
    /// `,"tty":{"char_device":{…}}` of the session's terminal, or nothing.
    pub(super) tty: Vec<u8>,
    /// `,"parent":{"pid":M`: the writing process's parent.
    pub(super) parent: Vec<u8>,
    /// `,"session_leader":{…},"entry_leader":{…}`: the shell, for its own records
    /// (`same_as_process` true) and for programs' (false).
    pub(super) leaders_self: Vec<u8>,
    pub(super) leaders_other: Vec<u8>,
    /// `,"group_leader":{…}` when the shell leads a program's process group.
    pub(super) shell_group_leader: Vec<u8>,
    /// The entity id of the programs' parent as escaped text: the shell's (`…-p0`), or in
    /// the subshell that runs a script, that script's.
    pub(super) program_parent: Vec<u8>,
    /// `,"name":"sshd"` (the parent's name, in `session-start` only), or nothing.
    pub(super) parent_name: Vec<u8>,
    /// `,"parent_trusted":…` beside the parent's name, or nothing.
    pub(super) parent_trusted: &'static [u8],
    /// `,"source":{…}`, or nothing.
    pub(super) source: Vec<u8>,
    /// `,"auditsh":{"version":1,"session":"…","audit_session":"…","tty":"…","mode":"…"`
    pub(super) auditsh: Vec<u8>,
    /// Some identity text was not UTF-8.
    pub(super) lossy: bool,
    /// The same parts with the identity's text in the lossy form (each backslash doubled), for
    /// the records marked lossy; None when that is the same text (no backslash in it).
    pub(super) lossy_form: Option<Box<Fixed>>,
}

impl Fixed {
    /// Serialize the constant parts. Made again when they change (a forked child's pids).
    pub fn new(id: &Identity, session: &str, mode: Mode) -> Fixed {
        let mut fixed = Fixed::serialize(id, session, mode);
        if !id.lossy {
            fixed.lossy_form = id
                .in_lossy_form()
                .map(|doubled| Box::new(Fixed::serialize(&doubled, session, mode)));
        }
        fixed
    }

    fn serialize(id: &Identity, session: &str, mode: Mode) -> Fixed {
        let mut message_prefix = Vec::with_capacity(64);
        push_escaped(&mut message_prefix, id.who());
        message_prefix.push(b'@');
        push_escaped(&mut message_prefix, &id.hostname);
        if let Some(tty) = id.short_tty() {
            message_prefix.push(b' ');
            push_escaped(&mut message_prefix, tty);
        }
        message_prefix.extend_from_slice(b": ");

        let mut b = Vec::with_capacity(256);
        b.extend_from_slice(b",\"host\":{\"hostname\":");
        push_str(&mut b, &id.hostname);
        b.extend_from_slice(b"},\"user\":{");
        if let Some(name) = &id.user_name {
            b.extend_from_slice(b"\"name\":");
            push_str(&mut b, name);
            b.push(b',');
        }
        b.extend_from_slice(b"\"id\":");
        push_str(&mut b, &id.uid);
        b.extend_from_slice(b",\"effective\":");
        push_named(&mut b, id.effective_name.as_deref(), &id.euid);
        if let Some(audit_id) = &id.audit_id {
            b.extend_from_slice(b",\"audit\":");
            push_named(&mut b, id.audit_name.as_deref(), audit_id);
        }
        b.extend_from_slice(b"},\"group\":{\"id\":");
        push_str(&mut b, &id.gid);
        if let Some(name) = &id.group_name {
            b.extend_from_slice(b",\"name\":");
            push_str(&mut b, name);
        }
        b.extend_from_slice(b"},\"process\":{");

        let shell = &id.shell;
        let entity = Identity::shell_entity(session);
        let mut shell_head = Vec::with_capacity(200);
        shell_head.extend_from_slice(b"\"pid\":");
        push_u64(&mut shell_head, u64::from(id.pid));
        push_names(&mut shell_head, &entity, &shell.start, &shell.name);
        if let Some(exe) = &shell.executable {
            shell_head.extend_from_slice(b",\"executable\":");
            push_str(&mut shell_head, exe);
        }
        let mut tty = Vec::new();
        if let Some((major, minor)) = shell.tty_device {
            tty.extend_from_slice(b",\"tty\":{\"char_device\":{\"major\":");
            push_u64(&mut tty, u64::from(major));
            tty.extend_from_slice(b",\"minor\":");
            push_u64(&mut tty, u64::from(minor));
            tty.extend_from_slice(b"}}");
        }
        let mut shell_tail = Vec::with_capacity(64);
        push_bool(&mut shell_tail, b",\"interactive\":", shell.interactive);
        shell_tail.extend_from_slice(&tty);
        let mut parent = Vec::with_capacity(24);
        parent.extend_from_slice(b",\"parent\":{\"pid\":");
        push_u64(&mut parent, u64::from(id.ppid));

        // The shell as a leader: the same object in every record, but for same_as_process.
        let mut leader = Vec::with_capacity(512);
        leader.extend_from_slice(b"{\"entity_id\":");
        push_str(&mut leader, &entity);
        leader.extend_from_slice(b",\"pid\":");
        push_u64(&mut leader, u64::from(shell.pid));
        leader.extend_from_slice(b",\"start\":");
        push_str(&mut leader, &shell.start);
        leader.extend_from_slice(b",\"name\":");
        push_str(&mut leader, &shell.name);
        if let Some(exe) = &shell.executable {
            leader.extend_from_slice(b",\"executable\":");
            push_str(&mut leader, exe);
        }
        leader.extend_from_slice(b",\"args\":[");
        for (i, a) in shell.args.iter().enumerate() {
            if i > 0 {
                leader.push(b',');
            }
            push_str(&mut leader, a);
        }
        leader.extend_from_slice(b"],\"args_count\":");
        push_u64(&mut leader, shell.args_count as u64);
        if let Some(cwd) = &shell.working_directory {
            leader.extend_from_slice(b",\"working_directory\":");
            push_str(&mut leader, cwd);
        }
        push_bool(&mut leader, b",\"interactive\":", shell.interactive);
        leader.extend_from_slice(b",\"user\":{\"id\":");
        push_str(&mut leader, &id.uid);
        if let Some(name) = &id.user_name {
            leader.extend_from_slice(b",\"name\":");
            push_str(&mut leader, name);
        }
        leader.push(b'}');
        leader.extend_from_slice(&tty);
        let mut entry_meta = Vec::with_capacity(64);
        entry_meta.extend_from_slice(b",\"entry_meta\":{\"type\":");
        push_str(&mut entry_meta, shell.entry_type);
        if let Some(ip) = &id.source_ip {
            entry_meta.extend_from_slice(b",\"source\":{\"ip\":");
            push_str(&mut entry_meta, ip);
            entry_meta.push(b'}');
        }
        entry_meta.push(b'}');
        let leaders = |same: bool| {
            let mut out = Vec::with_capacity(2 * leader.len() + 128);
            out.extend_from_slice(b",\"session_leader\":");
            out.extend_from_slice(&leader);
            push_bool(&mut out, b",\"same_as_process\":", same);
            out.extend_from_slice(b"},\"entry_leader\":");
            out.extend_from_slice(&leader);
            push_bool(&mut out, b",\"same_as_process\":", same);
            out.extend_from_slice(&entry_meta);
            out.push(b'}');
            out
        };
        let leaders_self = leaders(true);
        let leaders_other = leaders(false);
        let mut shell_group_leader = Vec::with_capacity(leader.len() + 48);
        shell_group_leader.extend_from_slice(b",\"group_leader\":");
        shell_group_leader.extend_from_slice(&leader);
        shell_group_leader.extend_from_slice(b",\"same_as_process\":false}");
        let mut program_parent = Vec::with_capacity(entity.len());
        push_escaped(&mut program_parent, &entity);

        let mut parent_name = Vec::new();
        let mut parent_trusted: &'static [u8] = b"";
        if let Some(name) = &id.parent_name {
            parent_name.extend_from_slice(b",\"name\":");
            push_str(&mut parent_name, name);
            parent_trusted = if id.parent_trusted {
                b",\"parent_trusted\":true"
            } else {
                b",\"parent_trusted\":false"
            };
        }

        let mut source = Vec::new();
        if let Some(ip) = &id.source_ip {
            source.extend_from_slice(b",\"source\":{\"ip\":");
            push_str(&mut source, ip);
            if let Some(port) = id.source_port {
                source.extend_from_slice(b",\"port\":");
                push_u64(&mut source, u64::from(port));
            }
            source.push(b'}');
        } else if let Some(domain) = &id.source_domain {
            source.extend_from_slice(b",\"source\":{\"domain\":");
            push_str(&mut source, domain);
            source.push(b'}');
        }

        let mut auditsh = Vec::with_capacity(160);
        auditsh.extend_from_slice(b",\"auditsh\":{\"version\":");
        push_u64(&mut auditsh, u64::from(SCHEMA_VERSION));
        auditsh.extend_from_slice(b",\"session\":");
        push_str(&mut auditsh, session);
        if let Some(ses) = &id.audit_session {
            auditsh.extend_from_slice(b",\"audit_session\":");
            push_str(&mut auditsh, ses);
        }
        if let Some(tty) = &id.tty {
            auditsh.extend_from_slice(b",\"tty\":");
            push_str(&mut auditsh, tty);
        }
        auditsh.extend_from_slice(b",\"mode\":");
        push_str(&mut auditsh, mode.as_str());
        if let Some(from) = id.source_from.filter(|_| !source.is_empty()) {
            auditsh.extend_from_slice(b",\"source_from\":");
            push_str(&mut auditsh, from);
        }

        let mut session_text = Vec::with_capacity(session.len());
        push_escaped(&mut session_text, session);
        Fixed {
            session: session.to_string(),
            session_text,
            message_prefix,
            identity: b,
            shell_head,
            shell_tail,
            tty,
            parent,
            leaders_self,
            leaders_other,
            shell_group_leader,
            program_parent,
            parent_name,
            parent_trusted,
            source,
            auditsh,
            lossy: id.lossy,
            lossy_form: None,
        }
    }

    /// The session id these parts carry.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Name `entity` as the parent of the programs this process starts (the subshell that
    /// runs a script is that script's process).
    pub fn set_program_parent(&mut self, entity: &str) {
        self.program_parent.clear();
        push_escaped(&mut self.program_parent, entity);
    }
}
