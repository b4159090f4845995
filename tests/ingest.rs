//! The ingest configs shipped in packaging/ (README, "Ingesting the records"), checked against
//! the record schema and against the records the real shell writes:
//!
//! - packaging/elasticsearch/auditsh-index-template.json maps every leaf field of
//!   schema/record.schema.json with the type its `x-es-type` names, and nothing else; real
//!   records fit it;
//! - packaging/splunk/props.conf finds and parses each record's `@timestamp` (its strptime
//!   format translated into chrono's), in the spool's lines and in rsyslog's, and
//!   transforms.conf leaves a syslog line's `_raw` the spool's line byte for byte;
//! - packaging/rsyslog/auditsh-mmjsonparse.conf, included by a real rsyslogd set up as
//!   install.sh sets it up, gives every record's fields as `$!record!...` properties, with and
//!   without the `@cee:` cookie, and leaves the kernel's credentials of the sender alone.
//!
//! Without /usr/sbin/rsyslogd the rsyslog test says `SKIPPED: ...` on stderr and passes, unless
//! `AUDITSH_E2E=required`.

mod common;

use chrono::{DateTime, NaiveDateTime, Utc};
use common::rsyslog::{rsyslogd_present, serial, Rsyslog};
use common::{records, AuditEnv, TempDir};
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn top() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(rel: &str) -> Value {
    let text = std::fs::read_to_string(top().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Sessions to read records from.

/// Text that JSON escapes, non-ASCII text, a bidirectional override, bytes that are not UTF-8
/// and control characters from a program's output, a pipeline, a command substitution, a
/// program not found, a failing one and one killed by a signal.
const TRICKY: &str = "/bin/echo 'caf\u{e9} \"}' '\\' 'rtl\u{202e}x' >/dev/null; \
                      x=$(/usr/bin/printf '\\033[2J\\001\\377\\t'); /bin/echo \"$x\" | /bin/cat >/dev/null; \
                      cd /; nosuch; /bin/false; /bin/sh -c 'kill -TERM $$'; /bin/true";

/// A command line far over max_record_bytes: its records are cut to about 64 KiB.
fn big() -> String {
    format!("/bin/true {}", "x".repeat(100_000))
}

fn run_ok(env: &AuditEnv, script: &str) {
    let out = env.run(&["-c", script], None);
    assert!(out.status.code().is_some(), "auditsh -c: {out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("audit: "),
        "no audit warning: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every spool line of `env`, each a record checked against the schema.
fn spool_lines(env: &AuditEnv) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for f in env.spool_files() {
        let text = std::fs::read(&f).unwrap();
        records(&text);
        all.extend(common::lines(&text).into_iter().map(<[u8]>::to_vec));
    }
    all
}

/// A session with TRICKY and one with the big command line, without syslog: their spool lines.
fn sample_lines() -> (AuditEnv, Vec<Vec<u8>>) {
    let env = AuditEnv::builder().tag("ingest").syslog(false).build();
    run_ok(&env, TRICKY);
    run_ok(&env, &big());
    let lines = spool_lines(&env);
    assert!(lines.len() > 10);
    (env, lines)
}

fn parse(line: &[u8]) -> Value {
    serde_json::from_slice(line).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The index template against the schema.

/// Every leaf field of the JSON Schema (dotted path) with its `x-es-type`: `$ref`s to `$defs`
/// followed, an array's type its own `x-es-type` or else its items'.
fn schema_fields(schema: &Value) -> BTreeMap<String, String> {
    fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r
                    .strip_prefix("#/$defs/")
                    .unwrap_or_else(|| panic!("a $ref outside $defs: {r}"));
                resolve(schema, &schema["$defs"][name])
            }
            None => node,
        }
    }
    fn walk(schema: &Value, node: &Value, path: &str, out: &mut BTreeMap<String, String>) {
        let node = resolve(schema, node);
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                let p = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                walk(schema, sub, &p, out);
            }
            return;
        }
        let es_type = node
            .get("x-es-type")
            .or_else(|| {
                (node["type"] == "array")
                    .then(|| resolve(schema, &node["items"]).get("x-es-type"))
                    .flatten()
            })
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("schema field {path} has no x-es-type"));
        out.insert(path.to_string(), es_type.to_string());
    }
    let mut out = BTreeMap::new();
    walk(schema, schema, "", &mut out);
    out
}

