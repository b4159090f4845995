use super::*;
use crate::testutil::dash as run_dash;

/// A shell in posix mode: the table is dash's arithmetic.
fn shell() -> Shell {
    let mut sh = Shell::new(b"sh".to_vec(), crate::audit::Session::disabled());
    sh.options.set_by_name("posix", true);
    sh
}

/// A shell in bash mode.
fn bash_shell() -> Shell {
    Shell::new(b"auditsh".to_vec(), crate::audit::Session::disabled())
}

#[test]
fn bash_operators() {
    let mut sh = bash_shell();
    let mut ev = |e: &str| eval(&mut sh, e.as_bytes()).map_err(|e| (e.status, e.message));
    assert_eq!(ev("2**10"), Ok(1024));
    assert_eq!(ev("2**3**2"), Ok(512));
    assert_eq!(ev("-2**2"), Ok(4));
    assert_eq!(ev("3**41"), Ok(3i64.wrapping_pow(41)));
    assert_eq!(ev("a=1, a++ + ++a"), Ok(4));
    assert_eq!(ev("a"), Ok(3));
    assert_eq!(ev("a--, --a"), Ok(1));
    assert_eq!(ev("--1"), Ok(1));
    assert_eq!(ev("5--1"), Ok(6));
    assert_eq!(ev("5++1"), Ok(6));
    assert_eq!(ev("(1, 2) + 3"), Ok(5));
    assert_eq!(
        ev("2#101 + 16#ff + 36#Z + 64#A + 64#@ + 64#_"),
        Ok(5 + 255 + 35 + 36 + 62 + 63)
    );
    assert_eq!(ev("010 + 0x10"), Ok(24));
    for bad in ["2**-1", "2#102", "65#1", "1#1", "08", "1/0", "x++ +"] {
        let e = ev(bad).unwrap_err();
        assert_eq!(e.0, 1, "{bad}: {:?}", String::from_utf8_lossy(&e.1));
    }
}

/// Variables both shells start with.
const VARS: &[(&str, &str)] = &[
    ("x", "7"),
    ("y", "abc"),
    ("z", ""),
    ("h", "0x1F"),
    ("o", " 010 "),
    ("n", "-5"),
    ("p", "1+2"),
    ("big", "99999999999999999999"),
];

/// What dash prints for `echo $((EXPR)); echo "$x"`: Ok((value, x)) or Err(message).
fn dash(expr: &[u8]) -> Result<(String, String), String> {
    let mut script = String::new();
    for (k, v) in VARS {
        script.push_str(&format!("{k}='{v}' "));
    }
    script.push_str("; echo $(($1)); echo \"$x\"");
    let out = run_dash(&script).byte_args([expr]).run().expect("run dash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        let mut lines = stdout.lines();
        let v = lines.next().unwrap_or("").to_string();
        let x = lines.next().unwrap_or("").to_string();
        Ok((v, x))
    } else {
        Err(stderr
            .trim_end_matches('\n')
            .trim_start_matches("sh: 1: ")
            .to_string())
    }
}

fn ours(expr: &[u8]) -> Result<(String, String), String> {
    let mut sh = shell();
    for (k, v) in VARS {
        sh.set_var(k.as_bytes(), v.as_bytes().to_vec()).unwrap();
    }
    match eval(&mut sh, expr) {
        Ok(v) => Ok((
            v.to_string(),
            String::from_utf8_lossy(sh.get_var(b"x").unwrap_or_default()).into_owned(),
        )),
        Err(e) => {
            assert_eq!(e.status, 2);
            Err(String::from_utf8_lossy(&e.message).into_owned())
        }
    }
}

