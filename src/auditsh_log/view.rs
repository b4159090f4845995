//! A record as the tools read it: the fields they use, borrowed from the line where the JSON
//! has no escapes (zero-copy), every other field skipped unparsed.
//!
//! Parsing is lenient per field: a field of the wrong type is [`Field::Bad`] rather than an
//! error for the whole record, so that `verify` can say which field is malformed and `search`
//! still sees the rest of a damaged record.

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// One field of a record: absent, present with the wrong type, or its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Field<T> {
    #[default]
    Absent,
    Bad,
    Ok(T),
}

impl<T> Field<T> {
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Ok(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Field::Ok(_))
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

impl<T: Copy> Field<T> {
    pub fn value(&self) -> Option<T> {
        self.get().copied()
    }
}

impl<'a> Field<Cow<'a, str>> {
    pub fn str(&self) -> Option<&str> {
        self.get().map(|c| c.as_ref())
    }
}

/// A JSON value of kind `K`, or `Bad` for any other JSON value.
macro_rules! lenient {
    ($name:ident, $t:ty, $expect:literal, $($method:ident($arg:ty) => $conv:expr),*) => {
        impl<'de> Deserialize<'de> for Field<$t> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct $name;
                impl<'de> Visitor<'de> for $name {
                    type Value = Field<$t>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expect)
                    }
                    $(fn $method<E: de::Error>(self, v: $arg) -> Result<Self::Value, E> {
                        #[allow(clippy::redundant_closure_call)]
                        Ok(($conv)(v))
                    })*
                    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok(Field::Bad) }
                    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok(Field::Bad) }
                    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(Field::Bad) }
                    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok(Field::Bad) }
                    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                        while a.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(Field::Bad)
                    }
                    fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                        Ok(Field::Bad)
                    }
                }
                d.deserialize_any($name)
            }
        }
    };
}

lenient!(U64Visitor, u64, "an unsigned integer",
    visit_u64(u64) => Field::Ok,
    visit_i64(i64) => |v: i64| u64::try_from(v).map_or(Field::Bad, Field::Ok));
lenient!(I64Visitor, i64, "an integer",
    visit_i64(i64) => Field::Ok,
    visit_u64(u64) => |v: u64| i64::try_from(v).map_or(Field::Bad, Field::Ok));

impl<'de: 'a, 'a> Deserialize<'de> for Field<Cow<'a, str>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Field<Cow<'de, str>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Field::Ok(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Field::Ok(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Field::Ok(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Field::Bad)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Field::Bad)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Field::Bad)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Field::Bad)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Field::Bad)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Field::Bad)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Bad)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Field<bool> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<serde_json::Value>::deserialize(d)? {
            Some(serde_json::Value::Bool(b)) => Field::Ok(b),
            _ => Field::Bad,
        })
    }
}

/// What an array of strings is read into: its strings kept, or only checked.
trait StringArray<'de>: Default {
    fn push(&mut self, s: Cow<'de, str>);
}

impl<'de> StringArray<'de> for Vec<Cow<'de, str>> {
    fn push(&mut self, s: Cow<'de, str>) {
        Vec::push(self, s);
    }
}

/// An array of strings, checked and not kept (`verify` asks only whether it is one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Strings;

impl<'de> StringArray<'de> for Strings {
    fn push(&mut self, _: Cow<'de, str>) {}
}

/// An array of strings into `T`; any other value is `Bad`.
struct ArrayOfStrings<T>(std::marker::PhantomData<T>);

impl<'de, T: StringArray<'de>> Visitor<'de> for ArrayOfStrings<T> {
    type Value = Field<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = T::default();
        let mut bad = false;
        while let Some(s) = a.next_element::<Field<Cow<'de, str>>>()? {
            match s {
                Field::Ok(s) => out.push(s),
                _ => bad = true,
            }
        }
        Ok(if bad { Field::Bad } else { Field::Ok(out) })
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Bad)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Bad)
    }
}

/// An array of strings (`process.args`, `event.type`); any other value is `Bad`.
impl<'de: 'a, 'a> Deserialize<'de> for Field<Vec<Cow<'a, str>>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Field<Vec<Cow<'de, str>>> =
            d.deserialize_any(ArrayOfStrings(std::marker::PhantomData))?;
        Ok(v)
    }
}

impl<'de> Deserialize<'de> for Field<Strings> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ArrayOfStrings(std::marker::PhantomData))
    }
}

pub type Text<'a> = Field<Cow<'a, str>>;