/// A mapped leaf field: its type and its multi-fields (name → type).
#[derive(Debug)]
struct Mapped {
    es_type: String,
    multi: BTreeMap<String, String>,
    ignore_above: Option<u64>,
}

/// Every leaf field of a mapping's `properties` (dotted path).
fn template_fields(mappings: &Value) -> BTreeMap<String, Mapped> {
    fn walk(node: &Value, path: &str, out: &mut BTreeMap<String, Mapped>) {
        let props = node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{path}: properties is an object"));
        for (name, m) in props {
            let p = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            if m.get("properties").is_some() {
                assert!(
                    m.get("type").is_none() || m["type"] == "object",
                    "{p}: an object field with a type: {m}"
                );
                walk(m, &p, out);
                continue;
            }
            let es_type = m["type"]
                .as_str()
                .unwrap_or_else(|| panic!("{p}: no type: {m}"))
                .to_string();
            let multi = m
                .get("fields")
                .and_then(Value::as_object)
                .map(|f| {
                    f.iter()
                        .map(|(k, v)| (k.clone(), v["type"].as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(
                p,
                Mapped {
                    es_type,
                    multi,
                    ignore_above: m.get("ignore_above").and_then(Value::as_u64),
                },
            );
        }
    }
    let mut out = BTreeMap::new();
    walk(mappings, "", &mut out);
    out
}

/// The fields ECS 9.4 gives a `.text` (match_only_text) multi-field, among the schema's, and
/// user.audit.name, mapped like user.name.
const TEXT_MULTI_FIELDS: &[&str] = &[
    "process.command_line",
    "process.name",
    "process.executable",
    "process.working_directory",
    "process.parent.name",
    "process.group_leader.name",
    "process.group_leader.executable",
    "process.group_leader.working_directory",
    "process.group_leader.user.name",
    "process.session_leader.name",
    "process.session_leader.executable",
    "process.session_leader.working_directory",
    "process.session_leader.user.name",
    "process.entry_leader.name",
    "process.entry_leader.executable",
    "process.entry_leader.working_directory",
    "process.entry_leader.user.name",
    "user.name",
    "user.effective.name",
    "user.audit.name",
];

const TEMPLATE: &str = "packaging/elasticsearch/auditsh-index-template.json";

#[test]
fn index_template_maps_every_schema_field_with_its_type() {
    let schema = read_json("schema/record.schema.json");
    let template = read_json(TEMPLATE);
    let want = schema_fields(&schema);
    let mappings = &template["template"]["mappings"];
    let got = template_fields(mappings);

    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let wrong: Vec<String> = want
        .iter()
        .filter_map(|(k, t)| {
            let m = got.get(k)?;
            (m.es_type != *t).then(|| format!("{k}: schema {t}, template {}", m.es_type))
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && wrong.is_empty(),
        "{TEMPLATE} against the schema:\n  not mapped: {missing:?}\n  mapped, not in the schema: {extra:?}\n  other type: {wrong:?}"
    );
    // The ones the brief of this file names, and the schema's size (a walk that found nothing
    // would pass the comparison).
    assert!(want.len() > 100, "{} schema fields", want.len());
    for (field, t) in [
        ("@timestamp", "date"),
        ("message", "match_only_text"),
        ("process.command_line", "wildcard"),
        ("process.args", "keyword"),
        ("event.category", "keyword"),
        ("user.audit.id", "keyword"),
        ("source.ip", "ip"),
        ("process.pid", "long"),
        ("process.interactive", "boolean"),
    ] {
        assert_eq!(got[field].es_type, t, "{field}");
    }

    // Multi-fields: `.text` match_only_text where ECS has one, nowhere else.
    let with_multi: BTreeSet<&str> = got
        .iter()
        .filter(|(_, m)| !m.multi.is_empty())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        with_multi,
        TEXT_MULTI_FIELDS.iter().copied().collect::<BTreeSet<_>>()
    );
    for f in TEXT_MULTI_FIELDS {
        let m = &got[*f];
        assert_eq!(m.multi.len(), 1, "{f}: {m:?}");
        assert_eq!(
            m.multi.get("text").map(String::as_str),
            Some("match_only_text")
        );
    }

    // No keyword value can make Elasticsearch reject a record: a term may not pass 32766
    // bytes, a character takes at most 4.
    for (k, m) in &got {
        if m.es_type == "keyword" {
            let limit = m
                .ignore_above
                .unwrap_or_else(|| panic!("{k}: no ignore_above"));
            assert!(limit <= 32766 / 4, "{k}: ignore_above {limit}");
        }
    }

    // Unknown fields: not mapped on the fly, and the template says why.
    let dynamic = &mappings["dynamic"];
    assert!(
        *dynamic == Value::Bool(false) || *dynamic == "strict",
        "dynamic: {dynamic}"
    );
    assert!(template["_meta"]["dynamic"]
        .as_str()
        .is_some_and(|s| s.len() > 40));
    // A data stream template for logs-auditsh.*, ahead of the stack's logs-*-* (priority 100).
    assert!(template["data_stream"].is_object());
    assert_eq!(
        template["index_patterns"],
        serde_json::json!(["logs-auditsh.*"])
    );
    assert!(template["priority"].as_u64().unwrap() > 100);
}

/// Does `value` (a record's leaf, or one item of an array) index as `es_type`?
fn fits(es_type: &str, value: &Value) -> bool {
    match (es_type, value) {
        ("keyword" | "wildcard" | "match_only_text", Value::String(_)) => true,
        ("date", Value::String(s)) => DateTime::parse_from_rfc3339(s).is_ok(),
        ("ip", Value::String(s)) => s.parse::<std::net::IpAddr>().is_ok(),
        ("long", Value::Number(n)) => n.is_i64(),
        ("boolean", Value::Bool(_)) => true,
        _ => false,
    }
}

#[test]
fn real_records_fit_the_index_template() {
    let template = read_json(TEMPLATE);
    let got = template_fields(&template["template"]["mappings"]);
    let (_env, lines) = sample_lines();
    fn leaves(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    leaves(x, &p, out);
                }
            }
            _ => out.push((path.to_string(), v.clone())),
        }
    }
    let mut seen = BTreeSet::new();
    for line in &lines {
        let mut out = Vec::new();
        leaves(&parse(line), "", &mut out);
        for (path, value) in out {
            let m = got
                .get(&path)
                .unwrap_or_else(|| panic!("{path} is not mapped"));
            let items = match &value {
                Value::Array(a) => a.clone(),
                v => vec![v.clone()],
            };
            for item in &items {
                assert!(fits(&m.es_type, item), "{path}: {item} as {}", m.es_type);
            }
            seen.insert(path);
        }
    }
    // The sessions reached the fields that matter here.
    for f in [
        "process.command_line",
        "process.args",
        "error.code",
        "auditsh.signal",
        "auditsh.truncated",
        "auditsh.full.sha256",
        "auditsh.lossy",
        "event.duration",
        "process.group_leader.pid",
    ] {
        assert!(seen.contains(f), "no record had {f}");
    }
}

// ---------------------------------------------------------------------------------------------
// Splunk: props.conf and transforms.conf.

/// A Splunk .conf file: stanza → key → value (comments and blank lines skipped).
fn splunk_conf(rel: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let text = std::fs::read_to_string(top().join(rel)).unwrap();
    let mut conf: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut stanza = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(name) = l.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            stanza = name.to_string();
            assert!(!conf.contains_key(&stanza), "{rel}: [{stanza}] twice");
            conf.insert(stanza.clone(), BTreeMap::new());
            continue;
        }
        let (k, v) = l
            .split_once('=')
            .unwrap_or_else(|| panic!("{rel}: not KEY = VALUE: {line}"));
        assert!(
            !stanza.is_empty(),
            "{rel}: a setting outside a stanza: {line}"
        );
        let old = conf
            .get_mut(&stanza)
            .unwrap()
            .insert(k.trim().to_string(), v.trim().to_string());
        assert!(old.is_none(), "{rel}: {} twice in [{stanza}]", k.trim());
    }
    conf
}

