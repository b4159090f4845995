use super::*;
use crate::state::locale;
use std::time::{Duration, Instant};

fn dash(script: &str, args: &[&[u8]]) -> Vec<u8> {
    let out = crate::testutil::dash(script)
        .byte_args(args.iter().copied())
        .run()
        .expect("run dash");
    assert!(out.status.success(), "dash failed: {script} {args:?}");
    out.stdout
}

/// Whether dash's `case` matches TEXT against the pattern. The pattern comes from an unquoted
/// expansion, where dash (0.5.12) lets a backslash escape the next byte: the same notation as
/// the patterns given to this module.
fn dash_matches(pattern: &[u8], text: &[u8]) -> bool {
    let out = dash(
        "case \"$1\" in $2) echo y;; *) echo n;; esac",
        &[text, pattern],
    );
    match out.as_slice() {
        b"y\n" => true,
        b"n\n" => false,
        other => panic!("dash said {:?}", String::from_utf8_lossy(other)),
    }
}

/// (pattern, text): compared with dash at test time.
const MATCH_TABLE: &[(&str, &str)] = &[
    ("", ""),
    ("", "a"),
    ("a", "a"),
    ("a", "b"),
    ("abc", "abc"),
    ("abc", "abcd"),
    ("*", ""),
    ("*", "anything"),
    ("?", ""),
    ("?", "a"),
    ("?", "ab"),
    ("??", "ab"),
    ("a*", "a"),
    ("a*", "abc"),
    ("a*", "ba"),
    ("*a", "ba"),
    ("*a*", "xxaxx"),
    ("*a*", "xxxx"),
    ("a*b*c", "aXbYc"),
    ("a*b*c", "aXbYcZ"),
    ("a*b*c", "abcbc"),
    ("*ab", "aab"),
    ("*ab*", "aaab"),
    ("**", "x"),
    ("*?*", ""),
    ("*?*", "x"),
    ("a?c", "abc"),
    ("a?c", "ac"),
    ("[abc]", "b"),
    ("[abc]", "d"),
    ("[a-c]", "b"),
    ("[a-c]", "d"),
    ("[c-a]", "b"),
    ("[!a-c]", "d"),
    ("[!a-c]", "b"),
    ("[!]", "!"),
    ("[!]", "[!]"),
    ("[]]", "]"),
    ("[]a]", "a"),
    ("[]a]", "b"),
    ("[!]]", "]"),
    ("[!]]", "x"),
    ("[]", "[]"),
    ("[]-a]", "_"),
    ("[a-]", "-"),
    ("[a-]", "b"),
    ("[-a]", "-"),
    ("[--0]", "/"),
    ("[a\\-c]", "b"),
    ("[a\\-c]", "-"),
    ("[\\]]", "]"),
    ("[\\!a]", "!"),
    ("[\\\\]", "\\"),
    ("[\\a-c]", "b"),
    ("[a-\\c]", "b"),
    ("[\\]", "[]"),
    ("[", "["),
    ("[a", "[a"),
    ("[a", "a"),
    ("[a-", "[a-"),
    ("[!", "[!"),
    ("[[]", "["),
    ("[[a]", "a"),
    ("[[:alpha:]", "[a"),
    ("[[:alpha:]", "[["),
    ("[[:alpha:]]", "q"),
    ("[[:alpha:]]", "1"),
    ("[[:alpha:]]", ":]"),
    ("[[:digit:]]", "7"),
    ("[[:digit:]]", "x"),
    ("[[:alnum:]]", "Z"),
    ("[[:alnum:]]", "_"),
    ("[[:upper:]]", "A"),
    ("[[:upper:]]", "a"),
    ("[[:lower:]]", "a"),
    ("[[:lower:]]", "A"),
    ("[[:space:]]", " "),
    ("[[:space:]]", "\t"),
    ("[[:space:]]", "\x0b"),
    ("[[:space:]]", "x"),
    ("[[:blank:]]", "\t"),
    ("[[:blank:]]", "\n"),
    ("[[:punct:]]", "!"),
    ("[[:punct:]]", "a"),
    ("[[:print:]]", " "),
    ("[[:print:]]", "\x07"),
    ("[[:graph:]]", " "),
    ("[[:graph:]]", "~"),
    ("[[:cntrl:]]", "\x01"),
    ("[[:cntrl:]]", "a"),
    ("[[:xdigit:]]", "f"),
    ("[[:xdigit:]]", "g"),
    ("[[:foo:]]", "f]"),
    ("[[:foo:]]", "a"),
    ("[[:alpha:][:digit:]]", "5"),
    ("[[:alpha:]-z]", "-"),
    ("[![:alpha:]]", "1"),
    ("[![:alpha:]]", "a"),
    ("[[:alpha:]", "a"),
    ("[:alpha:]", ":"),
    ("[:alpha:]", "x"),
    ("\\*", "*"),
    ("\\*", "a"),
    ("\\?", "?"),
    ("\\[a]", "[a]"),
    ("\\[a]", "a"),
    ("\\a", "a"),
    ("\\\\", "\\"),
    ("\\", "\\"),
    ("a\\", "a\\"),
    ("*\\*", "ab*"),
    ("*\\*", "ab"),
    ("a[", "a["),
    ("*[", "x["),
    ("[*]", "*"),
    ("[*]", "a"),
    ("[?]", "?"),
    ("*.c", "main.c"),
    ("*.c", ".c"),
    ("*.c", "main.h"),
    (".*", ".profile"),
    ("?*", "é"),
    ("?", "é"),
    ("??", "é"),
    ("[\u{80}-\u{bf}]?", "é"),
];

