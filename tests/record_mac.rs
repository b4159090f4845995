//! Authenticated records against the real shell and `auditsh-log`: a session sealed with the
//! host's key verifies with `verify --key`, and the attacks on sealed logs known from
//! journald's Forward Secure Sealing are reported — forged sessions (syslog and spool), a
//! session cut and continued (CVE-2023-31438), records re-sealed with a later day's key
//! (CVE-2023-31439), an unsealed file. The attacker holds what a later compromise of the host
//! gives: the host's key state of a later day (derived here from the state file).

mod common;

use common::{toml_path, AuditEnv, AUDITSH, AUDITSH_LOG};

use auditsh::audit::chain::{hex64, line_hash, GENESIS};
use auditsh::audit::mac::{self, Key, Sealer};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static OUT: AtomicUsize = AtomicUsize::new(0);

/// A test environment with syslog to a socket the test binds, and what the tests of keys add
/// to it.
struct Env(AuditEnv);

impl std::ops::Deref for Env {
    type Target = AuditEnv;
    fn deref(&self) -> &AuditEnv {
        &self.0
    }
}

impl Env {
    /// A spool, a syslog socket, and (when `key`) a key made by `auditsh-log key init` that
    /// the config names.
    fn new(key: bool) -> Env {
        let mut env = Env(AuditEnv::builder().tag("mac-it").build());
        if key {
            let o = env.key_init(&[]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let table = env.mac_table();
            env.0.reconfigure(|c| c.tables(&table));
        }
        env
    }

    fn state(&self) -> PathBuf {
        self.dir().join("state.key")
    }

    fn verify_key(&self) -> PathBuf {
        self.dir().join("verify.key")
    }

    /// The config's table naming the key state.
    fn mac_table(&self) -> String {
        format!("[mac]\nkey_file = {}", toml_path(&self.state()))
    }

    fn key_init(&self, extra: &[&str]) -> Output {
        Command::new(AUDITSH_LOG)
            .args(["key", "init", "--state"])
            .arg(self.state())
            .arg("--verify-key")
            .arg(self.verify_key())
            .args(extra)
            .output()
            .unwrap()
    }

    /// `auditsh -c SCRIPT`: its spool file's lines and its syslog lines (as a syslog file
    /// holds them).
    fn session(&self, script: &str) -> (PathBuf, Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let s = self.0.session(script);
        assert!(s.out.status.success(), "{}", stderr(&s.out));
        assert_eq!(self.spool_files().len(), 1);
        let lines = lines_of(&std::fs::read(&s.file).unwrap());
        let syslog = self.syslog_messages(lines.len());
        assert_eq!(syslog.len(), lines.len());
        (s.file, lines, syslog)
    }

    /// Write `lines` to a new file `name` in a new directory.
    fn file(&self, name: &str, lines: &[Vec<u8>]) -> PathBuf {
        let d = self.subdir(&format!("out-{}", OUT.fetch_add(1, Ordering::SeqCst)));
        let p = d.join(name);
        let mut text = Vec::new();
        for l in lines {
            text.extend_from_slice(l);
            text.push(b'\n');
        }
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn lines_of(text: &[u8]) -> Vec<Vec<u8>> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `auditsh-log verify [--key KEY] FILE`.
fn verify(key: Option<&Path>, file: &Path) -> Output {
    let mut c = Command::new(AUDITSH_LOG);
    c.arg("verify");
    if let Some(k) = key {
        c.arg("--key").arg(k);
    }
    c.arg(file).stdin(Stdio::null()).output().unwrap()
}

/// The findings of a verify run (every line but the summary), and the summary.
fn findings(o: &Output) -> (Vec<String>, String) {
    let out = stdout(o);
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    let summary = lines.pop().unwrap_or_default();
    (lines, summary)
}

/// The line numbers of findings that contain `what`.
fn lines_with(f: &[String], what: &str) -> Vec<usize> {
    f.iter()
        .filter(|l| l.contains(what))
        .map(|l| {
            let after_file = l.split(": session ").next().unwrap();
            after_file.rsplit(':').next().unwrap().parse().unwrap()
        })
        .collect()
}

const SCRIPT: &str = "/bin/echo genuine; /bin/true one; /bin/true two; /bin/true three";

fn today() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    mac::day_of(secs as i64)
}

/// What the attacker holds after taking the host `days_later` days from now: the state file
/// brought forward (as the first shell of that day would).
fn attackers_key(env: &Env, days_later: u64) -> Sealer {
    let mut k = Key::read(&env.state(), false).unwrap();
    k.evolve_to(today() + days_later);
    let mut s = Sealer::new(k);
    s.epoch_for(today() + days_later);
    s
}

/// A sealed line without its `,"key_epoch":N,"mac":"…"` (what the encoder writes before
/// them).
fn unsealed(line: &[u8]) -> Vec<u8> {
    let at = find_last(line, b",\"key_epoch\":").unwrap_or(line.len() - 2);
    let mut l = line[..at].to_vec();
    l.extend_from_slice(b"}}");
    l
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn replace(line: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8(line.to_vec())
        .unwrap()
        .replace(from, to)
        .into_bytes()
}

/// How a rebuilt line is sealed.
enum Seal<'a> {
    None,
    /// With the attacker's key, claiming `epoch` as `auditsh.key_epoch`.
    With(&'a Sealer, u64),
}

/// `lines` as an attacker rewrites them: each edited by `edit` (on the unsealed text), the
/// chain recomputed from `prev` on, sealed as `seal` says.
fn rebuild(
    lines: &[Vec<u8>],
    mut prev: [u8; 32],
    edit: impl Fn(&[u8]) -> Vec<u8>,
    seal: &Seal<'_>,
) -> Vec<Vec<u8>> {
    lines
        .iter()
        .map(|l| {
            let mut l = edit(&unsealed(l));
            let at = find_last(&l, b"\"prev\":\"").unwrap() + 8;
            l[at..at + 64].copy_from_slice(&hex64(&prev));
            if let Seal::With(sealer, epoch) = seal {
                l.truncate(l.len() - 2);
                l.extend_from_slice(format!(",\"key_epoch\":{epoch}}}}}").as_bytes());
                sealer.seal(&mut l);
            }
            prev = line_hash(&l);
            l
        })
        .collect()
}

/// As a syslog daemon writes them: `<86>Dec  3 10:00:00 host auditsh[4242]: {json}`.
fn as_syslog(lines: &[Vec<u8>]) -> Vec<Vec<u8>> {
    lines
        .iter()
        .map(|l| {
            let mut s = b"<86>Dec  3 10:00:00 host auditsh[4242]: ".to_vec();
            s.extend_from_slice(l);
            s
        })
        .collect()
}

/// `file` verifies with no finding with and without `--key KEY`, every record authenticated.
fn assert_authentic(key: &Path, file: &Path, records: usize) {
    let o = verify(Some(key), file);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).ends_with(&format!(
            "{records} records, {records} authenticated, 0 findings\n"
        )),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_sealed_session_verifies_with_the_key_in_the_spool_and_in_syslog() {
    let env = Env::new(true);
    let (file, lines, syslog) = env.session(SCRIPT);
    let n = lines.len();
    for l in &lines {
        let v: serde_json::Value = serde_json::from_slice(l).unwrap();
        assert_eq!(v["auditsh"]["key_epoch"], today());
        assert!(l.ends_with(b"\"}}"));
        let tail = String::from_utf8_lossy(&l[l.len() - 160..]).into_owned();
        assert!(
            tail.contains(&format!("\",\"key_epoch\":{},\"mac\":\"", today())),
            "{tail}"
        );
    }
    // With the verification key and with the host's state (the same day).
    assert_authentic(&env.verify_key(), &file, n);
    assert_authentic(&env.state(), &file, n);
    let log = env.file("auth.log", &syslog);
    assert_authentic(&env.verify_key(), &log, n);
    // Without --key, as before (the summary does not claim what was not checked).
    let o = verify(None, &file);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("1 file, 1 session, {n} records, 0 findings\n")
    );
    // A key of a later day cannot check today's records, and says so.
    let later = env.dir().join("later.key");
    let mut k = Key::read(&env.state(), false).unwrap();
    k.evolve_to(today() + 1);
    k.replace_file(&later, 0o600).unwrap();
    let o = verify(Some(&later), &file);
    assert_eq!(o.status.code(), Some(1));
    let (f, _) = findings(&o);
    assert_eq!(
        lines_with(&f, "cannot be checked with this key"),
        (1..=n).collect::<Vec<_>>(),
        "{}",
        stdout(&o)
    );
}

#[test]
fn key_init_refuses_to_overwrite_and_a_bad_key_file_is_one_line() {
    let env = Env::new(true);
    let before = std::fs::read(env.state()).unwrap();
    let o = env.key_init(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "auditsh-log: key init: {} exists: not replaced (--force replaces it; records sealed under the old key are then checked only with its verification key)\n",
            env.state().display()
        )
    );
    assert_eq!(std::fs::read(env.state()).unwrap(), before);
    let o = env.key_init(&["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(std::fs::read(env.state()).unwrap(), before);
    assert_eq!(
        std::fs::read(env.state()).unwrap(),
        std::fs::read(env.verify_key()).unwrap()
    );
    let mode = |p: &Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions())
            & 0o777
    };
    assert_eq!(mode(&env.state()), 0o600);
    assert_eq!(mode(&env.verify_key()), 0o400);

    let bad = env.dir().join("bad.key");
    std::fs::write(&bad, "auditsh-key 1 epoch=x key=00\n").unwrap();
    let o = verify(Some(&bad), env.dir());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "auditsh-log: {}: no epoch=DAY (expected one line `auditsh-key 1 epoch=DAY key=HEX`)\n",
            bad.display()
        )
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn a_forged_session_is_unauthenticated_in_syslog_and_in_the_spool() {
    let env = Env::new(true);
    let (_, lines, _) = env.session(SCRIPT);
    let v: serde_json::Value = serde_json::from_slice(&lines[0]).unwrap();
    let genuine = v["auditsh"]["session"].as_str().unwrap().to_string();
    let forged_id = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";
    let user = v["user"]["name"].as_str().unwrap().to_string();
    let forge = |l: &[u8]| {
        replace(
            &replace(l, &genuine, forged_id),
            &format!("\"name\":\"{user}\""),
            "\"name\":\"alice\"",
        )
    };
    let n = lines.len();
    // Well chained, no MAC (what `logger -t 'auditsh[4242]'` can send), and with MACs under
    // a key that is not the host's.
    let stranger = Sealer::new(Key::new(today(), [0x42; 32]));
    let bare = rebuild(&lines, GENESIS, forge, &Seal::None);
    let fake = rebuild(&lines, GENESIS, forge, &Seal::With(&stranger, today()));
    for (forged, what) in [
        (&bare, "not authenticated: the record has no MAC"),
        (&fake, "MAC does not match (forged or altered)"),
    ] {
        let spool = env.file(&format!("{forged_id}.jsonl"), forged);
        let syslog = env.file("messages", &as_syslog(forged));
        for file in [&spool, &syslog] {
            // The chain alone cannot tell.
            let o = verify(None, file);
            assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
            let o = verify(Some(&env.verify_key()), file);
            assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
            let (f, summary) = findings(&o);
            assert_eq!(f.len(), n, "{}", stdout(&o));
            assert_eq!(lines_with(&f, what), (1..=n).collect::<Vec<_>>());
            assert!(
                f.iter()
                    .all(|l| l.contains(&format!("session {forged_id}"))),
                "{f:?}"
            );
            assert!(summary.contains(" 0 authenticated, "), "{summary}");
        }
    }
}

#[test]
fn a_session_cut_and_continued_is_reported() {
    let env = Env::new(true);
    let (_, lines, _) = env.session(SCRIPT);
    let n = lines.len();
    let keep = 3;
    // The continuation: the genuine records after the cut with other text, chained on.
    let tail = &lines[keep..];
    // The programs' own fields (the session's leaders, which carry the shell's script, stay
    // as the session-start names them).
    let edit = |l: &[u8]| {
        replace(
            l,
            "\"executable\":\"/bin/true\"",
            "\"executable\":\"/bin/echo\"",
        )
    };
    let chained_from = line_hash(&lines[keep - 1]);
    let tomorrow = attackers_key(&env, 1);
    for (seal, what) in [
        (Seal::None, "not authenticated: the record has no MAC"),
        // The host's key as a later compromise has it, claiming its own day...
        (
            Seal::With(&tomorrow, today() + 1),
            "sealed with the key of another day",
        ),
        // ...or claiming the records' day, which that key is not.
        (
            Seal::With(&tomorrow, today()),
            "MAC does not match (forged or altered)",
        ),
    ] {
        let mut cut = lines[..keep].to_vec();
        cut.extend(rebuild(tail, chained_from, edit, &seal));
        let file = env.file("cut.jsonl", &cut);
        // The chain holds; the key does not.
        let o = verify(None, &file);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        let o = verify(Some(&env.verify_key()), &file);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        let (f, _) = findings(&o);
        assert_eq!(
            lines_with(&f, what),
            (keep + 1..=n).collect::<Vec<_>>(),
            "{}",
            stdout(&o)
        );
        assert!(
            lines_with(&f, "").iter().all(|&l| l > keep),
            "the genuine part is clean: {f:?}"
        );
    }
    // Cut, nothing appended: the genuine part verifies, and the session has no end.
    let file = env.file("cut.jsonl", &lines[..keep]);
    let o = verify(Some(&env.verify_key()), &file);
    let (f, _) = findings(&o);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].contains("has no end (unterminated)"), "{f:?}");
}