/// Splunk's strptime format as chrono's. Only the conversions this test knows are allowed: a
/// format using another fails here rather than being guessed.
fn chrono_format(splunk: &str) -> String {
    let mut out = String::new();
    let mut rest = splunk;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let spec = &rest[i..];
        let (from, to) = [
            ("%Y", "%Y"),
            ("%m", "%m"),
            ("%d", "%d"),
            ("%H", "%H"),
            ("%M", "%M"),
            ("%S", "%S"),
            // Splunk's subseconds, 6 digits: microseconds.
            ("%6N", "%6f"),
        ]
        .into_iter()
        .find(|(from, _)| spec.starts_with(from))
        .unwrap_or_else(|| panic!("TIME_FORMAT {splunk}: no translation for {spec}"));
        out.push_str(to);
        rest = &spec[from.len()..];
    }
    out.push_str(rest);
    out
}

/// The time Splunk takes from `line` by `stanza`'s settings: the text after TIME_PREFIX's first
/// match, at most MAX_TIMESTAMP_LOOKAHEAD characters of it, parsed by TIME_FORMAT in TZ.
fn splunk_time(stanza: &BTreeMap<String, String>, line: &str) -> DateTime<Utc> {
    let prefix = Regex::new(&stanza["TIME_PREFIX"]).unwrap();
    let lookahead: usize = stanza["MAX_TIMESTAMP_LOOKAHEAD"].parse().unwrap();
    assert_eq!(stanza["TZ"], "UTC");
    let m = prefix
        .find(line)
        .unwrap_or_else(|| panic!("TIME_PREFIX does not match: {line}"));
    let after = &line[m.end()..];
    let end = after
        .char_indices()
        .nth(lookahead)
        .map_or(after.len(), |(i, _)| i);
    let window = &after[..end];
    let (t, _) = NaiveDateTime::parse_and_remainder(window, &chrono_format(&stanza["TIME_FORMAT"]))
        .unwrap_or_else(|e| {
            panic!(
                "TIME_FORMAT {} does not parse {window:?} ({e})",
                stanza["TIME_FORMAT"]
            )
        });
    t.and_utc()
}

