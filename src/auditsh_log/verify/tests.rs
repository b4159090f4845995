//! The verifier on made-up chains: each rule, and where its finding points.

use super::*;
use crate::audit::chain::hex64;
use crate::auditsh_log::input::Reader;
use crate::testutil::TempDir;
use std::path::Path;

/// A record line of session `s` with `seq`, `action` and the previous line's hash.
fn rec(s: &str, seq: u64, action: &str, prev: &[u8; 32]) -> String {
    let p = hex64(prev);
    format!(
        concat!(
            r#"{{"@timestamp":"2026-11-21T13:04:48.752211Z","ecs":{{"version":"8.11.0"}},"#,
            r#""event":{{"kind":"event","category":["session"],"type":["start"],"action":"{a}","#,
            r#""sequence":{seq},"id":"{s}-{seq}"}},"message":"m","host":{{"hostname":"h"}},"#,
            r#""user":{{"id":"0","effective":{{"id":"0"}}}},"group":{{"id":"0"}},"#,
            r#""process":{{"pid":1,"parent":{{"pid":1}}}},"#,
            r#""auditsh":{{"version":1,"session":"{s}","mode":"command","prev":"{p}"}}}}"#
        ),
        a = action,
        seq = seq,
        s = s,
        p = std::str::from_utf8(&p).unwrap()
    )
}

/// A whole session of `n` records (start, commands, end), chained.
fn session(s: &str, n: u64) -> Vec<String> {
    let mut prev = GENESIS;
    (0..n)
        .map(|i| {
            let action = match i {
                0 => "session-start",
                _ if i == n - 1 => "session-end",
                _ => "command",
            };
            let l = rec(s, i, action, &prev);
            prev = line_hash(l.as_bytes());
            l
        })
        .collect()
}

fn check(files: &[(&str, Format, Vec<String>)]) -> Report {
    let mut v = Verifier::new();
    for (name, format, lines) in files {
        let mut text = lines.join("\n").into_bytes();
        text.push(b'\n');
        let r = Reader::new(Box::new(std::io::Cursor::new(text)), false);
        v.read(Path::new(name), *format, r).unwrap();
    }
    v.finish()
}

/// As [`check`], from files written in a directory of their own (the verifier reads a spool
/// file again to settle a cut syslog line); findings name the files by their path.
fn check_files(test: &str, files: &[(&str, Format, Vec<String>)]) -> (Report, String) {
    let dir = TempDir::new(&format!("verify-{test}"));
    let mut v = Verifier::new();
    for (name, format, lines) in files {
        let path = dir.join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        v.read_file(&path, *format).unwrap();
    }
    (v.finish(), format!("{}/", dir.path().display()))
}

fn one(name: &str, lines: Vec<String>) -> Vec<String> {
    check(&[(name, Format::Spool, lines)])
        .findings
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn an_intact_session_has_no_findings() {
    let r = check(&[("a.jsonl", Format::Spool, session("s1", 5))]);
    assert_eq!(r.summary(), "1 file, 1 session, 5 records, 0 findings");
}

#[test]
fn the_first_prev_is_zeros() {
    let mut l = session("s1", 3);
    l[0] = rec("s1", 0, "session-start", &[1; 32]);
    l[1] = rec("s1", 1, "command", &line_hash(l[0].as_bytes()));
    l[2] = rec("s1", 2, "session-end", &line_hash(l[1].as_bytes()));
    assert_eq!(
        one("a.jsonl", l),
        ["a.jsonl:1: session s1: auditsh.prev of the first record (sequence 0) is not 64 zeros"]
    );
}

#[test]
fn event_id_must_match() {
    let mut l = session("s1", 3);
    l[1] = l[1].replace("\"id\":\"s1-1\"", "\"id\":\"s1-7\"");
    let f = one("a.jsonl", l);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("a.jsonl:2: session s1: event.id s1-7 is not"),
        "{f:?}"
    );
}