/// The fields of a record the tools use.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Record<'a> {
    #[serde(rename = "@timestamp", borrow)]
    pub timestamp: Text<'a>,
    #[serde(borrow)]
    pub ecs: Ecs<'a>,
    #[serde(borrow)]
    pub event: Event<'a>,
    #[serde(borrow)]
    pub message: Text<'a>,
    #[serde(borrow)]
    pub host: Host<'a>,
    #[serde(borrow)]
    pub user: User<'a>,
    #[serde(borrow)]
    pub group: Ids<'a>,
    #[serde(borrow)]
    pub process: Process<'a>,
    #[serde(borrow)]
    pub source: Source<'a>,
    #[serde(borrow)]
    pub error: Error<'a>,
    #[serde(borrow)]
    pub auditsh: Auditsh<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Ecs<'a> {
    #[serde(borrow)]
    pub version: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Event<'a> {
    #[serde(borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub category: Field<Vec<Cow<'a, str>>>,
    #[serde(rename = "type", borrow)]
    pub kind_of: Field<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    pub action: Text<'a>,
    pub sequence: Field<u64>,
    #[serde(borrow)]
    pub id: Text<'a>,
    /// Nanoseconds.
    pub duration: Field<u64>,
    #[serde(borrow)]
    pub outcome: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Host<'a> {
    #[serde(borrow)]
    pub hostname: Text<'a>,
}

/// `{name, id}`, as ECS gives users and groups.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Ids<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct User<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub effective: Ids<'a>,
    /// The login user (`/proc/self/loginuid`).
    #[serde(borrow)]
    pub audit: Ids<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Parent<'a> {
    pub pid: Field<u64>,
    #[serde(borrow)]
    pub name: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Process<'a> {
    pub pid: Field<u64>,
    #[serde(borrow)]
    pub parent: Parent<'a>,
    #[serde(borrow)]
    pub executable: Text<'a>,
    #[serde(borrow)]
    pub args: Field<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    pub command_line: Text<'a>,
    #[serde(borrow)]
    pub working_directory: Text<'a>,
    pub exit_code: Field<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Source<'a> {
    #[serde(borrow)]
    pub ip: Text<'a>,
    pub port: Field<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Error<'a> {
    #[serde(borrow)]
    pub message: Text<'a>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Lost {
    pub count: Field<u64>,
    pub first_sequence: Field<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Auditsh<'a> {
    pub version: Field<u64>,
    #[serde(borrow)]
    pub session: Text<'a>,
    #[serde(borrow)]
    pub mode: Text<'a>,
    #[serde(borrow)]
    pub tty: Text<'a>,
    #[serde(borrow)]
    pub prev: Text<'a>,
    /// The `event.id` of the command line an `exec` or command end belongs to.
    #[serde(borrow)]
    pub command: Text<'a>,
    #[serde(borrow)]
    pub end_reason: Text<'a>,
    #[serde(borrow)]
    pub signal: Text<'a>,
    #[serde(borrow)]
    pub sink: Text<'a>,
    pub recovered: Field<bool>,
    pub lost: Option<Lost>,
    pub key_epoch: Field<u64>,
    pub next_key_epoch: Field<u64>,
    #[serde(borrow)]
    pub mac: Text<'a>,
    #[serde(borrow)]
    pub logical_cwd: Text<'a>,
    pub login: Field<bool>,
}

/// Parse the JSON text of a record. `None` when it is not a JSON object.
pub fn parse(json: &[u8]) -> Result<Record<'_>, serde_json::Error> {
    parse_as(json)
}

/// Parse JSON text into `T`, borrowing from it. JSON is UTF-8: the whole text is checked once
/// (vectorised) rather than each string parsed, and invalid UTF-8 anywhere, in a value `T`
/// skips too, is an error.
pub fn parse_as<'a, T: Deserialize<'a>>(json: &'a [u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(e) => {
            // The parser's own error where it finds one first (it says where).
            serde_json::from_slice::<T>(json)?;
            Err(<serde_json::Error as serde::de::Error>::custom(format!(
                "invalid UTF-8 at byte {}",
                e.valid_up_to() + 1
            )))
        }
    }
}

/// The programs whose start is a privileged command, by basename (besides any the user adds).
pub const PRIVILEGED_PROGRAMS: &[&str] = &[
    "sudo", "su", "sudoedit", "pkexec", "doas", "runuser", "passwd", "chsh", "chfn", "visudo",
    "useradd", "usermod", "userdel", "groupadd", "groupmod", "gpasswd", "chpasswd", "newgrp",
    "setcap",
];

