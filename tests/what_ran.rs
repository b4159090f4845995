//! What a record says ran is what ran: the physical working directory and the executable's
//! identity (device, inode, resolved path) beside the path as typed; text a log viewer cannot
//! misrender (C1 controls, DEL, bidirectional overrides escaped); lossy strings that keep a raw
//! byte apart from the typed text `\xff`; the parent's name marked as the user's to choose.
//! The real binary in development mode (the fields: `audit::record::schema`).

mod common;

use common::*;
use serde_json::Value;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The exec records whose `process.args[0]` is `arg0`.
fn execs_by_arg0<'a>(recs: &'a [Value], arg0: &str) -> Vec<&'a Value> {
    recs.iter()
        .filter(|r| r["event"]["action"] == "exec" && r["process"]["args"][0] == arg0)
        .collect()
}

/// The command start record whose text is `text`.
fn command<'a>(recs: &'a [Value], text: &str) -> &'a Value {
    let found: Vec<&Value> = of_kind(recs, "command/start")
        .into_iter()
        .filter(|r| r["process"]["command_line"] == text)
        .collect();
    assert_eq!(found.len(), 1, "command {text:?}");
    found[0]
}

fn program(path: &Path, output: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\necho {output}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The identity fields of an exec record match the file at `path`.
fn assert_identity(rec: &Value, path: &Path) {
    let m = std::fs::metadata(path).unwrap();
    let exe = &rec["auditsh"]["executable"];
    assert_eq!(exe["device"], m.dev().to_string(), "{rec}");
    assert_eq!(exe["inode"], m.ino().to_string(), "{rec}");
}

#[test]
fn a_decoy_directory_does_not_hide_the_program_that_ran() {
    let env = AuditEnv::new();
    let a = env.dir().join("a");
    let real = env.dir().join("real");
    std::fs::create_dir(&a).unwrap();
    program(&a.join("x"), "ran-the-real-x");
    let setup = format!(
        "cd '{a}'; /bin/mv '{a}' '{real}'; /bin/mkdir '{a}'",
        a = a.display(),
        real = real.display()
    );
    let run_x = "echo \"pwd=$PWD\"; ./x";
    let script = format!("{setup}\n{run_x}\n");
    let out = env.run(&[], Some(script.as_bytes()));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("pwd={}\nran-the-real-x\n", a.display())
    );
    let recs = check_session(&env);
    let a_str = path_str(&a);
    let real_str = path_str(&real);

    let x = execs_by_arg0(&recs, "./x");
    assert_eq!(x.len(), 1);
    let x = x[0];
    assert_eq!(x["process"]["executable"], format!("{real_str}/x"), "{x}");
    assert_eq!(x["process"]["working_directory"], real_str.as_str());
    assert_eq!(x["auditsh"]["logical_cwd"], a_str.as_str());
    assert_identity(x, &real.join("x"));
    assert!(x["auditsh"]["executable"].get("target").is_none(), "{x}");

    // The command line's own record says where it ran too.
    let line = command(&recs, run_x);
    assert_eq!(line["process"]["working_directory"], real_str.as_str());
    assert_eq!(line["auditsh"]["logical_cwd"], a_str.as_str());
    assert_eq!(x["auditsh"]["command"], line["event"]["id"]);

    // Where the logical and physical directories agree, there is no second one.
    let first = command(&recs, &setup);
    assert_eq!(first["process"]["working_directory"], path_str(env.dir()));
    assert!(first["auditsh"].get("logical_cwd").is_none(), "{first}");
    let mv = execs_by_arg0(&recs, "/bin/mv");
    assert_eq!(mv.len(), 1);
    assert!(mv[0]["auditsh"].get("logical_cwd").is_none());
}

