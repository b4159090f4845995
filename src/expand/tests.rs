//! Expansion compared with dash: the same word, the same variables and parameters, under
//! `/usr/bin/dash` and here.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::testword::word;
use super::*;
use crate::audit::Session;
use crate::syntax::ast::ParamExp;
use crate::testutil::{self, TempDir};

/// The state a test sets up, applied both to a [`Shell`] and as a dash script.
#[derive(Default, Clone)]
struct Env {
    vars: Vec<(&'static [u8], Option<&'static [u8]>)>,
    args: Vec<&'static [u8]>,
    readonly: Vec<&'static [u8]>,
    nounset: bool,
    noglob: bool,
    dir: Option<PathBuf>,
}

fn env() -> Env {
    Env::default()
}

impl Env {
    fn var(mut self, name: &'static str, value: &'static str) -> Env {
        self.vars.push((name.as_bytes(), Some(value.as_bytes())));
        self
    }
    fn bvar(mut self, name: &'static str, value: &'static [u8]) -> Env {
        self.vars.push((name.as_bytes(), Some(value)));
        self
    }
    fn unset(mut self, name: &'static str) -> Env {
        self.vars.push((name.as_bytes(), None));
        self
    }
    fn args(mut self, args: &[&'static str]) -> Env {
        self.args = args.iter().map(|a| a.as_bytes()).collect();
        self
    }
    fn readonly(mut self, name: &'static str) -> Env {
        self.readonly.push(name.as_bytes());
        self
    }
    fn nounset(mut self) -> Env {
        self.nounset = true;
        self
    }
    fn noglob(mut self) -> Env {
        self.noglob = true;
        self
    }
    fn dir(mut self, dir: &Path) -> Env {
        self.dir = Some(dir.to_path_buf());
        self
    }

    fn shell(&self) -> Shell {
        let mut sh = Shell::new(b"sh".to_vec(), Session::disabled());
        // Compared with dash: the posix mode's expansions.
        sh.options.set_by_name("posix", true);
        sh.set_var(b"HOME", b"/home/test-home".to_vec()).unwrap();
        for (name, value) in &self.vars {
            match value {
                Some(v) => sh.set_var(name, v.to_vec()).unwrap(),
                None => sh.vars.unset(name).unwrap(),
            }
        }
        for name in &self.readonly {
            sh.vars.set_readonly(name);
        }
        sh.positional = self.args.iter().map(|a| a.to_vec()).collect();
        sh.options.nounset = self.nounset;
        sh.options.noglob = self.noglob;
        sh
    }

    fn script(&self, body: &str) -> Vec<u8> {
        let mut s = Vec::new();
        for (name, value) in &self.vars {
            match value {
                Some(v) => {
                    s.extend_from_slice(name);
                    s.push(b'=');
                    s.extend_from_slice(&sh_quote(v));
                    s.extend_from_slice(b"; ");
                }
                None => {
                    s.extend_from_slice(b"unset ");
                    s.extend_from_slice(name);
                    s.extend_from_slice(b"; ");
                }
            }
        }
        for name in &self.readonly {
            s.extend_from_slice(b"readonly ");
            s.extend_from_slice(name);
            s.extend_from_slice(b"; ");
        }
        s.extend_from_slice(b"set --");
        for a in &self.args {
            s.push(b' ');
            s.extend_from_slice(&sh_quote(a));
        }
        s.extend_from_slice(b"; ");
        if self.nounset {
            s.extend_from_slice(b"set -u; ");
        }
        if self.noglob {
            s.extend_from_slice(b"set -f; ");
        }
        s.extend_from_slice(body.as_bytes());
        s
    }

    /// Run `body` under dash: its standard output, or the error message without the
    /// `sh: 1: ` prefix.
    fn dash(&self, body: &str) -> Result<Vec<u8>, Vec<u8>> {
        let script = self.script(body);
        let mut cmd =
            testutil::dash(std::ffi::OsStr::from_bytes(&script)).env("HOME", "/home/test-home");
        if let Some(d) = &self.dir {
            cmd = cmd.current_dir(d);
        }
        let out = cmd.run().expect("run dash");
        if out.status.success() {
            Ok(out.stdout)
        } else {
            let err = out.stderr;
            let at = err
                .windows(5)
                .position(|w| w == b": 1: ")
                .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&err)));
            let mut m = err[at + 5..].to_vec();
            if m.last() == Some(&b'\n') {
                m.pop();
            }
            Err(m)
        }
    }

    fn with_dir<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.dir {
            Some(d) => {
                let _guard = CWD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
                let old = std::env::current_dir().unwrap();
                std::env::set_current_dir(d).unwrap();
                let r = f();
                std::env::set_current_dir(old).unwrap();
                r
            }
            None => f(),
        }
    }
}