const TABLE: &[&str] = &[
    // constants
    "0",
    "1",
    "42",
    "010",
    "0x1F",
    "0X1f",
    "0xff",
    "07777",
    "08",
    "09",
    "0x",
    "0x1g",
    "1a",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "0xFFFFFFFFFFFFFFFF",
    "0x7FFFFFFFFFFFFFFF",
    "0777777777777777777777777",
    "-9223372036854775807-1",
    "1.5",
    // white space and empties
    "",
    "  ",
    " 1 ",
    "\t2\n",
    "1 2",
    "\r1",
    // unary
    "-1",
    "+1",
    "!0",
    "!5",
    "~0",
    "~5",
    "- -3",
    "--3",
    "++3",
    "-+-3",
    "!!7",
    "~-1",
    "-(-9223372036854775807-1)",
    "x++",
    "x--",
    "++x",
    "--x",
    "-x",
    "!x",
    // binary, precedence, associativity
    "1+2*3",
    "(1+2)*3",
    "7/2",
    "-7/2",
    "7%3",
    "-7%3",
    "7%-3",
    "10-2-3",
    "64/4/2",
    "2*3%4",
    "1<<3",
    "256>>4",
    "-1>>1",
    "1<<63",
    "1<<64",
    "1<<65",
    "1<<-1",
    "8>>-62",
    "1<2",
    "2<1",
    "1<=1",
    "2>=3",
    "3>2",
    "1==1",
    "1!=1",
    "3 ==3",
    "1<2==1",
    "1+1<<1",
    "6&3",
    "6^3",
    "6|3",
    "1|2^3&4",
    "5&3==3",
    "1&&0",
    "1&&2",
    "0||0",
    "0||3",
    "1||0&&0",
    "9223372036854775807+1",
    "(-9223372036854775807-1)-1",
    "9223372036854775807*2",
    "3000000000*3000000000",
    // conditional
    "1?2:3",
    "0?2:3",
    "1?2?3:4:5",
    "0?1:0?2:3",
    "1?x=1:2",
    "0?x=1:2",
    "1?2:x=3",
    "1?2",
    "1?2:",
    "?",
    ":",
    "1:2",
    // assignments
    "x=3",
    "x = 5 + 1",
    "x+=2",
    "x-=2",
    "x*=3",
    "x/=2",
    "x%=4",
    "x<<=2",
    "x>>=1",
    "x&=3",
    "x^=1",
    "x|=8",
    "x=y=3",
    "(x=4)+x",
    "x=x+1",
    "x==7",
    "x=",
    "x+=",
    "x*=",
    "1=2",
    "(1)=2",
    "(x)=2",
    "x=1=2",
    "x =+ 1",
    "q=5",
    "x+=q",
    // variables
    "x",
    "x+x",
    "y",
    "y+1",
    "z",
    "z+1",
    "h",
    "o",
    "n",
    "p",
    "big",
    "unset_var",
    "unset_var+1",
    "0&&y",
    "1||y",
    "0?y:1",
    "1?1:y",
    "x*0+h",
    // short circuit and division by zero
    "1/0",
    "1%0",
    "0&&1/0",
    "1||1/0",
    "0?1/0:2",
    "1?2:1/0",
    "0&&(x=3)",
    "1||(x=3)",
    "1&&(x=3)",
    "0||(x=3)",
    "x/=0",
    "x%=0",
    "1/0+(",
    "(1/0",
    "1+2/0-",
    // syntax errors
    "1+",
    "(1",
    "1)",
    "((1)",
    "(1)(2)",
    "()",
    "$",
    "@",
    "a b",
    "1,2",
    "y=2,3",
    "x y",
    "1 +* 2",
    "*",
    ")",
    "(",
    "!",
    "~",
    "-",
    "+",
    "&",
    "|",
    "x=)",
    "1 ? : 2",
    "\"1\"",
    "'1'",
    "[1]",
    "1;2",
];