#[test]
fn missing_fields_are_named() {
    let mut l = session("s1", 3);
    l[1] = l[1]
        .replace("\"message\":\"m\",", "")
        .replace("\"pid\":1,", "");
    let f = one("a.jsonl", l);
    assert_eq!(
        f,
        ["a.jsonl:2: session s1: missing or malformed: message, process.pid"]
    );
}

#[test]
fn start_and_end_are_where_they_belong() {
    let mut l = session("s1", 4);
    // A second session-start, and a record after the end.
    l[1] = rec("s1", 1, "session-start", &line_hash(l[0].as_bytes()));
    l[2] = rec("s1", 2, "command", &line_hash(l[1].as_bytes()));
    l[3] = rec("s1", 3, "session-end", &line_hash(l[2].as_bytes()));
    l.push(rec("s1", 4, "command", &line_hash(l[3].as_bytes())));
    let f = one("a.jsonl", l);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f[0].starts_with("a.jsonl:2: session s1: session-start with sequence 1"));
    assert!(f[1].starts_with("a.jsonl:5: session s1: a record after the session's end"));

    let mut l = session("s1", 3);
    l[0] = rec("s1", 0, "command", &GENESIS);
    l[1] = rec("s1", 1, "command", &line_hash(l[0].as_bytes()));
    l[2] = rec("s1", 2, "session-end", &line_hash(l[1].as_bytes()));
    assert_eq!(
        one("a.jsonl", l),
        ["a.jsonl:1: session s1: the first record (sequence 0) is command, not session-start"]
    );
}

#[test]
fn several_missing_records_are_one_finding() {
    let mut l = session("s1", 8);
    l.drain(2..5);
    assert_eq!(
        one("a.jsonl", l),
        ["a.jsonl:3: session s1: records 2 to 4 are missing (3 records), before this line"]
    );
}

#[test]
fn a_record_moved_far_is_out_of_order() {
    let mut l = session("s1", 8);
    let moved = l.remove(2);
    l.insert(5, moved);
    let f = one("a.jsonl", l);
    assert_eq!(
        f,
        ["a.jsonl:6: session s1: sequence 2 is out of order: it comes after sequence 5, line 5"]
    );
}

#[test]
fn sessions_spread_over_files_and_interleaved() {
    let a = session("A", 6);
    let b = session("B", 4);
    let tag = |l: &String| format!("Nov 21 13:04:48 h auditsh[1]: {l}");
    let mut first: Vec<String> = Vec::new();
    let mut second: Vec<String> = Vec::new();
    for (i, l) in a.iter().enumerate() {
        if i < 3 { &mut first } else { &mut second }.push(tag(l));
    }
    for (i, l) in b.iter().enumerate() {
        if i < 2 { &mut first } else { &mut second }
            .push(format!("Nov 21 h auditsh[2]: @cee: {l}"));
        first.push("Nov 21 13:04:49 h cron[3]: (root) CMD (x)".to_string());
    }
    let r = check(&[
        ("messages.1", Format::Syslog, first.clone()),
        ("messages", Format::Syslog, second.clone()),
    ]);
    assert_eq!(r.summary(), "2 files, 2 sessions, 10 records, 0 findings");

    // The end of A in the second file is lost: A is unterminated at its last line.
    second.retain(|l| !l.contains("\"id\":\"A-5\""));
    let r = check(&[
        ("messages.1", Format::Syslog, first),
        ("messages", Format::Syslog, second),
    ]);
    let f: Vec<String> = r.findings.iter().map(ToString::to_string).collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("messages:2: session A (syslog copy): has no end (unterminated)"),
        "{f:?}"
    );
}

#[test]
fn a_torn_first_line_belongs_to_the_session_the_file_is_named_after() {
    let mut l = session("s1", 4);
    l[0].truncate(30);
    assert_eq!(
        one("s1.jsonl", l)
            .iter()
            .map(|f| f.split(": not a JSON").next().unwrap_or("").to_string())
            .collect::<Vec<_>>(),
        ["s1.jsonl:1: session s1"]
    );
}

