//! The verifier on made-up chains: each rule, and where its finding points.

use super::*;
use crate::log::input::Reader;
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