/// Whoever takes the host on a later day holds that day's key, and can seal records dated
/// that day. Continuing an earlier day's session with them (as if it had gone on past
/// midnight) still takes the earlier key: a session's key moves on only through a
/// `key-rollover` record sealed with the key before it.
#[test]
fn a_session_continued_into_a_later_day_needs_the_earlier_days_key() {
    let env = Env::new(true);
    let (_, lines, _) = env.session(SCRIPT);
    let n = lines.len();
    let keep = 3;
    let tomorrow = attackers_key(&env, 1);
    let later = |l: &[u8]| {
        replace(
            l,
            &format!("\"@timestamp\":\"{}", mac::date_of(today())),
            &format!("\"@timestamp\":\"{}", mac::date_of(today() + 1)),
        )
    };
    let mut cut = lines[..keep].to_vec();
    cut.extend(rebuild(
        &lines[keep..],
        line_hash(&lines[keep - 1]),
        later,
        &Seal::With(&tomorrow, today() + 1),
    ));
    let file = env.file("continued.jsonl", &cut);
    let o = verify(None, &file);
    assert_eq!(o.status.code(), Some(0), "the chain holds: {}", stdout(&o));
    let o = verify(Some(&env.verify_key()), &file);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let (f, _) = findings(&o);
    assert_eq!(
        lines_with(&f, "which this session never moved to"),
        (keep + 1..=n).collect::<Vec<_>>(),
        "{}",
        stdout(&o)
    );
    assert!(
        lines_with(&f, "").iter().all(|&l| l > keep),
        "the genuine part is clean: {f:?}"
    );

    // A key-rollover record of the attacker's own making, sealed with the only key they have.
    let rollover = {
        let l = String::from_utf8(unsealed(&lines[keep])).unwrap();
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        let action = format!("\"action\":\"{}\"", v["event"]["action"].as_str().unwrap());
        l.replacen(&action, "\"action\":\"key-rollover\"", 1)
            .replacen(
                ",\"prev\":\"",
                &format!(",\"next_key_epoch\":{},\"prev\":\"", today() + 1),
                1,
            )
            .into_bytes()
    };
    let mut forged = lines[..keep].to_vec();
    // It takes the place of the first record after the cut.
    let mut tail = vec![rollover];
    tail.extend(lines[keep + 1..].iter().map(|l| unsealed(l)));
    forged.extend(rebuild(
        &tail,
        line_hash(&lines[keep - 1]),
        later,
        &Seal::With(&tomorrow, today() + 1),
    ));
    let file = env.file("rolled.jsonl", &forged);
    let o = verify(Some(&env.verify_key()), &file);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let (f, _) = findings(&o);
    assert!(
        lines_with(
            &f,
            "a key-rollover record must be sealed with an earlier day's key"
        ) == [keep + 1],
        "{}",
        stdout(&o)
    );
    assert_eq!(
        lines_with(&f, "which this session never moved to"),
        (keep + 1..=n).collect::<Vec<_>>(),
        "{}",
        stdout(&o)
    );
}