#[test]
fn table_against_dash() {
    assert!(TABLE.len() >= 80);
    let mut failures = Vec::new();
    for expr in TABLE {
        let d = dash(expr.as_bytes());
        let o = ours(expr.as_bytes());
        if d != o {
            failures.push(format!("{expr:?}: dash {d:?}, ours {o:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn int_min_division_is_defined() {
    let mut sh = shell();
    assert_eq!(
        eval(&mut sh, b"(-9223372036854775807-1)/-1").unwrap(),
        i64::MIN
    );
    assert_eq!(eval(&mut sh, b"(-9223372036854775807-1)%-1").unwrap(), 0);
    sh.set_var(b"m", b"-9223372036854775808".to_vec()).unwrap();
    assert_eq!(eval(&mut sh, b"m/=-1").unwrap(), i64::MIN);
    assert_eq!(eval(&mut sh, b"m%=-1").unwrap(), 0);
    assert_eq!(sh.get_var(b"m"), Some(&b"0"[..]));
}

#[test]
fn assignments_set_variables() {
    let mut sh = shell();
    assert_eq!(eval(&mut sh, b"a = 2 + 3").unwrap(), 5);
    assert_eq!(sh.get_var(b"a"), Some(&b"5"[..]));
    assert_eq!(eval(&mut sh, b"a *= a").unwrap(), 25);
    assert_eq!(sh.get_var(b"a"), Some(&b"25"[..]));
    assert_eq!(eval(&mut sh, b"b = c = -4").unwrap(), -4);
    assert_eq!(sh.get_var(b"b"), Some(&b"-4"[..]));
    assert_eq!(sh.get_var(b"c"), Some(&b"-4"[..]));
    assert_eq!(eval(&mut sh, b"0 && (d = 1)").unwrap(), 0);
    assert_eq!(sh.get_var(b"d"), None);
    assert_eq!(eval(&mut sh, b"1 ? e = 1 : (f = 2)").unwrap(), 1);
    assert_eq!(sh.get_var(b"e"), Some(&b"1"[..]));
    assert_eq!(sh.get_var(b"f"), None);
    sh.set_var(b"g", b"0x10".to_vec()).unwrap();
    assert_eq!(eval(&mut sh, b"g += 1").unwrap(), 17);
    assert_eq!(sh.get_var(b"g"), Some(&b"17"[..]));
    // An error leaves earlier assignments in place, as in dash.
    assert!(eval(&mut sh, b"(k = 3) + 1/0").is_err());
    assert_eq!(sh.get_var(b"k"), Some(&b"3"[..]));
}

#[test]
fn readonly_assignment_fails() {
    let mut sh = shell();
    sh.set_var(b"r", b"1".to_vec()).unwrap();
    sh.vars.set_readonly(b"r");
    let e = eval(&mut sh, b"r = 2").unwrap_err();
    assert_eq!(e.message, b"r: is read only");
    assert_eq!(e.status, 2);
    let e = eval(&mut sh, b"r += 2").unwrap_err();
    assert_eq!(e.message, b"r: is read only");
    assert_eq!(sh.get_var(b"r"), Some(&b"1"[..]));
    // Not evaluated: no error.
    assert_eq!(eval(&mut sh, b"0 && (r = 2)").unwrap(), 0);
    assert_eq!(eval(&mut sh, b"r + 1").unwrap(), 2);
}

#[test]
fn readonly_against_dash() {
    let out = run_dash("readonly r=1; echo $((r=2))")
        .run()
        .expect("run dash");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "sh: 1: r: is read only\n"
    );
}

#[test]
fn deep_nesting_is_an_error() {
    let mut sh = shell();
    for (open, close) in [("(", ")"), ("1?", ":1")] {
        let mut e = open.repeat(100_000).into_bytes();
        e.push(b'1');
        e.extend_from_slice(close.repeat(100_000).as_bytes());
        assert!(eval(&mut sh, &e).is_err());
    }
    // Long flat expressions are fine.
    let mut e = b"1+".repeat(100_000);
    e.push(b'1');
    assert_eq!(eval(&mut sh, &e).unwrap(), 100_001);
    let mut e = b"+".repeat(100_000);
    e.push(b'1');
    assert_eq!(eval(&mut sh, &e).unwrap(), 1);
    let e = format!("{}1", "-".repeat(100_001));
    assert_eq!(eval(&mut sh, e.as_bytes()).unwrap(), -1);
    // Moderate nesting works.
    let e = format!(
        "{}1{}",
        "(".repeat(CHECKED_NESTING as usize),
        ")".repeat(CHECKED_NESTING as usize)
    );
    assert_eq!(eval(&mut sh, e.as_bytes()).unwrap(), 1);
    let e = format!("{}1{}", "1?".repeat(200), ":1".repeat(200));
    assert_eq!(eval(&mut sh, e.as_bytes()).unwrap(), 1);
    let e = format!("{}1", "a=".repeat(100_000));
    assert_eq!(eval(&mut sh, e.as_bytes()).unwrap(), 1);
    let e = format!("{}1", "0?1:".repeat(100_000));
    assert_eq!(eval(&mut sh, e.as_bytes()).unwrap(), 1);
    let e = format!("(((({}1{}))))", "(".repeat(100_000), ")".repeat(100_000));
    let err = eval(&mut sh, e.as_bytes()).unwrap_err();
    assert!(err
        .message
        .starts_with(b"arithmetic expression: nested too deeply: \"(((("));
}

#[test]
fn no_panic_on_odd_bytes() {
    let mut sh = shell();
    for e in [
        &b"\xff"[..],
        b"1\x00+",
        b"\x00",
        b"0x",
        b"x\x80",
        b"1<<",
        b"1<<=",
        b"a<<=b",
        b"a>>=2",
        b"((((",
        b"))))",
        b"?:?:",
    ] {
        let _ = eval(&mut sh, e);
    }
    assert_eq!(eval(&mut sh, b"1\x00+").unwrap(), 1);
}

#[test]
fn var_values() {
    assert_eq!(parse_var_value(b"").unwrap(), 0);
    assert_eq!(parse_var_value(b" \t").unwrap(), 0);
    assert_eq!(parse_var_value(b" -0x10 ").unwrap(), -16);
    assert_eq!(parse_var_value(b"-9223372036854775808").unwrap(), i64::MIN);
    assert!(parse_var_value(b"-9223372036854775809").is_err());
    assert!(parse_var_value(b"9223372036854775808").is_err());
    assert_eq!(
        parse_var_value(b"1+2").unwrap_err().message,
        b"Illegal number: 1+2"
    );
    assert!(parse_var_value(b"-").is_err());
    assert!(parse_var_value(b"0x").is_err());
    assert!(parse_var_value(b"08").is_err());
}

#[test]
fn decimal_text_matches_to_string() {
    for n in [
        0,
        1,
        -1,
        9,
        10,
        -10,
        1000003,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
    ] {
        assert_eq!(decimal(n), n.to_string().into_bytes(), "{n}");
    }
}

#[test]
fn plain_decimals_only() {
    assert_eq!(plain_decimal(b"0"), Some(0));
    assert_eq!(plain_decimal(b"1000003"), Some(1000003));
    assert_eq!(
        plain_decimal(b"999999999999999999"),
        Some(999_999_999_999_999_999)
    );
    for text in [
        &b""[..],
        b"07",
        b"1x",
        b" 1",
        b"-1",
        b"9999999999999999999",
        b"1\0",
    ] {
        assert_eq!(
            plain_decimal(text),
            None,
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
}