fn record_time(record: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(record["@timestamp"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// What a transform's REGEX captures in `line` (None: no match, the line is left alone).
fn transform(
    transforms: &BTreeMap<String, BTreeMap<String, String>>,
    name: &str,
    line: &str,
) -> Option<Vec<String>> {
    let re = Regex::new(&transforms[name]["REGEX"]).unwrap();
    let caps = re.captures(line)?;
    Some(
        caps.iter()
            .map(|c| c.map_or(String::new(), |m| m.as_str().to_string()))
            .collect(),
    )
}

/// A transform's FORMAT with `$N` replaced by the captures.
fn format_with(format: &str, caps: &[String]) -> String {
    let re = Regex::new(r"\$(\d)").unwrap();
    re.replace_all(format, |c: &regex::Captures| {
        caps[c[1].parse::<usize>().unwrap()].clone()
    })
    .into_owned()
}

/// The transforms of `auditsh:syslog` on one rsyslog line: its record (what `_raw` becomes),
/// the indexed fields, the host.
struct SyslogEvent {
    raw: String,
    fields: BTreeMap<String, String>,
    host: Option<String>,
}

fn splunk_syslog_event(line: &str) -> SyslogEvent {
    let props = splunk_conf("packaging/splunk/props.conf");
    let transforms = splunk_conf("packaging/splunk/transforms.conf");
    let names: Vec<&str> = props["auditsh:syslog"]["TRANSFORMS-auditsh"]
        .split(',')
        .map(str::trim)
        .collect();
    let mut ev = SyslogEvent {
        raw: line.to_string(),
        fields: BTreeMap::new(),
        host: None,
    };
    // In the order listed, each on _raw as the one before left it.
    for name in names {
        let t = &transforms[name];
        let Some(caps) = transform(&transforms, name, &ev.raw) else {
            continue;
        };
        let out = format_with(&t["FORMAT"], &caps);
        match t.get("DEST_KEY").map(String::as_str) {
            Some("_raw") => ev.raw = out,
            Some("MetaData:Host") => {
                ev.host = Some(out.strip_prefix("host::").unwrap().to_string());
            }
            None => {
                assert_eq!(t["WRITE_META"], "true", "{name}");
                for pair in out.split_whitespace() {
                    let (k, v) = pair.split_once("::").unwrap();
                    ev.fields.insert(k.to_string(), v.to_string());
                }
            }
            Some(other) => panic!("{name}: DEST_KEY {other} is not known to this test"),
        }
    }
    ev
}

#[test]
fn splunk_props_take_each_records_time_and_whole_line() {
    let props = splunk_conf("packaging/splunk/props.conf");
    let (_env, lines) = sample_lines();
    let longest = lines.iter().map(Vec::len).max().unwrap();
    assert!(
        longest > 60_000,
        "the big record is there ({longest} bytes)"
    );
    for stanza in ["auditsh:json", "auditsh:syslog"] {
        let s = &props[stanza];
        assert_eq!(s["SHOULD_LINEMERGE"], "false", "[{stanza}]");
        assert_eq!(s["LINE_BREAKER"], "([\\r\\n]+)", "[{stanza}]");
        assert_eq!(s["KV_MODE"], "json", "[{stanza}]");
        assert!(!s.contains_key("INDEXED_EXTRACTIONS"));
        // The largest record the shell can write, and a syslog prefix.
        let truncate: usize = s["TRUNCATE"].parse().unwrap();
        assert!(
            truncate >= auditsh::config::MAX_RECORD_BYTES + 4096,
            "[{stanza}] TRUNCATE {truncate}"
        );
        assert!(truncate > longest + 4096);
    }

    // The spool's lines: one event each, the record's own time to the microsecond.
    let json = &props["auditsh:json"];
    for line in &lines {
        let text = std::str::from_utf8(line).unwrap();
        assert_eq!(splunk_time(json, text), record_time(&parse(line)), "{text}");
        // The whole timestamp fits the lookahead: a shorter one would cut the microseconds.
        let ts = parse(line)["@timestamp"].as_str().unwrap().to_string();
        assert!(ts.len() <= json["MAX_TIMESTAMP_LOOKAHEAD"].parse().unwrap());
    }

    // rsyslog's lines, in the formats props.conf names: the record's time (not the prefix's),
    // and _raw the spool's line exactly.
    let syslog = &props["auditsh:syslog"];
    for line in &lines {
        let text = std::str::from_utf8(line).unwrap();
        let record = parse(line);
        for wrapped in [
            format!("2026-12-03T10:00:00+00:00 web01 auditsh[4242]: trusted(uid=1000,gid=1001,pid=4242) {text}"),
            format!("2026-12-03T10:00:00+00:00 web01 auditsh[4242]: trusted(uid=1000,gid=1001,pid=4242) @cee: {text}"),
            format!("Dec  3 10:00:00 web01 auditsh[4242]: {text}"),
            format!("Dec  3 10:00:00 web01 auditsh[4242]: @cee: {text}"),
            format!("2026-12-03T10:00:00.123456+00:00 web01.example.org auditsh[4242]: {text}"),
        ] {
            assert_eq!(splunk_time(syslog, &wrapped), record_time(&record));
            let ev = splunk_syslog_event(&wrapped);
            assert_eq!(ev.raw, text, "the record alone, from {wrapped}");
            assert!(matches!(
                ev.host.as_deref(),
                Some("web01" | "web01.example.org")
            ));
            if wrapped.contains("trusted(") {
                assert_eq!(ev.fields["auditsh_sender_uid"], "1000");
                assert_eq!(ev.fields["auditsh_sender_gid"], "1001");
                assert_eq!(ev.fields["auditsh_sender_pid"], "4242");
            } else {
                assert!(ev.fields.is_empty());
            }
        }
    }
    // Its indexed fields are declared for the search heads.
    let fields = splunk_conf("packaging/splunk/fields.conf");
    for f in [
        "auditsh_sender_uid",
        "auditsh_sender_gid",
        "auditsh_sender_pid",
    ] {
        assert_eq!(fields[f]["INDEXED"], "true");
    }
}

// ---------------------------------------------------------------------------------------------
// rsyslog: the shipped mmjsonparse snippet in a real daemon.

/// The test's snippet, read after the shipped one and before auditsh.conf (whose `stop` ends
/// the records' processing): one JSON object per message with some of its `$!` properties and
/// the whole record; the shipped templates, each to a file of its own.
fn test_snippet(fields: &Path, example: &Path, record: &Path) -> String {
    format!(
        r#"template(name="ingest.fields" type="list" option.jsonf="on") {{
    property(outname="parsesuccess" name="parsesuccess" format="jsonf")
    property(outname="sender_uid" name="$!uid" format="jsonf")
    property(outname="@timestamp" name="$!record!@timestamp" format="jsonf")
    property(outname="event.action" name="$!record!event!action" format="jsonf")
    property(outname="event.sequence" name="$!record!event!sequence" format="jsonf")
    property(outname="event.id" name="$!record!event!id" format="jsonf")
    property(outname="process.pid" name="$!record!process!pid" format="jsonf")
    property(outname="process.command_line" name="$!record!process!command_line" format="jsonf")
    property(outname="process.args" name="$!record!process!args" format="jsonf")
    property(outname="user.name" name="$!record!user!name" format="jsonf")
    property(outname="user.id" name="$!record!user!id" format="jsonf")
    property(outname="auditsh.session" name="$!record!auditsh!session" format="jsonf")
    property(outname="record" name="$!record" format="jsonf")
}}
if $programname == "auditsh" then {{
    action(type="omfile" file="{fields}" template="ingest.fields")
    action(type="omfile" file="{example}" template="auditsh.example")
    action(type="omfile" file="{record}" template="auditsh.record")
}}
"#,
        fields = fields.display(),
        example = example.display(),
        record = record.display(),
    )
}

/// The JSON values one after another in `text`, up to the first that is not complete yet.
fn json_stream(text: &[u8]) -> Vec<Value> {
    serde_json::Deserializer::from_slice(text)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .collect()
}

/// Wait until `path` holds `n` JSON values; then a moment more, so that one too many shows.
fn wait_for_values(path: &Path, n: usize, rsyslog: &Rsyslog) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = json_stream(&std::fs::read(path).unwrap_or_default()).len();
        if got >= n {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} has {got} of {n} values; rsyslogd said: {}",
            path.display(),
            rsyslog.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    json_stream(&std::fs::read(path).unwrap())
}