#[test]
fn records_re_sealed_with_a_later_key_are_reported() {
    let env = Env::new(true);
    let (_, lines, _) = env.session(SCRIPT);
    let n = lines.len();
    let tomorrow = attackers_key(&env, 1);
    let altered = 2;
    // The program's argument (the leaders' copy of the shell's script stays).
    let edit = |l: &[u8]| replace(l, "\"genuine\"", "\"innocent\"");
    assert!(String::from_utf8_lossy(&lines[altered]).contains("genuine"));
    let prev = line_hash(&lines[altered - 1]);
    for (seal, what) in [
        // Keeping today's epoch: the MAC is not today's key's.
        (
            Seal::With(&tomorrow, today()),
            "MAC does not match (forged or altered)",
        ),
        // Changing it: the key is not of the records' day.
        (
            Seal::With(&tomorrow, today() + 1),
            "sealed with the key of another day",
        ),
    ] {
        let mut resealed = lines[..altered].to_vec();
        resealed.extend(rebuild(&lines[altered..], prev, edit, &seal));
        let file = env.file("resealed.jsonl", &resealed);
        let o = verify(None, &file);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        let o = verify(Some(&env.verify_key()), &file);
        assert_eq!(o.status.code(), Some(1));
        let (f, _) = findings(&o);
        assert_eq!(
            lines_with(&f, what),
            (altered + 1..=n).collect::<Vec<_>>(),
            "{}",
            stdout(&o)
        );
    }
    // The first records re-sealed (dated tomorrow, with tomorrow's key), the rest left as they
    // were: the chain breaks, and the session's key goes back.
    let dated = |l: &[u8]| {
        let this_day = format!("\"@timestamp\":\"{}T", mac::date_of(today()));
        let next_day = format!("\"@timestamp\":\"{}T", mac::date_of(today() + 1));
        assert!(String::from_utf8_lossy(l).contains(&this_day));
        replace(&edit(l), &this_day, &next_day)
    };
    let mut mixed = rebuild(
        &lines[..=altered],
        GENESIS,
        dated,
        &Seal::With(&tomorrow, today() + 1),
    );
    mixed.extend_from_slice(&lines[altered + 1..]);
    let file = env.file("mixed.jsonl", &mixed);
    let o = verify(Some(&env.verify_key()), &file);
    let (f, _) = findings(&o);
    assert_eq!(
        lines_with(&f, "a session's key never goes back"),
        [altered + 2],
        "{}",
        stdout(&o)
    );
    assert_eq!(
        lines_with(&f, "was altered"),
        [altered + 1],
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unsealed_file_passes_nothing() {
    // A shell with no key writes records without MAC: under --key, every one is a finding.
    let env = Env::new(false);
    let (file, lines, syslog) = env.session(SCRIPT);
    assert!(lines
        .iter()
        .all(|l| !String::from_utf8_lossy(l).contains("\"mac\"")));
    let key = env.dir().join("some.key");
    Key::new(today(), [3; 32])
        .replace_file(&key, 0o600)
        .unwrap();
    for f in [file.clone(), env.file("syslog", &syslog)] {
        let o = verify(Some(&key), &f);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        let (found, summary) = findings(&o);
        assert_eq!(
            lines_with(&found, "not authenticated: the record has no MAC"),
            (1..=lines.len()).collect::<Vec<_>>()
        );
        assert!(summary.ends_with(&format!(
            "{} records, 0 authenticated, {} findings",
            lines.len(),
            lines.len()
        )));
    }
    // A MAC stripped from a sealed session's records: likewise.
    let env = Env::new(true);
    let (_, lines, _) = env.session(SCRIPT);
    let stripped = rebuild(&lines, GENESIS, <[u8]>::to_vec, &Seal::None);
    let file = env.file("stripped.jsonl", &stripped);
    let o = verify(Some(&env.verify_key()), &file);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(findings(&o).0.len(), lines.len());
}

#[test]
fn a_shell_without_its_key_warns_and_records_so() {
    let env = Env::new(true);
    std::fs::remove_file(env.state()).unwrap();
    let out = env.command().args(["-c", "/bin/true"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        format!(
            "auditsh: audit: records are not authenticated: {}: No such file or directory\n",
            env.state().display()
        )
    );
    let spool = env.spool_dir();
    let o = verify(Some(&env.verify_key()), spool);
    assert_eq!(o.status.code(), Some(1));
    let (f, _) = findings(&o);
    assert!(!f.is_empty());
    assert!(f.iter().all(|l| l.contains("not authenticated")), "{f:?}");
    let text = stdout(&o);
    assert!(text.contains(":2: session "), "{text}");
    let recs = env.records();
    assert_eq!(recs[1]["event"]["action"], "audit-failure");
    assert_eq!(recs[1]["auditsh"]["sink"], "mac");
}

#[test]
fn key_evolve_brings_the_state_forward_and_keeps_its_owner() {
    let env = Env::new(false);
    let seed = [0x11; 32];
    Key::new(today() - 2, seed)
        .replace_file(&env.state(), 0o600)
        .unwrap();
    let root = common::is_root();
    if root {
        std::os::unix::fs::chown(env.state(), Some(65534), Some(65534)).unwrap();
    }
    let evolve = || {
        Command::new(AUDITSH_LOG)
            .args(["key", "evolve", "--state"])
            .arg(env.state())
            .output()
            .unwrap()
    };
    let o = evolve();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let mut want = Key::new(today() - 2, seed);
    want.evolve_to(today());
    // The file's text for the evolved key, through the library's writer.
    let expected_file = env.dir().join("expected");
    want.replace_file(&expected_file, 0o600).unwrap();
    let expected = std::fs::read(&expected_file).unwrap();
    assert_eq!(std::fs::read(env.state()).unwrap(), expected);
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(env.state()).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    if root {
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
    // Nothing to do the second time; a missing state is one line.
    let o = evolve();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read(env.state()).unwrap(), expected);
    std::fs::remove_file(env.state()).unwrap();
    let o = evolve();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "auditsh-log: key evolve: {}: No such file or directory\n",
            env.state().display()
        )
    );
}

#[test]
fn a_users_umask_does_not_change_the_state_files_mode() {
    let env = Env::new(true);
    Key::new(today() - 1, [0x21; 32])
        .replace_file(&env.state(), 0o600)
        .unwrap();
    // The day's first session, started with the most restrictive umask, brings the state
    // forward: the new file keeps its mode (the next sessions must read it).
    let out = env
        .command_at("/bin/sh")
        .arg("-c")
        .arg("umask 777; exec \"$0\" -c /bin/true")
        .arg(AUDITSH)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(env.state()).unwrap().mode() & 0o777,
        0o600
    );
    assert_eq!(Key::read(&env.state(), false).unwrap().epoch(), today());
}