static CWD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn sh_quote(v: &[u8]) -> Vec<u8> {
    let mut q = vec![b'\''];
    for &c in v {
        if c == b'\'' {
            q.extend_from_slice(b"'\\''");
        } else {
            q.push(c);
        }
    }
    q.push(b'\'');
    q
}

fn show(r: &Result<Vec<Vec<u8>>, Vec<u8>>) -> String {
    match r {
        Ok(fields) => fields
            .iter()
            .map(|f| format!("<{}>", String::from_utf8_lossy(f)))
            .collect(),
        Err(m) => format!("error: {}", String::from_utf8_lossy(m)),
    }
}

/// Expand `text` as command words (it may hold several, separated by spaces) here and in dash.
fn fields(e: &Env, text: &str) {
    let dash = e
        .dash(&format!("for a in {text}; do printf '%s\\0' \"$a\"; done"))
        .map(|out| {
            let mut v: Vec<Vec<u8>> = out.split(|&c| c == 0).map(|s| s.to_vec()).collect();
            v.pop();
            v
        });
    let mut sh = e.shell();
    let words: Vec<Word> = split_words(text).iter().map(|w| word(w)).collect();
    let ours = e
        .with_dir(|| expand_words(&mut sh, &words))
        .map_err(|err| err.message);
    assert_eq!(
        show(&ours),
        show(&dash),
        "word(s) {text:?}, env {:?}",
        String::from_utf8_lossy(&e.script(""))
    );
}

/// Expand `text` as one word with no splitting (an assignment value) here and in dash.
fn string(e: &Env, text: &str) {
    let dash = e
        .dash(&format!("v={text}; printf '%s' \"$v\""))
        .map(|out| vec![out]);
    let mut sh = e.shell();
    let ours = expand_word(&mut sh, &word(text))
        .map(|v| vec![v])
        .map_err(|err| err.message);
    assert_eq!(show(&ours), show(&dash), "word {text:?}");
}

/// Split test text into words at unquoted spaces outside `${...}`.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let (mut sq, mut dq, mut depth) = (false, false, 0);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !sq => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                continue;
            }
            '\'' if !dq => sq = !sq,
            '"' if !sq => dq = !dq,
            '{' if !sq && cur.ends_with('$') => depth += 1,
            '}' if !sq && depth > 0 => depth -= 1,
            ' ' if !sq && !dq && depth == 0 => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[test]
fn plain_words() {
    let e = env();
    fields(&e, "a b 'c d' \"e f\" g\\ h '' \"\" x''");
}

#[test]
fn simple_parameters() {
    let e = env().var("x", "a  b").var("e", "").unset("u");
    fields(
        &e,
        "$x \"$x\" ${x} $e \"$e\" $u \"$u\" x$u $e$u ''$e \"$e\"$u",
    );
}

#[test]
fn special_parameters() {
    let e = env().args(&["a", "b c"]);
    fields(&e, "$# \"$#\" $? \"$!\" ${#} ${#@} ${#*} ${#x} ${#?}");
    let mut sh = e.shell();
    sh.set_last_status(42);
    sh.last_bg_pid = Some(77);
    sh.options.noglob = true;
    let w: Vec<Word> = ["$?", "$!", "$$", "$-", "$0", "${10}"]
        .iter()
        .map(|t| word(t))
        .collect();
    let got = expand_words(&mut sh, &w).unwrap();
    let pid = sh.pid.to_string().into_bytes();
    assert_eq!(
        got,
        vec![
            b"42".to_vec(),
            b"77".to_vec(),
            pid,
            b"f".to_vec(),
            b"sh".to_vec()
        ]
    );
}

#[test]
fn positional_parameters() {
    let e = env().args(&["1", "2", "3", "4", "5", "6", "7", "8", "9", "ten", "eleven"]);
    fields(&e, "$1 $9 ${10} ${11} ${12} $10 ${#10} \"${12}\"");
}