#[test]
fn matches_like_dash() {
    assert!(MATCH_TABLE.len() >= 80);
    let mut failures = Vec::new();
    for (pattern, text) in MATCH_TABLE {
        let d = dash_matches(pattern.as_bytes(), text.as_bytes());
        let o = matches(pattern.as_bytes(), text.as_bytes());
        if d != o {
            failures.push(format!("{pattern:?} vs {text:?}: dash {d}, ours {o}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (value, pattern): every one of `#`, `##`, `%`, `%%` compared with dash.
const AFFIX_TABLE: &[(&str, &str)] = &[
    ("abcabc", "a"),
    ("abcabc", "b"),
    ("abcabc", "*b"),
    ("abcabc", "b*"),
    ("abcabc", "*"),
    ("abcabc", "?"),
    ("abcabc", "??"),
    ("abcabc", "*c"),
    ("abcabc", "a*"),
    ("abcabc", "*a*"),
    ("abcabc", ""),
    ("", ""),
    ("", "*"),
    ("", "a"),
    ("/usr/local/bin/prog", "*/"),
    ("/usr/local/bin/prog", "/*"),
    ("file.tar.gz", ".*"),
    ("file.tar.gz", "*."),
    ("file.tar.gz", "*.[gt]*"),
    ("a*b*c", "\\*"),
    ("a*b*c", "*\\*"),
    ("a*b*c", "\\**"),
    ("\\x\\", "\\\\"),
    ("a\\b", "a\\"),
    ("a\\", "\\"),
    ("aaaa", "a*a"),
    ("aaaa", "[a]"),
    ("x1y2z3", "[[:digit:]]*"),
    ("x1y2z3", "*[[:digit:]]"),
    ("x1y2z3", "[![:digit:]]"),
    ("x1y2z3", "*[![:digit:]]"),
    ("[ab]", "["),
    ("[ab]", "[a"),
    ("[ab]", "\\[a"),
    ("hello world", "* "),
    ("hello world", " *"),
    ("hello world", "*o*"),
];

#[test]
fn affix_removal_like_dash() {
    assert!(AFFIX_TABLE.len() >= 30);
    let script = "x=$1; printf '%s\\n' \"${x#$2}\" \"${x##$2}\" \"${x%$2}\" \"${x%%$2}\"";
    let mut failures = Vec::new();
    for (value, pattern) in AFFIX_TABLE {
        let (v, p) = (value.as_bytes(), pattern.as_bytes());
        let out = dash(script, &[v, p]);
        let d: Vec<&[u8]> = out.split(|&b| b == b'\n').take(4).collect();
        let o: Vec<&[u8]> = vec![
            remove_prefix(v, p, false),
            remove_prefix(v, p, true),
            remove_suffix(v, p, false),
            remove_suffix(v, p, true),
        ];
        if d != o {
            failures.push(format!("{value:?} {pattern:?}: dash {d:?}, ours {o:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn caret_negates_too() {
    // dash reads `[^...]` as a set containing `^` (POSIX leaves it unspecified).
    locale::set_bash(false);
    assert!(!matches(b"[^a]", b"b"));
    assert!(matches(b"[^a]", b"a"));
    assert!(matches(b"[^a]", b"^") && matches(b"[!a]", b"^"));
    assert!(matches(b"[\\^a]", b"^"));
}

#[test]
fn ranges_are_unsigned() {
    assert!(matches(b"[a-\xff]", b"\xe9"));
    assert!(matches(b"[a-\xff]", b"b"));
    assert!(!matches(b"[a-\xff]", b"A"));
    assert!(matches(b"[\x01-\xff]", b"\x80"));
}

#[test]
fn path_components() {
    assert!(!matches_path_component(b"*", b".profile"));
    assert!(!matches_path_component(b"?profile", b".profile"));
    assert!(!matches_path_component(b"[.]profile", b".profile"));
    assert!(!matches_path_component(b"[!a]profile", b".profile"));
    assert!(matches_path_component(b".*", b".profile"));
    assert!(matches_path_component(b"\\.*", b".profile"));
    assert!(matches_path_component(b".p*", b".profile"));
    assert!(matches_path_component(b"*", b"profile"));
    assert!(matches_path_component(b"*.*", b"a.b"));
    assert!(matches_path_component(b"a*", b"a.b"));
    assert!(!matches_path_component(b"", b"."));
    assert!(matches_path_component(b".", b"."));
    assert!(matches_path_component(b".*", b".."));
}

#[test]
fn glob_detection() {
    for p in [
        &b"*"[..],
        b"a?",
        b"[ab]",
        b"x[!a]",
        b"[]]",
        b"\\*[a]",
        b"[[:alpha:]]",
        b"[[:alpha:]",
    ] {
        assert!(has_unescaped_glob(p), "{:?}", String::from_utf8_lossy(p));
    }
    for p in [
        &b""[..],
        b"abc",
        b"\\*",
        b"\\?",
        b"\\[ab]",
        b"[",
        b"[ab",
        b"[]",
        b"[!]",
        b"[\\]",
        b"a\\",
        b"[a-",
        b"[[:alpha:",
    ] {
        assert!(!has_unescaped_glob(p), "{:?}", String::from_utf8_lossy(p));
    }
}

#[test]
fn unescaping() {
    assert_eq!(unescape(b""), b"");
    assert_eq!(unescape(b"abc"), b"abc");
    assert_eq!(unescape(b"\\*\\?\\["), b"*?[");
    assert_eq!(unescape(b"\\\\"), b"\\");
    assert_eq!(unescape(b"a\\"), b"a\\");
    assert_eq!(unescape(b"\\a\\b"), b"ab");
    assert_eq!(unescape(b"*[x]"), b"*[x]");
}

#[test]
fn pathological_patterns_are_fast() {
    let text = vec![b'a'; 10_000];
    let started = Instant::now();
    assert!(!matches(b"*a*a*a*a*a*b", &text));
    assert!(matches(b"*a*a*a*a*a*", &text));
    assert!(!matches(b"*?*?*?*?*?*?*?*b", &text));
    let mut long = b"*a".repeat(1_000);
    long.push(b'b');
    assert!(!matches(&long, &text));
    assert_eq!(remove_prefix(&text, b"*a*a*a*b", true), &text[..]);
    assert_eq!(remove_prefix(&text, b"*a*a*a*", true), b"");
    assert_eq!(remove_prefix(&text, b"*a*a*a", false), &text[3..]);
    assert_eq!(remove_suffix(&text, b"a*a*a*b", false), &text[..]);
    assert_eq!(remove_suffix(&text, b"a*a*a*", true), b"");
    assert_eq!(remove_suffix(&text, b"a*a*a*", false), &text[..9_997]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn no_panics_on_odd_patterns() {
    let patterns: &[&[u8]] = &[
        b"",
        b"\\",
        b"[",
        b"[!",
        b"[^",
        b"[]",
        b"[!]",
        b"[a-",
        b"[a-\\",
        b"[\\",
        b"[[",
        b"[[:",
        b"[[:alpha",
        b"[[:alpha:",
        b"[[:alpha:]",
        b"[a-]",
        b"[-]",
        b"[]-",
        b"*\\",
        b"**\\",
        b"\\\\\\",
        b"[\xff-\x00]",
        b"[\x00]",
        b"\x00",
        b"[z-a]",
        b"?*[",
    ];
    let texts: &[&[u8]] = &[
        b"", b"\\", b"[", b"a", b"[!", b"]", b"\xff", b"\x00", b"[a-",
    ];
    for p in patterns {
        let _ = has_unescaped_glob(p);
        let _ = unescape(p);
        for t in texts {
            let _ = matches(p, t);
            let _ = matches_path_component(p, t);
            let _ = remove_prefix(t, p, false);
            let _ = remove_prefix(t, p, true);
            let _ = remove_suffix(t, p, false);
            let _ = remove_suffix(t, p, true);
        }
    }
    assert!(matches(b"", b""));
    assert!(matches(b"\\", b"\\"));
    assert!(matches(b"[", b"["));
    assert!(matches(b"[!", b"[!"));
    assert!(matches(b"[]", b"[]"));
    assert!(matches(b"[a-", b"[a-"));
    assert!(matches(b"[\\", b"[\\"));
    assert!(!matches(b"[z-a]x", b"[z-a]x"));
}

#[test]
fn caret_negates_in_bash() {
    locale::set_bash(true);
    assert!(matches(b"[^a]", b"b"));
    assert!(!matches(b"[^a]", b"a"));
    assert!(matches(b"[\\^a]", b"^"));
    locale::set_bash(false);
}

/// In the bash language under a UTF-8 locale, units are characters; otherwise bytes.
#[test]
fn by_character_in_a_utf8_locale() {
    let utf8 = |v: &'static [u8]| move |n: &[u8]| (n == b"LANG").then(|| v.to_vec());
    locale::set_bash(true);
    locale::note(utf8(b"C.UTF-8"));
    let e = "é".as_bytes();
    assert!(matches(b"?", e));
    assert!(!matches(b"??", e));
    assert!(matches(b"[[:alpha:]]", e) && matches(b"[[:lower:]]", e));
    assert!(!matches(b"[[:upper:]]", e) && matches(b"[[:upper:]]", "É".as_bytes()));
    assert!(matches(b"[[:punct:]]", "€".as_bytes()));
    assert!(matches("[à-ë]".as_bytes(), e) && !matches(b"[a-z]", e));
    assert!(matches("\\é".as_bytes(), e));
    assert_eq!(remove_prefix("héllo".as_bytes(), b"h?", false), b"llo");
    assert_eq!(remove_suffix("hellé".as_bytes(), b"?", false), b"hell");
    assert_eq!(
        remove_suffix("aébé".as_bytes(), "é*".as_bytes(), true),
        b"a"
    );
    // A stray byte is a unit of its own, equal to no character.
    assert!(matches(b"a?b", b"a\xffb"));
    assert!(!matches(b"a??b", "aéb".as_bytes()));
    locale::set_bash(true);
    crate::expand::pattern::set_extglob(true);
    assert!(matches(b"+(?)", "ééé".as_bytes()) && !matches(b"@(??)", e));
    crate::expand::pattern::set_extglob(false);
    locale::note(utf8(b"C"));
    assert!(matches(b"??", e) && !matches(b"?", e));
    locale::set_bash(false);
}

#[test]
fn longest_match_at_each_place() {
    let value = b"ab;cab".repeat(2000);
    for (pattern, at, want) in [
        (&b"[ab]"[..], 0, Some(1)),
        (b"[ab]", 2, None),
        (b"??", 3, Some(5)),
        (b"*", 0, Some(value.len())),
        (b"c*a", 3, Some(value.len() - 1)),
        (b"x*", 0, None),
    ] {
        let found = LongestMatch::new(&value, pattern).at(at);
        assert_eq!(found, want, "{}", String::from_utf8_lossy(pattern));
        // The same answer as matching each prefix whole.
        let whole = (at..=value.len())
            .rev()
            .find(|&e| matches(pattern, &value[at..e]));
        assert_eq!(found, whole);
    }
    // A place inside a character, in a UTF-8 locale, is no place.
    locale::set_bash(true);
    locale::note(|n: &[u8]| (n == b"LANG").then(|| b"C.UTF-8".to_vec()));
    let value = "é;é".as_bytes();
    assert_eq!(LongestMatch::new(value, b"?").at(0), Some(2));
    assert_eq!(LongestMatch::new(value, b"?").at(1), None);
    assert_eq!(LongestMatch::new(value, b"?;*").at(0), Some(5));
    locale::note(|_: &[u8]| None);
    locale::set_bash(false);
}

#[test]
fn bash_fixed_lengths() {
    let cases: &[(&[u8], Option<usize>)] = &[
        (b"abc", Some(3)),
        (b"a?c", Some(3)),
        (b"[ab]c", Some(2)),
        (b"[[:alpha:]]x", Some(2)),
        (b"[^]]", Some(2)),
        (b"[]]", Some(1)),
        (b"\\*x", Some(2)),
        (b"a[", Some(2)),
        (b"a*", None),
        (b"@(a|b)", None),
        (b"", Some(0)),
    ];
    for &(pattern, len) in cases {
        assert_eq!(
            bash_fixed_len(pattern),
            len,
            "{:?}",
            String::from_utf8_lossy(pattern)
        );
    }
}