#[test]
fn a_users_file_size_limit_leaves_the_state_behind_and_says_so() {
    let env = Env::new(true);
    let seed = [0x31; 32];
    Key::new(today() - 1, seed)
        .replace_file(&env.state(), 0o600)
        .unwrap();
    // Records to syslog only: under `ulimit -f 0` the spool cannot take a byte.
    let config = env.write_config("syslog-only.toml", |c| c.spool_off());
    let out = env
        .command_at("/bin/sh")
        .arg("-c")
        // SIGXFSZ ignored from the start: the shell's other writes (its shared state) are
        // not this test's subject, the key state's write-back is.
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" -c /bin/true")
        .arg(AUDITSH)
        .env("AUDITSH_CONFIG", &config)
        .output()
        .unwrap();
    // Not killed by SIGXFSZ: the session runs, sealed with today's key (derived in memory),
    // and the state that could not be written back is reported.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.starts_with("auditsh: audit: the key state was not brought forward (")
            && err.contains("File too large")
            && err.ends_with("an earlier day's key is still on disk\n"),
        "{err}"
    );
    assert_eq!(Key::read(&env.state(), false).unwrap().epoch(), today() - 1);
    let syslog = env.syslog_messages(4);
    assert!(syslog.len() >= 4, "{syslog:?}");
    let seed_file = env.dir().join("seed.key");
    Key::new(today() - 1, seed)
        .replace_file(&seed_file, 0o600)
        .unwrap();
    let o = verify(Some(&seed_file), &env.file("messages", &syslog));
    let (f, summary) = findings(&o);
    assert!(f.is_empty(), "{f:?}");
    assert!(summary.ends_with(" authenticated, 0 findings"), "{summary}");
    assert!(
        String::from_utf8_lossy(&syslog[1]).contains("\"sink\":\"mac\""),
        "{syslog:?}"
    );
}