#[test]
fn a_symlinked_program_records_what_it_resolves_to() {
    let env = AuditEnv::new();
    let real = env.dir().join("real");
    std::fs::create_dir(&real).unwrap();
    program(&real.join("prog"), "ran-prog");
    std::os::unix::fs::symlink("prog", real.join("link")).unwrap();
    std::os::unix::fs::symlink(&real, env.dir().join("via")).unwrap();
    let real_str = path_str(&real);
    let dir = path_str(env.dir());
    let text = format!("{real_str}/link; {dir}/via/prog; {real_str}/prog; cd via && ./prog");
    let out = env.run(&["-c", &text], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran-prog\n".repeat(4));
    let recs = check_session(&env);
    let prog = format!("{real_str}/prog");

    // A symlink as the last component.
    let e = execs_by_arg0(&recs, &format!("{real_str}/link"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["process"]["executable"], format!("{real_str}/link"));
    assert_eq!(e[0]["auditsh"]["executable"]["target"], prog.as_str());
    assert_identity(e[0], &real.join("prog"));

    // A symlink as a directory on the way.
    let e = execs_by_arg0(&recs, &format!("{dir}/via/prog"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["auditsh"]["executable"]["target"], prog.as_str());
    assert_identity(e[0], &real.join("prog"));

    // No symlink: no target.
    let e = execs_by_arg0(&recs, &prog);
    assert_eq!(e.len(), 1);
    assert!(e[0]["auditsh"]["executable"].get("target").is_none());
    assert_identity(e[0], &real.join("prog"));

    // `cd` through the symlink: the logical directory is the link, the physical the real one.
    let e = execs_by_arg0(&recs, "./prog");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["process"]["executable"], prog.as_str());
    assert_eq!(e[0]["process"]["working_directory"], real_str.as_str());
    assert_eq!(e[0]["auditsh"]["logical_cwd"], format!("{dir}/via"));
}

#[test]
fn bidirectional_and_c1_controls_and_del_are_escaped_and_read_back_exactly() {
    let env = AuditEnv::new();
    let hostile = "x\u{202e}gnp.exe\u{85}y\u{7f}z\u{2066}\u{200f}\u{61c}\u{2028}";
    let text = format!("/bin/echo '{hostile}'");
    let out = env.run(&["-c", &text], None);
    assert_eq!(out.status.code(), Some(0));
    let spool = env.spool_text();
    for raw in [
        "\u{202e}", "\u{85}", "\u{7f}", "\u{2066}", "\u{200f}", "\u{61c}",
    ] {
        assert!(
            !spool.windows(raw.len()).any(|w| w == raw.as_bytes()),
            "raw {raw:?} in the spool"
        );
    }
    let spool_text = String::from_utf8(spool.clone()).unwrap();
    for escaped in [
        "\\u202e", "\\u0085", "\\u007f", "\\u2066", "\\u200f", "\\u061c", "\\u2028",
    ] {
        assert!(spool_text.contains(escaped), "{escaped} missing");
    }
    let recs = check_session(&env);
    assert_eq!(
        command(&recs, &text)["process"]["command_line"],
        text.as_str()
    );
    let e = execs_by_arg0(&recs, "/bin/echo");
    assert_eq!(e[0]["process"]["args"][1], hostile);
    assert!(e[0]["message"].as_str().unwrap().ends_with(hostile));
    assert!(e[0]["auditsh"].get("lossy").is_none());
}

#[test]
fn a_raw_byte_and_the_typed_text_backslash_x_ff_read_differently() {
    let env = AuditEnv::new();
    // argv[1] is the byte 0xff, argv[2] the four characters `\xff`.
    let text = "/bin/echo \"$(printf '\\377')\" '\\xff' 'a\\b'";
    let out = env.run(&["-c", text], None);
    assert_eq!(out.stdout, b"\xff \\xff a\\b\n");
    let recs = check_session(&env);
    // The command line itself is valid UTF-8: not lossy, its text exact.
    let line = command(&recs, text);
    assert!(line["auditsh"].get("lossy").is_none());
    let e = execs_by_arg0(&recs, "/bin/echo");
    assert_eq!(e.len(), 1);
    let e = e[0];
    assert_eq!(e["auditsh"]["lossy"], true);
    let args: Vec<&str> = e["process"]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["/bin/echo", "\\xff", "\\\\xff", "a\\\\b"]);
    assert_ne!(args[1], args[2]);
    // Each decodes back to the exact bytes.
    let decoded: Vec<Vec<u8>> = args
        .iter()
        .map(|a| auditsh::audit::text::decode_lossy(a).expect("a lossy string decodes"))
        .collect();
    assert_eq!(
        decoded,
        [
            b"/bin/echo".to_vec(),
            b"\xff".to_vec(),
            b"\\xff".to_vec(),
            b"a\\b".to_vec()
        ]
    );
    assert!(e["message"]
        .as_str()
        .unwrap()
        .ends_with(" \\xff \\\\xff a\\\\b"));

    // The same in one command line: the raw byte and the typed text.
    let env = AuditEnv::new();
    let mut c = env.command();
    c.arg("-c")
        .arg(std::ffi::OsStr::from_bytes(b": '\xff' '\\xff'"));
    let out = run_with_stdin(c, None);
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts[0]["auditsh"]["lossy"], true);
    assert_eq!(starts[0]["process"]["command_line"], ": '\\xff' '\\\\xff'");
}