#[test]
fn a_torn_syslog_line_belongs_to_the_session_its_event_id_names() {
    let a = session("A", 4);
    let b = session("B", 4);
    let mut lines = Vec::new();
    for (x, y) in a.iter().zip(&b) {
        lines.push(format!("Nov 21 h auditsh[1]: {x}"));
        lines.push(format!("Nov 21 h auditsh[2]: {y}"));
    }
    // B's record 1 (line 4) torn after its event.id; A's record 2 (line 5) torn before it.
    let cut = lines[3].find("\"message\"").unwrap();
    lines[3].truncate(cut);
    lines[4].truncate(40);
    let r = check(&[("messages", Format::Syslog, lines)]);
    let f: Vec<String> = r.findings.iter().map(ToString::to_string).collect();
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f[0].starts_with("messages:4: session B (syslog copy): not a JSON record"));
    assert!(f[1].starts_with("messages:5: not a JSON record"), "{f:?}");
    assert!(f[2].starts_with("messages:7: session A (syslog copy): record 2 is missing"));
}

#[test]
fn a_background_job_may_record_programs_after_the_end() {
    let mut l = session("s1", 3);
    // An exec record from another process (a job the shell left running) after the end.
    let job =
        rec("s1", 3, "exec", &line_hash(l[2].as_bytes())).replace(r#""pid":1,"#, r#""pid":2,"#);
    l.push(job);
    assert_eq!(one("a.jsonl", l.clone()), Vec::<String>::new());
    // The same from the shell's own pid is a finding.
    let mut l = session("s1", 3);
    l.push(rec("s1", 3, "exec", &line_hash(l[2].as_bytes())));
    let f = one("a.jsonl", l);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("a record after the session's end"));
}

/// Findings as text.
fn texts(r: &Report) -> Vec<String> {
    r.findings.iter().map(ToString::to_string).collect()
}

#[test]
fn a_syslog_line_cut_by_the_transport_is_named_so_when_the_spool_copy_is_whole() {
    let spool = session("s1", 4);
    let mut syslog: Vec<String> = spool
        .iter()
        .map(|l| format!("Nov 21 h auditsh[1]: {l}"))
        .collect();
    // Record 2 cut as a daemon with a small message size would cut it.
    let keep = syslog[2].len() - 40;
    syslog[2].truncate(keep);
    let (r, dir) = check_files(
        "cut",
        &[
            ("messages", Format::Syslog, syslog.clone()),
            ("s1.jsonl", Format::Spool, spool.clone()),
        ],
    );
    let f = texts(&r);
    assert_eq!(f.len(), 1, "{f:?}");
    let whole = spool[2].len();
    let kept = whole - 40;
    assert_eq!(
        f[0],
        format!("{dir}messages:3: session s1 (syslog copy): record 2 was cut by the transport after {kept} of its {whole} bytes; the spool copy ({dir}s1.jsonl:3) is whole: raise the syslog daemon's message size (packaging/rsyslog/auditsh.conf)")
    );

    // Cut and altered: the spool copy does not begin with it, so it is torn or altered.
    let mut altered = syslog.clone();
    altered[2] = altered[2].replacen("\"kind\":\"event\"", "\"kind\":\"evil!\"", 1);
    let (r, dir) = check_files(
        "cut-altered",
        &[
            ("messages", Format::Syslog, altered),
            ("s1.jsonl", Format::Spool, spool.clone()),
        ],
    );
    let f = texts(&r);
    assert_eq!(f.len(), 1, "{f:?}");
    let torn = "messages:3: session s1 (syslog copy): not a JSON record: torn or altered line";
    assert!(f[0].starts_with(&format!("{dir}{torn}")), "{f:?}");

    // With no spool copy at all, a cut line is what it looks like.
    let r = check(&[("messages", Format::Syslog, syslog)]);
    let f = texts(&r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("not a JSON record"), "{f:?}");
}

