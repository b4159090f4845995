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

/// An array of strings, not kept but fingerprinted ([`Fingerprint`]): what `verify` needs of a
/// leader's `args` to tell whether two records name the same process. Fingerprinted as they
/// are, and as the bytes they stand for in a record marked lossy (`text::decode_lossy`: a
/// backslash of the text is written as two there), so that a lossy record and one that is not
/// can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashedStrings {
    pub raw: Fingerprint,
    /// None when some string is not in the lossy form.
    pub decoded: Option<Fingerprint>,
}

impl Default for HashedStrings {
    fn default() -> Self {
        HashedStrings {
            raw: Fingerprint::default(),
            decoded: Some(Fingerprint::default()),
        }
    }
}

impl<'de> StringArray<'de> for HashedStrings {
    fn push(&mut self, s: Cow<'de, str>) {
        self.raw.text(Some(&s));
        if let Some(d) = &mut self.decoded {
            if s.contains('\\') {
                match crate::audit::text::decode_lossy(&s) {
                    Some(bytes) => d.bytes_value(Some(&bytes)),
                    None => self.decoded = None,
                }
            } else {
                d.text(Some(&s));
            }
        }
    }
}

impl HashedStrings {
    /// The fingerprint of the strings, or of what they stand for in a record marked lossy.
    pub fn of(&self, lossy: bool) -> Option<u64> {
        if lossy {
            self.decoded.map(|f| f.0)
        } else {
            Some(self.raw.0)
        }
    }
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

impl<'de> Deserialize<'de> for Field<HashedStrings> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ArrayOfStrings(std::marker::PhantomData))
    }
}

/// A JSON object read as `T`; any other value is `Bad` (an object whose own fields are wrong
/// is `Ok`, each of them lenient in turn).
struct Object<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Object<T> {
    type Value = Field<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(a)).map(Field::Ok)
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
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Bad)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<Leader<'a>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Field<Leader<'de>> = d.deserialize_any(Object(std::marker::PhantomData))?;
        Ok(v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<EntryMeta<'a>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: Field<EntryMeta<'de>> = d.deserialize_any(Object(std::marker::PhantomData))?;
        Ok(v)
    }
}

impl<'de> Deserialize<'de> for Field<Tty> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Object(std::marker::PhantomData))
    }
}

/// FNV-1a (64 bits) over the values given, each marked as to whether it is there: a
/// fingerprint of a leader, to compare the same process across a session's records. A check of
/// consistency, not of authenticity (the hash chain and the MAC are those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// A value or its absence, its length first (so that no two sequences of values run into
    /// each other).
    pub fn text(&mut self, t: Option<&str>) {
        self.bytes_value(t.map(str::as_bytes));
    }

    pub fn bytes_value(&mut self, t: Option<&[u8]>) {
        match t {
            Some(t) => {
                self.bytes(&[1]);
                self.bytes(&(t.len() as u64).to_le_bytes());
                self.bytes(t);
            }
            None => self.bytes(&[0]),
        }
    }

    /// Text of a record: in one marked lossy, the bytes it stands for.
    pub fn record_text(&mut self, t: Option<&str>, lossy: bool) {
        match t {
            Some(t) if lossy && t.contains('\\') => match crate::audit::text::decode_lossy(t) {
                Some(bytes) => self.bytes_value(Some(&bytes)),
                // Not in the lossy form: hashed apart from any text that is.
                None => {
                    self.bytes(&[2]);
                    self.text(Some(t));
                }
            },
            t => self.text(t),
        }
    }

    pub fn number(&mut self, n: Option<u64>) {
        match n {
            Some(n) => {
                self.bytes(&[1]);
                self.bytes(&n.to_le_bytes());
            }
            None => self.bytes(&[0]),
        }
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
#[derive(Debug, Default, Clone, Deserialize)]
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

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Parent<'a> {
    pub pid: Field<u64>,
    #[serde(borrow)]
    pub name: Text<'a>,
    /// Schema 2, programs: the shell's entity.
    #[serde(borrow)]
    pub entity_id: Text<'a>,
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
    pub args_count: Field<u64>,
    #[serde(borrow)]
    pub command_line: Text<'a>,
    #[serde(borrow)]
    pub working_directory: Text<'a>,
    pub exit_code: Field<i64>,
    /// Schema 2: the process the record is about (`<session>-p0` the shell, `<session>-pN`
    /// or `<session>-pN.M…` a program), what links a program's `exec` and `end` records.
    #[serde(borrow)]
    pub entity_id: Text<'a>,
    /// Schema 2: when the process was made, and (`end` records) when it ended.
    #[serde(borrow)]
    pub start: Text<'a>,
    #[serde(borrow)]
    pub end: Text<'a>,
    /// Schema 2: the executable's file name (argv[0] of a program never started).
    #[serde(borrow)]
    pub name: Text<'a>,
    pub interactive: Field<bool>,
    pub tty: Field<Tty>,
    /// Schema 2: the leader of a program's process group, and the session's shell as the
    /// session's and the entry leader.
    #[serde(borrow)]
    pub group_leader: Field<Leader<'a>>,
    #[serde(borrow)]
    pub session_leader: Field<Leader<'a>>,
    #[serde(borrow)]
    pub entry_leader: Field<Leader<'a>>,
}