#[test]
fn a_parent_run_by_the_user_is_marked_untrusted() {
    let env = AuditEnv::new();
    let out = env.run(&["-c", "true"], None);
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let start = &recs[0];
    assert!(start["process"]["parent"]["name"].is_string(), "{start}");
    assert_eq!(start["auditsh"]["parent_trusted"], false, "{start}");
    // The mark is part of session-start only, beside the name.
    assert!(recs[1..]
        .iter()
        .all(|r| r["auditsh"].get("parent_trusted").is_none()));

    // A program the user runs may call itself anything: still untrusted.
    let env = AuditEnv::new();
    let fake = env.dir().join("sshd");
    std::fs::copy("/bin/sh", &fake).unwrap();
    let mut c = env.command_at(&fake);
    c.args(["-c", &format!("'{AUDITSH}' -c true; :")]);
    let out = run_with_stdin(c, None);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let recs = check_session(&env);
    assert_eq!(recs[0]["process"]["parent"]["name"], "sshd");
    assert_eq!(recs[0]["auditsh"]["parent_trusted"], false);
}

#[test]
fn a_parent_started_by_root_for_another_user_is_trusted() {
    if !is_root() || !Path::new("/usr/bin/setpriv").exists() {
        skip(
            "a_parent_started_by_root_for_another_user_is_trusted",
            "needs root and setpriv",
        );
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let env = AuditEnv::new();
    for (p, mode) in [
        (env.dir().to_path_buf(), 0o777),
        (env.spool_dir().to_path_buf(), 0o777),
        (env.dir().join("log.sock"), 0o666),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    // setpriv execs the shell: its parent is this test, running as root.
    let mut c = env.command_at("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args([AUDITSH, "-c", "true"]);
    let out = run_with_stdin(c, None);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let recs = check_session(&env);
    assert_eq!(recs[0]["user"]["id"], "65534");
    assert!(recs[0]["process"]["parent"]["name"].is_string());
    assert_eq!(recs[0]["auditsh"]["parent_trusted"], true, "{}", recs[0]);
}

#[test]
fn programs_of_a_process_substitution_are_recorded_under_their_command_line() {
    let env = AuditEnv::new();
    let text = "/bin/cat <(/bin/echo inner) <(/bin/cat /dev/null)";
    let script = format!("cd '{}'\n{text}\n", env.dir().display());
    let out = env.run(&[], Some(script.as_bytes()));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "inner\n");
    // The spool, in sequence order. (The syslog copies of records written by processes that
    // run at once may arrive in another order: `check_session` compares the two line by line.)
    let recs = env.records();
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["event"]["sequence"], i as u64);
    }
    let line = command(&recs, text);
    let echo = execs_by_arg0(&recs, "/bin/echo");
    assert_eq!(echo.len(), 1, "{recs:?}");
    assert_eq!(echo[0]["auditsh"]["command"], line["event"]["id"]);
    let cats = execs_by_arg0(&recs, "/bin/cat");
    assert_eq!(cats.len(), 2);
    let outer = cats
        .iter()
        .find(|r| {
            r["process"]["args"]
                .as_array()
                .is_some_and(|a| a.len() == 3)
        })
        .expect("the cat given both paths");
    for arg in &outer["process"]["args"].as_array().unwrap()[1..] {
        assert!(arg.as_str().unwrap().starts_with("/dev/fd/"), "{outer}");
    }
}