#[test]
fn default_and_alternative() {
    for e in [
        env().var("x", "v").var("e", "").unset("u"),
        env().var("x", "a  b").var("e", "").unset("u"),
    ] {
        fields(&e, "${x-d} ${e-d} ${u-d} ${x:-d} ${e:-d} ${u:-d}");
        fields(&e, "${x+a} ${e+a} ${u+a} ${x:+a} ${e:+a} ${u:+a}");
        fields(
            &e,
            "\"${u-a  b}\" ${u-a  b} ${u-\"a  b\"} ${u-a \"\" b} ${u-$x} \"${u-$x}\"",
        );
        fields(&e, "${x+\"$x\" c} ${u:-'*'} \"${u-'q'}\"");
    }
}

#[test]
fn assign() {
    let e = env().var("x", "v").var("e", "").unset("u");
    fields(&e, "${x=d} ${e=d} ${u=d} $u");
    fields(&e, "${x:=d} ${e:=d} ${u:=a  b} $u $e");
    fields(&e, "\"${u:=a  b}\" $u");
    let mut sh = e.shell();
    let got = expand_words(&mut sh, &[word("${u=a  b}")]).unwrap();
    assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(sh.get_var(b"u"), Some(&b"a  b"[..]));
}

#[test]
fn assign_errors() {
    fields(&env().readonly("r"), "${r=2}");
    fields(&env().var("r", "1").readonly("r"), "${r=2}");
    fields(&env(), "${1=a}");
    fields(&env().args(&[""]), "${1:=a}");
    fields(&env(), "${!=a}");
    fields(&env(), "${-:=a}");
    fields(&env(), "${#=a} ${?=a}");
    fields(&env(), "${@:=a}");
    fields(&env(), "${*:=a}");
    fields(&env(), "${@=a} ${*=a}");
}

#[test]
fn error_operator() {
    let e = env().var("x", "v").var("e", "").unset("u").var("y", "a  b");
    fields(&e, "${x?} ${x:?} ${e?}");
    fields(&e, "${u?}");
    fields(&e, "${e:?}");
    fields(&e, "${u:?}");
    fields(&e, "${u?hello $y}");
    fields(&e, "${u?\"\"}");
    fields(&e, "${1?}");
    fields(&e, "${1:?}");
    fields(&e, "${@?} ${*?}");
    fields(&e, "${@:?}");
    fields(&e.clone().args(&[""]), "${*:?}");
}

#[test]
fn nounset() {
    let e = env().nounset().var("x", "v").unset("u");
    fields(
        &e,
        "$x $@ $* \"$@\" ${u-} ${u+a} ${u:-d} ${#@} ${#*} ${#} ${#?}",
    );
    fields(&e, "$u");
    fields(&e, "${u}");
    fields(&e, "${#u}");
    fields(&e, "$1");
    fields(&e, "${#1}");
    fields(&e, "$!");
    fields(&e, "${u#a}");
    fields(&e, "${u%%a}");
    fields(&e, "${u?}");
    fields(&e, "${@#a} \"${*%a}\"");
    fields(&e, "${u=a} $u");
}

#[test]
fn length() {
    let e = env()
        .var("x", "abc")
        .bvar("b", b"\xff\xfe")
        .var("e", "")
        .args(&["a", "b", "c"]);
    fields(
        &e,
        "${#x} ${#b} ${#e} ${#u} ${#@} ${#*} ${#1} ${#4} \"${#x}\"",
    );
    fields(&e.clone().var("IFS", ":"), "${#@} ${#*}");
    fields(&e.clone().var("IFS", ""), "${#@} ${#*}");
}

#[test]
fn remove_prefix_and_suffix() {
    let e = env()
        .var("x", "abcabc")
        .var("s", "*")
        .var("p", "a*")
        .unset("u");
    fields(
        &e,
        "${x#a} ${x##*b} ${x#*b} ${x%c} ${x%%b*} ${x%b*} ${x#$s} ${x##$s}",
    );
    fields(
        &e,
        "${x#\"*\"} ${x#'a'} ${x#\\a} ${x##$p} \"${x##$p}\" ${x##\"$p\"} ${u#a}",
    );
    let e = env().var("x", "a*b*c");
    fields(
        &e,
        "\"${x#*\\*}\" \"${x#*\"*\"}\" \"${x%\\**}\" \"${x%\"*\"*}\" \"${x##*\\*}\" ${x#*[*]}",
    );
}

#[test]
fn remove_on_positional_lists() {
    let e = env().args(&["ab", "ac", "x b"]);
    fields(
        &e,
        "${@#a} \"${@#a}\" ${*#a} \"${*#a}\" \"${@%%*}\" \"${@%b}\"",
    );
    fields(&env(), "${@#a} \"${@#a}\" ${*#a}");
}