/// A record's field at a dotted path (the first component may hold no dot: `@timestamp`).
fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |v, k| v.get(k))
}

/// The text rsyslog prints for a JSON value: a string as it is, a number or boolean as JSON
/// writes it, nothing for a missing field. Arrays and objects are compared parsed.
fn printed_matches(printed: &Value, want: Option<&Value>) -> bool {
    let p = printed
        .as_str()
        .unwrap_or_else(|| panic!("not text: {printed}"));
    match want {
        None => p.is_empty(),
        Some(Value::String(s)) => p == s,
        Some(v @ (Value::Array(_) | Value::Object(_))) => {
            serde_json::from_str::<Value>(p).is_ok_and(|x| x == *v)
        }
        // A number or a boolean, as JSON writes it.
        Some(v) => {
            let text = v.to_string();
            p == text
        }
    }
}

#[test]
fn rsyslog_mmjsonparse_gives_every_record_as_properties() {
    if !rsyslogd_present("rsyslog_mmjsonparse_gives_every_record_as_properties") {
        return;
    }
    let _serial = serial();
    let tmp = TempDir::new("ingest-rsyslog");
    // The daemon as on a Debian machine where install.sh installed auditsh.conf, with the
    // shipped snippet installed as its header says, and the test's snippet after it.
    let snippets = Rsyslog::packaged_snippets(tmp.path());
    std::fs::create_dir_all(&snippets).unwrap();
    std::os::unix::fs::symlink(
        top().join("packaging/rsyslog/auditsh-mmjsonparse.conf"),
        snippets.join("10-auditsh-mmjsonparse.conf"),
    )
    .unwrap();
    let out_file = |name: &str| -> PathBuf { tmp.path().join(name) };
    let (fields_log, example_log, record_log) = (
        out_file("fields.log"),
        out_file("example.log"),
        out_file("record.log"),
    );
    std::fs::write(
        snippets.join("20-ingest-test.conf"),
        test_snippet(&fields_log, &example_log, &record_log),
    )
    .unwrap();
    let rsyslog = Rsyslog::start_packaged(tmp.path(), true);
    let env = AuditEnv::builder()
        .tag("ingest-rsyslog")
        .syslog_socket(&rsyslog.socket)
        .build();

    // Plain JSON (the default), a record of about 64 KiB, and the @cee: cookie.
    run_ok(&env, TRICKY);
    run_ok(&env, &big());
    let cee = tmp.path().join("cee.toml");
    let text = std::fs::read_to_string(&env.config).unwrap();
    assert!(text.contains("[syslog]\n"));
    std::fs::write(
        &cee,
        text.replace("[syslog]\n", "[syslog]\ncee_cookie = true\n"),
    )
    .unwrap();
    let out = env
        .command()
        .env("AUDITSH_CONFIG", &cee)
        .args(["-c", "/bin/ls / | /bin/cat >/dev/null; /bin/true cee"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // What any local user can send under auditsh's tag: a JSON object that would replace the
    // kernel's credentials if it were parsed at the top of the tree, and text that is no JSON.
    let sock = UnixDatagram::unbound().unwrap();
    for msg in [
        r#"<14>auditsh[1]: {"uid":"4242424242","event":{"action":"forged"}}"#,
        "<14>auditsh[1]: not a record",
    ] {
        sock.send_to(msg.as_bytes(), &rsyslog.socket).unwrap();
    }

    let lines = spool_lines(&env);
    let n = lines.len();
    let recs: Vec<Value> = lines.iter().map(|l| parse(l)).collect();
    assert!(
        recs.iter().any(|r| r["auditsh"]["truncated"] == true),
        "the big record"
    );
    let printed = wait_for_values(&fields_log, n + 2, &rsyslog);
    assert_eq!(printed.len(), n + 2, "one line per message");

    // Every record: its properties are its fields.
    let by_id: BTreeMap<String, &Value> = printed
        .iter()
        .filter(|p| p["event.id"] != "")
        .map(|p| (p["event.id"].as_str().unwrap().to_string(), p))
        .collect();
    assert_eq!(by_id.len(), n, "every record once");
    for r in &recs {
        let id = r["event"]["id"].as_str().unwrap();
        let p = by_id
            .get(id)
            .unwrap_or_else(|| panic!("no properties for record {id}"));
        assert_eq!(p["parsesuccess"], "OK", "{id}");
        for f in [
            "@timestamp",
            "event.action",
            "event.sequence",
            "event.id",
            "process.pid",
            "process.command_line",
            "process.args",
            "user.name",
            "user.id",
            "auditsh.session",
        ] {
            assert!(
                printed_matches(&p[f], field(r, f)),
                "record {id}, {f}: rsyslog printed {}, the record has {:?}",
                p[f],
                field(r, f)
            );
        }
        // The whole record, as rsyslog renders the parsed tree.
        let whole: Value = serde_json::from_str(p["record"].as_str().unwrap()).unwrap();
        assert_eq!(whole, *r, "record {id} as a property tree");
        // The kernel's sender beside it: the session's user.
        assert_eq!(p["sender_uid"], r["user"]["id"], "record {id}");
    }
    // Pids were printed where records had them, and not where they had none (a program not
    // found): the comparison above saw both.
    assert!(recs.iter().any(|r| r["process"]["pid"].is_null()));
    assert!(recs.iter().any(|r| r["process"]["pid"].is_u64()));

    // The forged line is parsed under $!record and cannot touch $!uid.
    let forged = printed
        .iter()
        .find(|p| p["event.action"] == "forged")
        .expect("the forged line");
    assert_eq!(forged["parsesuccess"], "OK");
    assert_eq!(forged["sender_uid"], recs[0]["user"]["id"]);
    // The text that is no JSON: not parsed, and no field.
    let failed: Vec<&Value> = printed
        .iter()
        .filter(|p| p["parsesuccess"] == "FAIL")
        .collect();
    assert_eq!(failed.len(), 1, "{printed:?}");
    assert_eq!(failed[0]["event.action"], "");
    assert_eq!(
        serde_json::from_str::<Value>(failed[0]["record"].as_str().unwrap()).unwrap(),
        serde_json::json!({"msg": "not a record"})
    );

    // The shipped templates: auditsh.record is each record as one JSON object, auditsh.example
    // one line per message.
    let rendered = wait_for_values(&record_log, n + 2, &rsyslog);
    for r in &recs {
        assert!(
            rendered.contains(r),
            "auditsh.record renders {}",
            r["event"]["id"]
        );
    }
    let example = std::fs::read_to_string(&example_log).unwrap();
    assert_eq!(example.lines().count(), n + 2);
    for r in &recs {
        let want = format!(
            " {} action={} user={} uid={} ",
            r["event"]["id"].as_str().unwrap(),
            r["event"]["action"].as_str().unwrap(),
            r["user"]["name"].as_str().unwrap_or(""),
            r["user"]["id"].as_str().unwrap(),
        );
        assert!(
            example
                .lines()
                .any(|l| l.starts_with(r["@timestamp"].as_str().unwrap()) && l.contains(&want)),
            "auditsh.example has {want}"
        );
    }

    // auditsh.conf's own file still gets every record (the parse changes nothing there), and
    // Splunk's auditsh:syslog source type takes each one's time and the record byte for byte
    // from its line, and the kernel's credentials beside it.
    rsyslog.wait_for(n, Duration::from_secs(30));
    let syslog_lines = rsyslog.lines();
    assert_eq!(syslog_lines.len(), n, "auditsh.conf's file: every record");
    let props = splunk_conf("packaging/splunk/props.conf");
    let spool: BTreeSet<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    let mut seen = BTreeSet::new();
    for l in &syslog_lines {
        let text = std::str::from_utf8(l).unwrap();
        let ev = splunk_syslog_event(text);
        assert!(
            spool.contains(ev.raw.as_bytes()),
            "not a spool line: {}",
            ev.raw
        );
        seen.insert(ev.raw.clone());
        let record = parse(ev.raw.as_bytes());
        assert_eq!(
            splunk_time(&props["auditsh:syslog"], text),
            record_time(&record)
        );
        assert_eq!(
            ev.fields["auditsh_sender_uid"],
            record["user"]["id"].as_str().unwrap()
        );
        assert_eq!(
            ev.fields["auditsh_sender_gid"],
            record["group"]["id"].as_str().unwrap()
        );
        let host = ev.host.expect("the syslog host");
        let hostname = record["host"]["hostname"].as_str().unwrap();
        assert_eq!(host.split('.').next(), hostname.split('.').next());
    }
    assert_eq!(seen.len(), n, "every spool line once");
}