/// `tty.char_device` (schema 2).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Tty {
    pub char_device: CharDevice,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CharDevice {
    pub major: Field<u64>,
    pub minor: Field<u64>,
}

/// A leader (schema 2): `process.session_leader`, `entry_leader` (the session's shell, the
/// same in every record of a session) and `group_leader`. Its `args` are only fingerprinted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Leader<'a> {
    #[serde(borrow)]
    pub entity_id: Text<'a>,
    pub pid: Field<u64>,
    #[serde(borrow)]
    pub start: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub executable: Text<'a>,
    pub args: Field<HashedStrings>,
    pub args_count: Field<u64>,
    #[serde(borrow)]
    pub working_directory: Text<'a>,
    pub interactive: Field<bool>,
    #[serde(borrow)]
    pub user: Ids<'a>,
    pub tty: Field<Tty>,
    pub same_as_process: Field<bool>,
    /// `entry_leader` only.
    #[serde(borrow)]
    pub entry_meta: Field<EntryMeta<'a>>,
}

/// `process.entry_leader.entry_meta`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EntryMeta<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub source: Source<'a>,
}

impl Leader<'_> {
    /// The process it names: every field but `same_as_process` (which says whose record it
    /// is in) and `entry_meta` (see [`Leader::entry_fingerprint`]). A field of the wrong type
    /// counts as absent (it is a finding of its own). `lossy`: the record is marked lossy (its
    /// text in the lossy form).
    pub fn fingerprint(&self, lossy: bool) -> u64 {
        let mut f = Fingerprint::default();
        f.text(self.entity_id.str());
        f.number(self.pid.value());
        f.text(self.start.str());
        f.record_text(self.name.str(), lossy);
        f.record_text(self.executable.str(), lossy);
        f.number(self.args.get().and_then(|a| a.of(lossy)));
        f.number(self.args_count.value());
        f.record_text(self.working_directory.str(), lossy);
        f.number(self.interactive.value().map(u64::from));
        f.text(self.user.id.str());
        f.record_text(self.user.name.str(), lossy);
        let tty = self.tty.get().map(|t| &t.char_device);
        f.number(tty.and_then(|d| d.major.value()));
        f.number(tty.and_then(|d| d.minor.value()));
        f.0
    }

    /// How the session was entered (`entry_meta`), fingerprinted (nothing of it is taken from
    /// bytes: no lossy form).
    pub fn entry_fingerprint(&self) -> u64 {
        let mut f = Fingerprint::default();
        let meta = self.entry_meta.get();
        f.number(meta.map(|_| 1));
        f.text(meta.and_then(|m| m.kind.str()));
        f.text(meta.and_then(|m| m.source.ip.str()));
        f.0
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Source<'a> {
    #[serde(borrow)]
    pub ip: Text<'a>,
    pub port: Field<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Error<'a> {
    /// Schema 2, `end` of a program never started: the errno's name (`ENOENT`, `EACCES`).
    #[serde(borrow)]
    pub code: Text<'a>,
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
    /// Some text of the record is in the lossy form (schema 1 and 2).
    pub lossy: Field<bool>,
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

    /// A program ended, or never started (`end`, schema 2).
    pub fn is_program_end(&self) -> bool {
        self.action() == "end"
    }

    /// The record's `process` is a program (`exec`, `end`, a refused `exec`), not the shell.
    /// (In schema 2 the shell's own records name the shell's executable too.)
    pub fn is_about_program(&self) -> bool {
        match self.action() {
            "exec" | "end" => true,
            "denied" => self.process.args.is_ok() && self.process.command_line.is_absent(),
            _ => false,
        }
    }

    /// `process.executable` of a record about a program.
    pub fn program_executable(&self) -> Option<&str> {
        self.process
            .executable
            .str()
            .filter(|_| self.is_about_program())
    }

    /// A command line that ended with a non-zero status.
    pub fn is_failed_command(&self) -> bool {
        self.is_command_end() && self.process.exit_code.value().is_some_and(|c| c != 0)
    }

    /// The file name of the program a record is about: the basename of `process.executable`,
    /// else `process.name` (schema 2), else the basename of `argv[0]`.
    pub fn program_name(&self) -> Option<&str> {
        if !self.is_about_program() {
            return None;
        }
        if let Some(path) = self.process.executable.str() {
            return Some(path.rsplit('/').next().unwrap_or(path));
        }
        if let Some(name) = self.process.name.str() {
            return Some(name);
        }
        let arg0 = self.process.args.get().and_then(|a| a.first())?;
        Some(arg0.rsplit('/').next().unwrap_or(arg0))
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
    /// (`extra` added to the built-in list), or it runs as root for a user who is not. A
    /// program's `end` is never one: what it ended was counted where it started.
    pub fn privileged(&self, extra: &[String]) -> Option<Privileged> {
        if self.is_program_end() {
            return None;
        }
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