#[test]
fn at_and_star() {
    let sets: [&[&'static str]; 6] = [
        &[],
        &[""],
        &["", ""],
        &["a", "b c", "d"],
        &["a", "", "b"],
        &[" a ", "b:", ":c"],
    ];
    for args in sets {
        for ifs in [None, Some(" \t\n"), Some(":"), Some(" :"), Some("")] {
            let mut e = env().args(args);
            e = match ifs {
                Some(v) => e.var("IFS", v),
                None => e.unset("IFS"),
            };
            fields(
                &e,
                "\"$@\" \"$*\" $@ $* x$@y \"x$@y\" \"$@$@\" \"$@\"\"\" \"\"$@",
            );
            fields(
                &e,
                "\"${@}\" ${@-x} \"${@-x}\" \"${@:-x}\" \"${*:-x}\" ${@:+y} ${*:-x}",
            );
            fields(
                &e,
                "${1+\"$@\"} \"${1-\"$@\"}\" ${u-\"$@\"} \"${u-$@}\" ${u-$@}",
            );
            string(&e, "$@");
            string(&e, "\"$@\"");
            string(&e, "$*");
            string(&e, "\"x$*y\"");
            string(&e, "${@:-e}");
            string(&e, "${*:-e}");
        }
    }
}

#[test]
fn field_splitting() {
    for ifs in [
        None,
        Some(" \t\n"),
        Some(":"),
        Some(" :"),
        Some(""),
        Some("\\"),
        Some("a"),
    ] {
        let mut e = env();
        e = match ifs {
            Some(v) => e.var("IFS", v),
            None => e.unset("IFS"),
        };
        for v in [
            "",
            " ",
            "a",
            " a  b ",
            "a::b:",
            ":a",
            "a:",
            ":",
            "::",
            " a : b :: c : ",
            " : ",
            "a  :  :b",
            "a\\b",
            "\ta\nb\t",
            "abab",
        ] {
            let e = e.clone().var("v", v).var("w", ": b ").var("z", "a ");
            fields(
                &e,
                "$v \"$v\" x${v}y $v$v ${v}'' ''$v \"\"$v\"\" $z$w $v\" : \"$v",
            );
        }
    }
}

#[test]
fn tilde_plus_and_minus_in_the_bash_language() {
    let mut sh = env().shell();
    sh.options.posix = false;
    sh.set_var(b"PWD", b"/now".to_vec()).unwrap();
    sh.set_var(b"OLDPWD", b"/before".to_vec()).unwrap();
    let words = [word("~+"), word("~-/x")];
    assert_eq!(
        expand_words(&mut sh, &words).unwrap(),
        vec![b"/now".to_vec(), b"/before/x".to_vec()]
    );
    sh.vars.unset(b"OLDPWD").unwrap();
    assert_eq!(
        expand_words(&mut sh, &[word("~-")]).unwrap(),
        vec![b"~-".to_vec()]
    );
    // dash has no such names: a user called `+` or `-`.
    sh.options.set_by_name("posix", true);
    assert_eq!(
        expand_words(&mut sh, &[word("~+")]).unwrap(),
        vec![b"~+".to_vec()]
    );
}

#[test]
fn tilde() {
    let e = env();
    fields(
        &e,
        "~ ~/a ~/'b' \"~\" \\~ ~root ~root/x ~no-such-user-q ~no-such-user-q/x",
    );
    fields(&e.clone().unset("HOME"), "~ ~/a");
    let mut sh = e.shell();
    for (home, expect) in [
        ("", vec![]),
        ("a b", vec![b"a b".to_vec()]),
        ("*", vec![b"*".to_vec()]),
    ] {
        sh.set_var(b"HOME", home.as_bytes().to_vec()).unwrap();
        assert_eq!(expand_words(&mut sh, &[word("~")]).unwrap(), expect);
    }
    sh.vars.unset(b"HOME").unwrap();
    assert_eq!(
        expand_words(&mut sh, &[word("~/x")]).unwrap(),
        vec![b"~/x".to_vec()]
    );
}

#[test]
fn arithmetic_contents_are_expanded() {
    // The evaluator is separate; here only the text it receives and the splitting of the
    // result matter, so compare with a result dash also gives for a constant.
    let mut sh = env().var("IFS", "0").shell();
    let got = expand_words(&mut sh, &[word("$((0))"), word("\"$((0))\"")]).unwrap();
    let n = arith::eval(&mut sh, b"0").unwrap().to_string().into_bytes();
    if n == b"0" {
        assert_eq!(got, vec![b"".to_vec(), b"0".to_vec()]);
    }
}

fn glob_tree() -> TempDir {
    let d = TempDir::new("expand");
    let p = |s: &str| d.join(s);
    for sub in ["d1/sub", "d2", ".hd", "locked/in"] {
        std::fs::create_dir_all(p(sub)).unwrap();
    }
    for f in [
        "*", "ab", "\\a", "a", ".h", "B", "_u", "d1/x.c", "d1/y.c", "d2/x.c", "d1/.hid", "[a]",
    ] {
        std::fs::write(p(f), b"").unwrap();
    }
    std::fs::write(d.join(std::ffi::OsStr::from_bytes(b"n\xffz")), b"").unwrap();
    std::os::unix::fs::symlink("d1", p("ld")).unwrap();
    std::os::unix::fs::symlink("nowhere", p("dangling")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    d
}

#[test]
fn pathname_expansion() {
    let t = glob_tree();
    let e = env().dir(t.path());
    fields(
        &e,
        "* .* */ */x.c */*.c ld/* d* \"d\"*/* d1/.* d1/[.]* [.]* \\.* ./*",
    );
    fields(
        &e,
        "d1/*/ nomatch* \"*\" '*'* d1/sub/../x.c */../d1/*.c dangl* d1//x.c d1/*//",
    );
    fields(
        &e,
        "[a] \"[a]\" [\"a]\" \\[a] *[]] ?? n?z locked/* locked/*/ \\* [!a]*",
    );
    let abs = format!("{}/d1/*.c", t.path().display());
    fields(&e, &abs);
    let e2 = e
        .clone()
        .var("s", "*")
        .var("q", "\\*")
        .var("b", "[\\a]")
        .var("sp", "d1/* d2/*");
    fields(&e2, "$s \"$s\" $q $b $sp \"$sp\" x$s ${s}.c");
    fields(&e2.clone().noglob(), "* $s d1/* \"*\"");
}

#[test]
fn case_patterns_escape_quoted_text() {
    let mut sh = env().var("s", "*").var("b", "\\").shell();
    let p = |sh: &mut Shell, t: &str| expand_pattern(sh, &word(t)).unwrap();
    assert_eq!(p(&mut sh, "a*"), b"a*");
    assert_eq!(p(&mut sh, "\"a*\""), b"a\\*");
    assert_eq!(p(&mut sh, "'[x]'?"), b"\\[x\\]?");
    assert_eq!(p(&mut sh, "\\*"), b"\\*");
    assert_eq!(p(&mut sh, "$s"), b"*");
    assert_eq!(p(&mut sh, "\"$s\""), b"\\*");
    assert_eq!(p(&mut sh, "$b"), b"\\");
    assert_eq!(p(&mut sh, "\"$b\""), b"\\\\");
    assert_eq!(p(&mut sh, "${u-\"*\"}${u-*}"), b"\\**");
    sh.set_var(b"HOME", b"/h*".to_vec()).unwrap();
    assert_eq!(p(&mut sh, "~/x"), b"/h\\*/x");
}

#[test]
fn strings() {
    let e = env().var("x", "a  b").var("s", "*").args(&["p", "q"]);
    string(&e, "$x");
    string(&e, "\"$x\"$s");
    string(&e, "${u-$x}");
    string(&e, "${#x}");
    string(&e, "~/a");
    string(&e.clone().var("IFS", ":"), "$@");
}

#[test]
fn heredoc_body() {
    // Here-document bodies: quoted text and expansions, one string.
    let mut sh = env().var("IFS", ":").args(&["a", "b"]).shell();
    let body = Word::new(vec![
        WordPart::Quoted(b"x ".to_vec()),
        WordPart::Param(Box::new(ParamExp {
            param: Param::Special(b'@'),
            op: ParamOp::Plain,
        })),
        WordPart::Quoted(b" *\n".to_vec()),
    ]);
    assert_eq!(expand_word(&mut sh, &body).unwrap(), b"x a:b *\n");
}

#[test]
fn more_dash_cases() {
    let e = env()
        .var("x", "a b")
        .bvar("nb", b"\xff \xfe")
        .var("g", "d*")
        .args(&["p q", "r"]);
    fields(
        &e,
        "$nb \"$nb\" ${u-$nb} ${u-\"$@\"} \"${u-\"$@\"}\" ${u-x\"$@\"y}",
    );
    fields(&e, "${x:+$@} \"${x:+$@}\" ${x:+\"$*\"} ${u:-\"$x\"$x}");
    fields(&e.clone().var("IFS", "*"), "$g ${g}x \"$g\"");
    let t = glob_tree();
    let e = e.dir(t.path());
    fields(&e, "$g ${u-d*} \"${u-d*}\" ${u-\"d\"*} ${u-'d*'} $g$x");
}

#[test]
fn strings_more() {
    let e = env().var("x", "a\\b").args(&["a", "", "b"]);
    for ifs in [None, Some(":"), Some("")] {
        let e = match ifs {
            Some(v) => e.clone().var("IFS", v),
            None => e.clone().unset("IFS"),
        };
        string(&e, "$x\"$x\"");
        string(&e, "$@$*");
        string(&e, "\"$@\"x");
        string(&e, "${u-$@}");
        string(&e, "${#@}");
        string(&e, "${@#a}");
        string(&e, "\"${*%b}\"");
    }
}

#[test]
fn command_output_cleanup() {
    assert_eq!(clean_command_output(b"a\n\n".to_vec()), b"a");
    assert_eq!(
        clean_command_output(b"\n\na\n\nb\n\n".to_vec()),
        b"\n\na\n\nb"
    );
    assert_eq!(clean_command_output(b"a\0b\n\0\n".to_vec()), b"ab");
    assert_eq!(clean_command_output(b"\n".to_vec()), b"");
}

/// Random words of every kind of part (but command substitution): expansion never panics.
#[test]
fn random_words_do_not_panic() {
    let t = glob_tree();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    const BYTES: &[u8] = b"ab*?[]!^-\\/. :\t\n\xff\0~";
    fn text(next: &mut dyn FnMut(u64) -> u64) -> Vec<u8> {
        (0..next(5))
            .map(|_| BYTES[next(BYTES.len() as u64) as usize])
            .collect()
    }
    fn part(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> WordPart {
        let params = [
            Param::Var(b"x".to_vec()),
            Param::Var(b"u".to_vec()),
            Param::Var(b"IFS".to_vec()),
            Param::Positional(1, false),
            Param::Positional(3, false),
            Param::Special(b'@'),
            Param::Special(b'*'),
            Param::Special(b'#'),
            Param::Special(b'!'),
            Param::Special(b'-'),
        ];
        let k = if depth > 2 { next(3) } else { next(7) };
        match k {
            0 => WordPart::Literal(text(next)),
            1 => WordPart::Quoted(text(next)),
            2 => WordPart::Tilde(text(next)),
            3 => WordPart::DoubleQuoted((0..next(3)).map(|_| part(next, depth + 1)).collect()),
            4 => WordPart::Arith(random_word(next, depth + 1)),
            _ => {
                let w = random_word(next, depth + 1);
                let colon = next(2) == 0;
                let op = match next(10) {
                    0 => ParamOp::Plain,
                    1 => ParamOp::Length,
                    2 => ParamOp::Default { colon, word: w },
                    3 => ParamOp::Assign { colon, word: w },
                    4 => ParamOp::Error { colon, word: w },
                    5 => ParamOp::Alternative { colon, word: w },
                    6 => ParamOp::RemoveSmallestSuffix(w),
                    7 => ParamOp::RemoveLargestSuffix(w),
                    8 => ParamOp::RemoveSmallestPrefix(w),
                    _ => ParamOp::RemoveLargestPrefix(w),
                };
                let param = params[next(params.len() as u64) as usize].clone();
                WordPart::Param(Box::new(ParamExp { param, op }))
            }
        }
    }
    fn random_word(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> Word {
        Word::new((0..next(4)).map(|_| part(next, depth)).collect())
    }
    let e = env().dir(t.path());
    e.with_dir(|| {
        for round in 0..3000 {
            let mut sh = env().var("x", "a *:b").args(&["", "p q", "*"]).shell();
            match round % 3 {
                0 => sh.set_var(b"IFS", b":* ".to_vec()).unwrap(),
                1 => sh.vars.unset(b"IFS").unwrap(),
                _ => sh.set_var(b"IFS", Vec::new()).unwrap(),
            }
            sh.options.nounset = round % 5 == 0;
            let w = random_word(&mut next, 0);
            let _ = expand_words(&mut sh, std::slice::from_ref(&w));
            let _ = expand_word(&mut sh, &w);
            let _ = expand_pattern(&mut sh, &w);
        }
    });
}