#[test]
fn a_cut_syslog_line_is_settled_by_a_spool_file_read_before_it() {
    let dir = std::env::temp_dir().join(format!("auditsh-verify-cut-early-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spool = session("s2", 3);
    let mut syslog: Vec<String> = spool
        .iter()
        .map(|l| format!("Nov 21 h auditsh[1]: {l}"))
        .collect();
    let half = syslog[1].len() / 2;
    syslog[1].truncate(half);
    let spool_path = dir.join("s2.jsonl");
    let syslog_path = dir.join("messages");
    std::fs::write(&spool_path, spool.join("\n") + "\n").unwrap();
    std::fs::write(&syslog_path, syslog.join("\n") + "\n").unwrap();
    let mut v = Verifier::new();
    v.read_file(&spool_path, Format::Spool).unwrap();
    v.read_file(&syslog_path, Format::Syslog).unwrap();
    let f = texts(&v.finish());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("session s2 (syslog copy): record 1 was cut by the transport after"),
        "{f:?}"
    );
    assert!(f[0].contains("s2.jsonl:2) is whole"), "{f:?}");
}

#[test]
fn a_syslog_line_sent_by_another_process_is_forged() {
    let s = session("s1", 3);
    // The shell of user 0 (the records' user.id), pid 1 as its tag says.
    let genuine: Vec<String> = s
        .iter()
        .map(|l| format!("2026-11-21T13:04:48+00:00 h auditsh[1]: trusted(uid=0,gid=0,pid=1) {l}"))
        .collect();
    assert_eq!(
        texts(&check(&[("auth", Format::Syslog, genuine.clone())])),
        Vec::<String>::new()
    );

    // `logger -t 'auditsh[1]'` by uid 1000: the kernel says who sent it.
    let mut forged = genuine.clone();
    forged[1] = forged[1].replace(
        "trusted(uid=0,gid=0,pid=1)",
        "trusted(uid=1000,gid=1000,pid=77)",
    );
    let f = texts(&check(&[("auth", Format::Syslog, forged)]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("auth:2: session s1 (syslog copy): sent by uid 1000 (the kernel's credentials), not by the record's user (user.id 0)"),
        "{f:?}"
    );

    // The same user, but not the shell that the tag names.
    let mut forged = genuine.clone();
    forged[2] = forged[2].replace("pid=1)", "pid=4242)");
    let f = texts(&check(&[("auth", Format::Syslog, forged)]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("sent by pid 4242 (the kernel's credentials) under the tag auditsh[1]"),
        "{f:?}"
    );

    // Without the annotation (empty trusted fields, or none) nothing can be told.
    let plain: Vec<String> = s
        .iter()
        .map(|l| format!("h auditsh[9]: trusted(uid=,gid=,pid=) {l}"))
        .collect();
    assert_eq!(
        texts(&check(&[("auth", Format::Syslog, plain)])),
        Vec::<String>::new()
    );
}

#[test]
fn an_empty_or_missing_spool_file_is_a_finding() {
    let r = check(&[("s9.jsonl", Format::Spool, Vec::new())]);
    // `check` writes one newline for an empty list: an empty line, the start of a record
    // gone. A file of no bytes at all is checked below.
    assert!(!r.findings.is_empty());
    let mut v = Verifier::new();
    let empty = Reader::new(Box::new(std::io::Cursor::new(Vec::new())), false);
    v.read(Path::new("2026-11-21/s9.jsonl"), Format::Spool, empty)
        .unwrap();
    assert_eq!(
        texts(&v.finish()),
        ["2026-11-21/s9.jsonl:1: session s9: an empty spool file: none of its session's records are in it"]
    );

    // The syslog copy shows a session that started on a day whose spool directory was read,
    // and that directory has no file for it.
    let syslog: Vec<String> = session("s3", 3)
        .iter()
        .map(|l| format!("Nov 21 h auditsh[1]: {l}"))
        .collect();
    let mut v = Verifier::new();
    v.spool_days(&[PathBuf::from("/var/log/auditsh/2026-11-21")]);
    let mut text = syslog.join("\n").into_bytes();
    text.push(b'\n');
    v.read(
        Path::new("messages"),
        Format::Syslog,
        Reader::new(Box::new(std::io::Cursor::new(text.clone())), false),
    )
    .unwrap();
    assert_eq!(
        texts(&v.finish()),
        ["messages:1: session s3 (syslog copy): no spool file for this session (/var/log/auditsh/2026-11-21/s3.jsonl): removed, or the spool failed"]
    );
    // A day that was not read says nothing about it.
    let mut v = Verifier::new();
    v.spool_days(&[PathBuf::from("/var/log/auditsh/2026-11-22")]);
    v.read(
        Path::new("messages"),
        Format::Syslog,
        Reader::new(Box::new(std::io::Cursor::new(text)), false),
    )
    .unwrap();
    assert_eq!(texts(&v.finish()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Schema 2: the process model.

/// The session's shell as schema 2's leaders name it (`same`: in the shell's own records).
fn leaders2(s: &str, same: bool) -> String {
    let shell = format!(
        r#"{{"entity_id":"{s}-p0","pid":1,"start":"2026-11-21T13:04:48.700000Z","name":"auditsh","executable":"/usr/bin/auditsh","args":["-auditsh"],"args_count":1,"working_directory":"/root","interactive":false,"user":{{"id":"0","name":"root"}},"same_as_process":{same}"#
    );
    format!(r#""session_leader":{shell}}},"entry_leader":{shell},"entry_meta":{{"type":"sshd"}}}}"#)
}

/// A schema 2 record of session `s`: the shell's own (`program` None), or a program's
/// (`exec` or `end`: its entity number, its pid, and the pid of the shell that started it).
fn rec2(
    s: &str,
    seq: u64,
    action: &str,
    program: Option<(u32, Option<u64>, u64)>,
    prev: &[u8; 32],
) -> String {
    let p = hex64(prev);
    let t = "2026-11-21T13:04:48.752211Z";
    let (event, process) = match program {
        None => (
            String::new(),
            format!(
                r#""pid":1,"entity_id":"{s}-p0","start":"{t}","name":"auditsh","executable":"/usr/bin/auditsh","interactive":false,"parent":{{"pid":1}},{}"#,
                leaders2(s, true)
            ),
        ),
        Some((n, pid, parent)) => {
            let pid = pid.map_or(String::new(), |p| format!(r#""pid":{p},"#));
            let (event, own) = if action == "end" {
                (
                    r#","duration":1000,"outcome":"success""#,
                    format!(r#""end":"{t}","exit_code":0,"#),
                )
            } else {
                (
                    "",
                    r#""name":"true","executable":"/bin/true","args":["true"],"args_count":1,"#
                        .to_string(),
                )
            };
            (
                event.to_string(),
                format!(
                    r#"{pid}"entity_id":"{s}-p{n}","start":"{t}",{own}"interactive":false,"parent":{{"pid":{parent},"entity_id":"{s}-p0"}},"group_leader":{{"pid":1,"same_as_process":false}},{}"#,
                    leaders2(s, false)
                ),
            )
        }
    };
    format!(
        concat!(
            r#"{{"@timestamp":"{t}","ecs":{{"version":"9.4.0"}},"#,
            r#""event":{{"kind":"event","category":["process"],"type":["start"],"action":"{a}","#,
            r#""sequence":{seq},"id":"{s}-{seq}"{event}}},"message":"m","host":{{"hostname":"h"}},"#,
            r#""user":{{"id":"0","effective":{{"id":"0"}}}},"group":{{"id":"0"}},"#,
            r#""process":{{{process}}},"#,
            r#""auditsh":{{"version":2,"session":"{s}","mode":"command","prev":"{p}"}}}}"#
        ),
        t = t,
        a = action,
        seq = seq,
        s = s,
        event = event,
        process = process,
        p = std::str::from_utf8(&p).unwrap()
    )
}

/// Makes a record line, given the previous line's hash.
type Maker<'a> = &'a dyn Fn(&[u8; 32]) -> String;

/// Chain the lines `makers` make.
fn chain2(makers: &[Maker]) -> Vec<String> {
    let mut prev = GENESIS;
    makers
        .iter()
        .map(|m| {
            let l = m(&prev);
            prev = line_hash(l.as_bytes());
            l
        })
        .collect()
}

/// A schema 2 session: start, a command, a program's exec and end (pid 5, started by the
/// shell, pid 1), the command's end, the session's end.
fn session2(s: &str) -> Vec<String> {
    chain2(&[
        &|p| rec2(s, 0, "session-start", None, p),
        &|p| rec2(s, 1, "command", None, p),
        &|p| rec2(s, 2, "exec", Some((1, Some(5), 1)), p),
        &|p| rec2(s, 3, "end", Some((1, Some(5), 1)), p),
        &|p| rec2(s, 4, "command", None, p),
        &|p| rec2(s, 5, "session-end", None, p),
    ])
}

#[test]
fn a_schema_2_session_is_intact_beside_a_schema_1_one() {
    let r = check(&[
        ("a.jsonl", Format::Spool, session2("s2")),
        ("b.jsonl", Format::Spool, session("s1", 4)),
    ]);
    assert_eq!(texts(&r), Vec::<String>::new());
    assert_eq!(r.summary(), "2 files, 2 sessions, 10 records, 0 findings");
    // The view parses what the verifier does: the record digests the same either way
    // (`sessions` and `report` digest from the view).
    for line in session2("s2") {
        let json = line.as_bytes();
        let at = crate::auditsh_log::digest::Place {
            no: 1,
            raw: json,
            json,
            copy: Copy::Spool,
            sure: true,
            newline: true,
        };
        let mut own = Digester::new(Format::Spool, None);
        own.fields(
            &at,
            &crate::auditsh_log::digest::Fields::parse(json).unwrap(),
        );
        let mut shared = Digester::new(Format::Spool, None);
        let record = crate::auditsh_log::view::parse(json).unwrap();
        shared.fields(
            &at,
            &crate::auditsh_log::digest::Fields::from_record(&record),
        );
        assert_eq!(
            format!("{:?}", own.digest.facts),
            format!("{:?}", shared.digest.facts)
        );
    }
}

#[test]
fn schema_2_fields_are_checked() {
    let l = session2("s2");
    let edit = |i: usize, from: &str, to: &str| {
        let mut l = l.clone();
        assert!(l[i].contains(from), "{from} in {}", l[i]);
        l[i] = l[i].replacen(from, to, 1);
        // Chained again, so that only the field check can tell.
        rechain(&mut l);
        one("a.jsonl", l)
    };
    // A field of the process model missing or of the wrong type.
    assert_eq!(
        edit(1, r#""entity_id":"s2-p0","start""#, r#""start""#),
        ["a.jsonl:2: session s2: missing or malformed: process.entity_id"]
    );
    assert_eq!(
        edit(2, r#""args":["-auditsh"],"#, r#""args":"-auditsh","#),
        ["a.jsonl:3: session s2: missing or malformed: process.session_leader.args"]
    );
    assert_eq!(
        edit(3, r#""exit_code":0,"#, ""),
        ["a.jsonl:4: session s2: missing or malformed: process.exit_code"]
    );
    // Entity ids: of another session, the shell's record about a program and the reverse.
    let f = edit(2, r#""entity_id":"s2-p1""#, r#""entity_id":"s9-p1""#);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with(
            "a.jsonl:3: session s2: process.entity_id s9-p1 is not a process of the session"
        ),
        "{f:?}"
    );
    let f = edit(
        4,
        r#""entity_id":"s2-p0","start""#,
        r#""entity_id":"s2-p1","start""#,
    );
    assert!(
        f[0].contains("of a command record is not the session's shell (s2-p0)"),
        "{f:?}"
    );
    let f = edit(3, r#""entity_id":"s2-p1""#, r#""entity_id":"s2-p0""#);
    assert!(
        f[0].contains("of a end record is the session's shell"),
        "{f:?}"
    );
    // A program's parent is the shell, or the process whose id its own extends (the
    // subshell that runs a script with no `#!` line); no other process.
    let parent_of = |own: &str, parent: &str| {
        let mut l = l.clone();
        l[2] = l[2]
            .replacen(
                r#""entity_id":"s2-p1","start""#,
                &format!(r#""entity_id":"{own}","start""#),
                1,
            )
            .replacen(
                r#""entity_id":"s2-p0"}"#,
                &format!(r#""entity_id":"{parent}"}}"#),
                1,
            );
        rechain(&mut l);
        one("a.jsonl", l)
    };
    assert_eq!(parent_of("s2-p3.2", "s2-p3"), Vec::<String>::new());
    let f = parent_of("s2-p3.2", "s2-p2");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains(
            "process.parent.entity_id s2-p2 is not the session's shell (s2-p0) or the process that made it"
        ),
        "{f:?}"
    );
    // The leaders: not the same process, not the shell, or not the one session-start names
    // (the last record too, which no record's auditsh.prev covers).
    let f = edit(
        2,
        r#""start":"2026-11-21T13:04:48.700000Z""#,
        r#""start":"2026-11-21T13:04:48.700001Z""#,
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("a.jsonl:3: session s2: process.session_leader and process.entry_leader name different processes"), "{f:?}");
    let f = edit(
        5,
        r#"["-auditsh"],"args_count":1,"working_directory":"/root","interactive":false,"user":{"id":"0","name":"root"},"same_as_process":true,"entry_meta""#,
        r#"["-auditsh","-x"],"args_count":1,"working_directory":"/root","interactive":false,"user":{"id":"0","name":"root"},"same_as_process":true,"entry_meta""#,
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("a.jsonl:6: session s2: process.session_leader and process.entry_leader name different processes"), "{f:?}");
    let mut l5 = l.clone();
    l5[5] = l5[5].replace(r#""type":"sshd""#, r#""type":"console""#);
    let f = one("a.jsonl", l5);
    assert_eq!(
        f,
        ["a.jsonl:6: session s2: process.session_leader and entry_leader are not the session's shell as its session-start (line 1) names it"]
    );
    let f = edit(1, r#""same_as_process":true"#, r#""same_as_process":false"#);
    assert!(f[0].contains("process.session_leader.same_as_process is false in a command record, whose process is the shell"), "{f:?}");
    // A program that never started has no pid.
    let mut l = session2("s2");
    l[3] = rec2(
        "s2",
        3,
        "end",
        Some((1, None, 1)),
        &line_hash(l[2].as_bytes()),
    );
    l[4] = rec2("s2", 4, "command", None, &line_hash(l[3].as_bytes()));
    l[5] = rec2("s2", 5, "session-end", None, &line_hash(l[4].as_bytes()));
    assert_eq!(one("a.jsonl", l), Vec::<String>::new());
}

/// Chained again, after an edit.
fn rechain(l: &mut [String]) {
    let mut prev = GENESIS;
    for x in l.iter_mut() {
        let at = x.rfind("\"prev\":\"").unwrap() + 8;
        x.replace_range(at..at + 64, std::str::from_utf8(&hex64(&prev)).unwrap());
        prev = line_hash(x.as_bytes());
    }
}

#[test]
fn a_lossy_records_leaders_are_compared_as_the_bytes_they_stand_for() {
    // The shell's argument `a\b` (JSON `a\\b`); in a record marked lossy, `a\\b` (JSON
    // `a\\\\b`).
    let mut l: Vec<String> = session2("s2")
        .iter()
        .map(|x| x.replace(r#""args":["-auditsh"]"#, r#""args":["-c","a\\b"]"#))
        .collect();
    l[2] = l[2]
        .replace(r#""args":["-c","a\\b"]"#, r#""args":["-c","a\\\\b"]"#)
        .replace(r#","prev""#, r#","lossy":true,"prev""#);
    rechain(&mut l);
    assert_eq!(one("a.jsonl", l.clone()), Vec::<String>::new());
    // Not marked lossy, the same text is another argument.
    l[2] = l[2].replace(r#","lossy":true"#, "");
    rechain(&mut l);
    let f = one("a.jsonl", l);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("not the session's shell as its session-start"),
        "{f:?}"
    );
}

#[test]
fn a_programs_end_after_the_sessions_is_a_jobs_when_the_shell_did_not_wait_for_it() {
    let base = session2("s2");
    let after = |program: (u32, Option<u64>, u64), error: bool| {
        let mut l = base.clone();
        let mut end = rec2("s2", 6, "end", Some(program), &line_hash(l[5].as_bytes()));
        if error {
            end = end.replace(
                r#","auditsh""#,
                r#","error":{"code":"EACCES","message":"Permission denied"},"auditsh""#,
            );
        }
        l.push(end);
        one("a.jsonl", l)
    };
    // Waited for by a job's subshell (pid 7), not the shell (pid 1).
    assert_eq!(after((2, Some(9), 7), false), Vec::<String>::new());
    // A job's forked child (pid 9) the kernel refused: it wrote its own end.
    assert_eq!(after((2, Some(9), 1), true), Vec::<String>::new());
    // Waited for by the shell itself, after its end: a finding, though the pid is not the
    // shell's (it is the program's).
    let f = after((2, Some(9), 1), false);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("a record after the session's end"), "{f:?}");
    // An exec record's pid is the program's own: one after the end is a job's.
    let mut l = base.clone();
    l.push(rec2(
        "s2",
        6,
        "exec",
        Some((2, Some(9), 1)),
        &line_hash(l[5].as_bytes()),
    ));
    assert_eq!(one("a.jsonl", l), Vec::<String>::new());
}

/// A schema 2 session of `n` records: start, command lines, end.
fn long2(s: &str, n: u64) -> Vec<String> {
    let mut prev = GENESIS;
    (0..n)
        .map(|i| {
            let action = match i {
                0 => "session-start",
                _ if i == n - 1 => "session-end",
                _ => "command",
            };
            let l = rec2(s, i, action, None, &prev);
            prev = line_hash(l.as_bytes());
            l
        })
        .collect()
}

/// Schema 2's shell sends the syslog copies of processes running alongside (a pipeline's
/// members) each on its own: one may come a little late. In its place in the chain, that is
/// no finding in a syslog copy; moved far, out of the chain, in a spool copy or of schema 1,
/// it is.
#[test]
fn a_schema_2_syslog_record_may_come_a_little_late() {
    let syslog = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| format!("Nov 21 h auditsh[1]: {l}"))
            .collect()
    };
    let mut l = session2("s2");
    l.swap(2, 3);
    assert_eq!(
        texts(&check(&[("messages", Format::Syslog, syslog(&l))])),
        Vec::<String>::new()
    );
    // Two late, the later first.
    let mut l = long2("s2", 12);
    let (a, b) = (l.remove(3), l.remove(3));
    l.insert(5, b);
    l.insert(6, a);
    assert_eq!(
        texts(&check(&[("messages", Format::Syslog, syslog(&l))])),
        Vec::<String>::new()
    );
    // The same in a spool file, or of schema 1: out of order.
    let mut l = session2("s2");
    l.swap(2, 3);
    let f = one("a.jsonl", l);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("sequence 2 is out of order"), "{f:?}");
    let mut l = session("s1", 6);
    l.swap(2, 3);
    let f = texts(&check(&[("messages", Format::Syslog, syslog(&l))]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("sequence 2 is out of order"), "{f:?}");
    // Moved far: its neighbours were read long before.
    let mut l = long2("s2", 60);
    let moved = l.remove(3);
    l.insert(50, moved);
    let f = texts(&check(&[("messages", Format::Syslog, syslog(&l))]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("sequence 3 is out of order"), "{f:?}");
    // Late and altered: not in its place in the chain.
    let mut l = session2("s2");
    l.swap(2, 3);
    l[3] = l[3].replacen("\"message\":\"m\"", "\"message\":\"M\"", 1);
    let f = texts(&check(&[("messages", Format::Syslog, syslog(&l))]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("sequence 2 is out of order"), "{f:?}");
}