impl Record<'_> {
    pub fn action(&self) -> &str {
        self.event.action.str().unwrap_or("")
    }

    pub fn session(&self) -> Option<&str> {
        self.auditsh.session.str()
    }

    /// `event.type` holds `t`.
    pub fn has_type(&self, t: &str) -> bool {
        self.event
            .kind_of
            .get()
            .is_some_and(|v| v.iter().any(|x| x == t))
    }

    /// A command line starting (`command` with `event.type` `start`).
    pub fn is_command_start(&self) -> bool {
        self.action() == "command" && self.has_type("start")
    }

    /// A command line that ended (`command` with `event.type` `end`).
    pub fn is_command_end(&self) -> bool {
        self.action() == "command" && self.has_type("end")
    }

    /// A program started (`exec`).
    pub fn is_program(&self) -> bool {
        self.action() == "exec"
    }

    /// A command line that ended with a non-zero status.
    pub fn is_failed_command(&self) -> bool {
        self.is_command_end() && self.process.exit_code.value().is_some_and(|c| c != 0)
    }

    /// The program's file name: the basename of `process.executable`, else of `argv[0]`.
    pub fn program_name(&self) -> Option<&str> {
        let path = self.process.executable.str().or_else(|| {
            self.process
                .args
                .get()
                .and_then(|a| a.first())
                .map(|s| s.as_ref())
        })?;
        Some(path.rsplit('/').next().unwrap_or(path))
    }

    /// `process.args` joined by single spaces.
    pub fn args_joined(&self) -> Option<String> {
        self.process.args.get().map(|a| a.join(" "))
    }

    /// The effective user is root while the real user is not.
    pub fn is_effective_root(&self) -> bool {
        self.user.effective.id.str() == Some("0") && self.user.id.str().is_some_and(|id| id != "0")
    }

    /// Why the record is a privileged one: the program it starts is one of the privileged ones
    /// (`extra` added to the built-in list), or it runs as root for a user who is not.
    pub fn privileged(&self, extra: &[String]) -> Option<Privileged> {
        if self.is_program() {
            if let Some(name) = self.program_name() {
                if PRIVILEGED_PROGRAMS.contains(&name) || extra.iter().any(|e| e == name) {
                    return Some(Privileged::Program);
                }
            }
        }
        self.is_effective_root()
            .then_some(Privileged::EffectiveRoot)
    }

    /// The login user's name, else its id.
    pub fn login_user(&self) -> Option<&str> {
        self.user.audit.name.str().or(self.user.audit.id.str())
    }

    /// The user's name, else the id.
    pub fn user_name(&self) -> Option<&str> {
        self.user.name.str().or(self.user.id.str())
    }
}

/// Why a record is privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privileged {
    /// It starts one of the privileged programs.
    Program,
    /// Its effective user is root and its real user is not.
    EffectiveRoot,
}

impl Privileged {
    pub fn as_str(self) -> &'static str {
        match self {
            Privileged::Program => "program",
            Privileged::EffectiveRoot => "effective-root",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_borrowed_and_lenient() {
        let line = br#"{"@timestamp":"2026-11-21T13:04:48.752211Z","event":{"action":"exec","sequence":"7","type":["start"]},"process":{"executable":"/usr/bin/sudo","args":["sudo","-i"],"exit_code":1},"user":{"id":"1000","effective":{"id":"0"}},"auditsh":{"session":"ab\"c","lost":{"count":2,"first_sequence":5}},"other":{"deep":[1,2,{"x":null}]}}"#;
        let r = parse(line).unwrap();
        assert!(matches!(r.timestamp, Field::Ok(Cow::Borrowed(_))));
        assert_eq!(r.event.sequence, Field::Bad);
        assert_eq!(r.event.id, Field::Absent);
        assert_eq!(r.session(), Some("ab\"c"));
        assert_eq!(r.program_name(), Some("sudo"));
        assert_eq!(r.args_joined().as_deref(), Some("sudo -i"));
        assert_eq!(r.privileged(&[]), Some(Privileged::Program));
        assert!(r.is_effective_root());
        assert_eq!(r.auditsh.lost.as_ref().unwrap().count, Field::Ok(2));
        assert_eq!(r.process.exit_code, Field::Ok(1));
    }

    #[test]
    fn not_an_object_is_an_error() {
        assert!(parse(b"[1,2]").is_err());
        assert!(parse(b"{\"a\":").is_err());
    }

    #[test]
    fn invalid_utf8_is_an_error_even_where_nothing_is_read() {
        let line = b"{\"auditsh\":{\"session\":\"s\"},\"other\":\"a\xffb\"}";
        let e = parse(line).map(|_| ()).unwrap_err().to_string();
        assert_eq!(e, "invalid UTF-8 at byte 38");
        let e = parse(b"{\"auditsh\":{\"session\":\"\xff\"}}").map(|_| ());
        assert!(e.unwrap_err().to_string().contains("line 1"));
    }
}
