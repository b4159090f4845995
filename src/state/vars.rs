//! Shell variables (XCU 2.5.3): values, the export and readonly attributes, and the scopes that
//! `local` creates inside function calls.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;
use std::rc::Rc;

pub use super::array::{Array, Key};

#[derive(Debug, Clone, Default)]
pub struct Var {
    /// None: declared (e.g. `export x`, `readonly x`, `local x`) but unset. Unused while
    /// `array` is set.
    pub value: Option<Vec<u8>>,
    /// The variable is an array (bash): its elements. `$name` is its element 0.
    pub array: Option<Box<Array>>,
    pub exported: bool,
    pub readonly: bool,
    /// bash's attributes of `declare`: [`INTEGER`], [`LOWER`], [`UPPER`], [`NAMEREF`].
    pub attrs: u8,
}

impl Var {
    /// The variable as it is, but an array's elements: what it is, not what it holds (a
    /// copy made to look at after changing it costs nothing for a large array).
    pub fn outline(&self) -> Var {
        let empty = |a: &Array| {
            Box::new(if a.is_assoc() {
                Array::assoc()
            } else {
                Array::indexed()
            })
        };
        Var {
            value: self.value.clone(),
            array: self.array.as_deref().map(empty),
            exported: self.exported,
            readonly: self.readonly,
            attrs: self.attrs,
        }
    }
}

/// `declare -i`: assignments are evaluated as arithmetic.
pub const INTEGER: u8 = 1;
/// `declare -l`: values are lowered on assignment.
pub const LOWER: u8 = 2;
/// `declare -u`: values are raised on assignment.
pub const UPPER: u8 = 4;
/// `declare -n`: the value names the variable that is really meant.
pub const NAMEREF: u8 = 8;
/// `declare -t` (accepted, kept, printed).
pub const TRACE: u8 = 16;
/// `declare -c`: values get a capital first letter, the rest lowered, on assignment.
pub const CAPITALIZE: u8 = 32;
/// Declared (`declare -a x`) and never assigned since: bash writes `declare -a x`, where an
/// array assigned no elements is `declare -a x=()`.
pub const UNASSIGNED: u8 = 64;
/// The attributes that change a value's case; giving one takes the others away.
pub const CASES: u8 = LOWER | UPPER | CAPITALIZE;

impl Var {
    /// Set, as `${!prefix*}` and `set` see it: a value, or an array that was assigned (even
    /// no elements: `a=()`), not one only declared (`declare -a a`).
    pub fn is_set(&self) -> bool {
        match &self.array {
            Some(a) => !a.is_empty() || self.attrs & UNASSIGNED == 0,
            None => self.value.is_some(),
        }
    }

    /// The scalar view: the value, or an array's element 0 (key "0" of an associative one).
    pub fn scalar(&self) -> Option<&[u8]> {
        match &self.array {
            Some(a) => a.get(&zero_key(a)),
            None => self.value.as_deref(),
        }
    }
}

/// Element 0 of an array, as `$a` names it.
fn zero_key(a: &Array) -> Key {
    if a.is_assoc() {
        Key::Text(b"0".to_vec())
    } else {
        Key::Index(0)
    }
}

/// A value changed as the case attributes say.
fn cased(attrs: u8, value: Vec<u8>) -> Vec<u8> {
    use crate::expand::{capitalized, to_lower, to_upper};
    if attrs & LOWER != 0 {
        to_lower(&value)
    } else if attrs & UPPER != 0 {
        to_upper(&value)
    } else if attrs & CAPITALIZE != 0 {
        capitalized(&value)
    } else {
        value
    }
}

/// A variable could not be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarError {
    /// `NAME: is read only` (dash's wording, printed as `sh: 1: NAME: is read only`;
    /// `NAME: readonly variable` in the bash language).
    ReadOnly(Vec<u8>),
    /// A chain of name references that comes back on itself (bash warns, and assigns nothing).
    Circular(Vec<u8>),
    /// A name reference to an element whose subscript names none (`NAME: bad array subscript`).
    BadSubscript(Vec<u8>),
}

impl VarError {
    pub fn message(&self) -> String {
        match self {
            VarError::ReadOnly(name) => {
                // bash's words in the bash language, dash's in posix mode.
                let words = if super::locale::bash() {
                    "readonly variable"
                } else {
                    "is read only"
                };
                format!("{}: {words}", String::from_utf8_lossy(name))
            }
            VarError::Circular(name) => format!(
                "warning: {}: circular name reference",
                String::from_utf8_lossy(name)
            ),
            VarError::BadSubscript(name) => {
                format!("{}: bad array subscript", String::from_utf8_lossy(name))
            }
        }
    }
}

thread_local! {
    /// How many times OPTIND was set or unset: `getopts` goes on inside a word (`-abc`) only
    /// while nothing else has assigned it since its own last assignment.
    static OPTIND_WRITES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The count of assignments to OPTIND so far (see `getopts`).
pub fn optind_writes() -> u64 {
    OPTIND_WRITES.with(std::cell::Cell::get)
}

/// The variable table. The table holds the value in force of every name; the scopes entered
/// (function calls, and bash's temporary environments) keep what their bindings hide, which
/// comes back when the scope is left or the binding is unset.
#[derive(Debug, Default)]
pub struct Vars {
    table: HashMap<Vec<u8>, Var, NameHash>,
    /// The scopes entered, innermost last.
    scopes: Vec<Scope>,
    /// How many of `scopes` are function calls: the level of the function being run.
    calls: usize,
    /// What the temporary assignments before a declaration built-in replaced, while it runs
    /// (bash: `x=1 export x` keeps x; `x=1 local x` gives the local that value).
    command_scope: Option<Vec<(Vec<u8>, Option<Var>)>>,
    /// The environment for programs, built once and kept until an exported variable changes
    /// (a loop that starts programs must not rebuild it every time).
    environ_cache: RefCell<Option<Rc<Vec<CString>>>>,
    /// Whether any variable was ever made a name reference: until one is, a name means
    /// itself and lookups skip following references (half the cost of each one).
    namerefs: bool,
}

/// FNV-1a for variable names: short keys, looked up on every expansion. The table holds the
/// user's own variables, so a hash that resists chosen collisions buys nothing here, and
/// std's SipHash was a tenth of a loop's time.
#[derive(Debug, Default, Clone, Copy)]
pub struct NameHash;

impl std::hash::BuildHasher for NameHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

pub struct Fnv(u64);

/// A table keyed by names the user chooses (functions, aliases, the command hash table),
/// hashed like the variable table (and made without asking the kernel for random keys).
pub type NameMap<V> = HashMap<Vec<u8>, V, NameHash>;

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// True if `name` is a valid variable name (XCU 3.235: letters, digits, underscore, not
/// starting with a digit).
pub fn is_name(name: &[u8]) -> bool {
    match name.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        _ => false,
    }
}

impl Vars {
    /// Variables from the environment, all exported. Entries that are not `NAME=value` with a
    /// valid name are ignored, as dash does; so are the loader's variables when the shell runs
    /// setuid (`audit::privilege::dropped_from_environment`).
    pub fn from_env() -> Vars {
        use std::os::unix::ffi::OsStrExt;
        Vars::from_environment(
            std::env::vars_os().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())),
        )
    }

    /// The variables a new shell makes of `environment` (name, value pairs): each exported,
    /// with no other attribute.
    pub fn from_environment(environment: impl Iterator<Item = (Vec<u8>, Vec<u8>)>) -> Vars {
        use crate::audit::privilege::dropped_from_environment;
        let privileged = crate::audit::is_secure();
        let mut vars = Vars::default();
        // Room for a login environment and the shell's own variables at once: growing the
        // table step by step cost 5,000 of the 145,000 instructions of `-c true`.
        vars.table.reserve(64);
        for (k, v) in environment {
            if is_name(&k) && !dropped_from_environment(&k, privileged) {
                vars.table.insert(
                    k,
                    Var {
                        value: Some(v),
                        exported: true,
                        ..Var::default()
                    },
                );
            }
        }
        vars.touched(b"LANG");
        vars
    }

    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        let v = self.table.get(name)?;
        if v.attrs != 0 || v.array.is_some() {
            return self.var(name).and_then(Var::scalar);
        }
        v.value.as_deref()
    }

    /// The variable a name means: itself, or for a name reference (`declare -n`) the
    /// variable its value names (followed a few levels, as bash does, then given up).
    pub fn resolve<'a>(&'a self, name: &'a [u8]) -> &'a [u8] {
        self.resolve_checked(name).unwrap_or(name)
    }

    /// `name` is a name reference whose chain is a cycle.
    pub fn is_circular(&self, name: &[u8]) -> bool {
        self.namerefs && self.resolve_checked(name).is_none()
    }

    /// As `resolve`, None when the chain goes on past bash's limit of 8 (a cycle).
    fn resolve_checked<'a>(&'a self, mut name: &'a [u8]) -> Option<&'a [u8]> {
        if !self.namerefs {
            return Some(name);
        }
        // Eight references followed, and the ninth name looked at.
        for _ in 0..9 {
            match self.table.get(name) {
                Some(v) if v.attrs & NAMEREF != 0 => match v.value.as_deref() {
                    // A reference to itself is a cycle of one (bash).
                    Some(target) if target == name => return None,
                    Some(target) if !target.is_empty() => name = target,
                    _ => return Some(name),
                },
                _ => return Some(name),
            }
        }
        None
    }

    /// For a name reference to an array element (`declare -n r='a[1]'`): the array's name and
    /// the subscript's text.
    pub fn element_ref<'a>(&'a self, name: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
        if !self.namerefs {
            return None;
        }
        let target = self.resolve_checked(name)?;
        let open = target.iter().position(|&c| c == b'[')?;
        let sub = target[open + 1..].strip_suffix(b"]")?;
        is_name(&target[..open]).then_some((&target[..open], sub))
    }

    /// The variable `name` stands for (through name references); none at the end of a cycle.
    pub fn var(&self, name: &[u8]) -> Option<&Var> {
        self.table.get(self.resolve_checked(name)?)
    }

    /// The variable itself, a name reference not followed (`declare -p`, `unset -n`).
    pub fn var_unresolved(&self, name: &[u8]) -> Option<&Var> {
        self.table.get(name)
    }

    /// The array of a variable, if it is one.
    pub fn array(&self, name: &[u8]) -> Option<&Array> {
        self.var(name).and_then(|v| v.array.as_deref())
    }

    fn writable(&mut self, name: &[u8]) -> Result<&mut Var, VarError> {
        let name: std::borrow::Cow<[u8]> = if self.namerefs {
            match self.resolve_checked(name) {
                Some(target) => target.to_vec().into(),
                None => return Err(VarError::Circular(name.to_vec())),
            }
        } else {
            name.into()
        };
        if !self.table.contains_key(&*name) {
            self.table.insert(name.to_vec(), Var::default());
        }
        let v = self.table.get_mut(&*name).expect("inserted above");
        if v.readonly {
            return Err(VarError::ReadOnly(name.into_owned()));
        }
        v.attrs &= !UNASSIGNED;
        if v.exported {
            self.environ_cache.replace(None);
        }
        Ok(v)
    }

    /// Set a value, keeping the attributes; on an array, its element 0.
    pub fn set(&mut self, name: &[u8], value: Vec<u8>) -> Result<(), VarError> {
        let set = self.set_value(name, value);
        self.touched(name);
        set
    }

    /// A locale variable changed: the character set may have. OPTIND changed: `getopts`
    /// starts a new word.
    fn touched(&self, name: &[u8]) {
        if super::locale::is_locale_var(name) {
            super::locale::note(|n| self.get(n).map(<[u8]>::to_vec));
        } else if name == b"OPTIND" {
            OPTIND_WRITES.with(|w| w.set(w.get().wrapping_add(1)));
        }
    }

    fn set_value(&mut self, name: &[u8], value: Vec<u8>) -> Result<(), VarError> {
        if let Some(v) = self.table.get_mut(name) {
            if v.attrs == 0 && v.array.is_none() {
                if v.readonly {
                    return Err(VarError::ReadOnly(name.to_vec()));
                }
                v.value = Some(value);
                if v.exported {
                    self.environ_cache.replace(None);
                }
                return Ok(());
            }
        } else {
            self.table.insert(
                name.to_vec(),
                Var {
                    value: Some(value),
                    ..Var::default()
                },
            );
            return Ok(());
        }
        let v = self.writable(name)?;
        let value = cased(v.attrs, value);
        match &mut v.array {
            Some(a) => {
                let k = zero_key(a);
                a.set(k, value);
            }
            None => v.value = Some(value),
        }
        Ok(())
    }

    /// Make a variable an array with these elements (`a=(...)`), keeping its attributes.
    pub fn set_array(&mut self, name: &[u8], array: Array) -> Result<(), VarError> {
        let v = self.writable(name)?;
        let mut array = array;
        if v.attrs & CASES != 0 {
            let attrs = v.attrs;
            array.map_values(|e| cased(attrs, e));
        }
        v.value = None;
        v.array = Some(Box::new(array));
        Ok(())
    }

    /// `a[key]=value`: a scalar becomes element 0 of a new indexed array first.
    pub fn set_element(&mut self, name: &[u8], key: Key, value: Vec<u8>) -> Result<(), VarError> {
        let v = self.writable(name)?;
        let value = cased(v.attrs, value);
        let array = v.array.get_or_insert_with(|| {
            let mut a = Array::indexed();
            if let Some(old) = v.value.take() {
                a.set(Key::Index(0), old);
            }
            Box::new(a)
        });
        array.set(key, value);
        Ok(())
    }

    /// `unset 'a[key]'`.
    /// Remove every element of an indexed array, keeping the variable and its attributes
    /// (bash's `unset 'a[@]'`).
    pub fn clear_elements(&mut self, name: &[u8]) -> Result<(), VarError> {
        let name = self.resolve(name).to_vec();
        match self.table.get_mut(&name) {
            Some(v) if v.readonly => Err(VarError::ReadOnly(name)),
            Some(v) => {
                if let Some(a) = &mut v.array {
                    **a = Array::indexed();
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    pub fn unset_element(&mut self, name: &[u8], key: &Key) -> Result<(), VarError> {
        let name = self.resolve(name).to_vec();
        match self.table.get_mut(&name) {
            Some(v) if v.readonly => Err(VarError::ReadOnly(name)),
            Some(v) => {
                match &mut v.array {
                    Some(a) => a.remove(key),
                    None if *key == Key::Index(0) || *key == Key::Text(b"0".to_vec()) => {
                        v.value = None
                    }
                    None => {}
                }
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Give or take attributes (`declare -i`, `declare +l`...).
    pub fn set_attrs(&mut self, name: &[u8], on: u8, off: u8) {
        // Through a name reference, unless the reference itself is being made or unmade.
        let name = if (on | off) & NAMEREF == 0 {
            self.attribute_target(name)
        } else {
            name.to_vec()
        };
        self.namerefs |= on & NAMEREF != 0;
        let v = self.table.entry(name).or_default();
        v.attrs = (v.attrs | on) & !off;
        for case in [LOWER, UPPER, CAPITALIZE] {
            if on & case != 0 {
                v.attrs &= !(CASES & !case);
            }
        }
    }

    /// The attributes of the variable a name means.
    pub fn attrs(&self, name: &[u8]) -> u8 {
        self.var(name).map_or(0, |v| v.attrs)
    }

    /// Turn a variable into an empty array of the kind, keeping a scalar value as element 0
    /// of an indexed one (`declare -a x`), unless it already is one.
    pub fn make_array(&mut self, name: &[u8], assoc: bool) {
        let name = self.attribute_target(name);
        let v = self.table.entry(name).or_default();
        if v.array.is_none() {
            let mut a = if assoc {
                Array::assoc()
            } else {
                Array::indexed()
            };
            if let Some(old) = v.value.take() {
                let k = zero_key(&a);
                a.set(k, old);
            }
            v.array = Some(Box::new(a));
        }
    }

    pub fn unset(&mut self, name: &[u8]) -> Result<(), VarError> {
        let name = &self.resolve(name).to_vec()[..];
        self.unset_unresolved(name)
    }

    /// Unset the variable itself, a name reference not followed (`unset -n`).
    pub fn unset_unresolved(&mut self, name: &[u8]) -> Result<(), VarError> {
        match self.table.get(name) {
            Some(v) if v.readonly => Err(VarError::ReadOnly(name.to_vec())),
            Some(v) => {
                if v.exported {
                    self.environ_cache.replace(None);
                }
                if self.innermost(name).is_some() {
                    // A local: keep the slot (so leaving the function restores), drop the value.
                    if let Some(v) = self.table.get_mut(name) {
                        v.value = None;
                        v.array = None;
                        v.exported = false;
                        v.attrs = 0;
                    }
                } else {
                    self.table.remove(name);
                }
                self.touched(name);
                Ok(())
            }
            None => Ok(()),
        }
    }

    pub fn set_exported(&mut self, name: &[u8], exported: bool) {
        self.environ_cache.replace(None);
        let name = self.attribute_target(name);
        if exported {
            self.keep_temporary_value(&name);
        }
        self.table.entry(name).or_default().exported = exported;
    }

    /// No variable is exported any more (`exec -c`: the program gets an empty environment).
    pub fn unexport_all(&mut self) {
        self.environ_cache.replace(None);
        for var in self.table.values_mut() {
            var.exported = false;
        }
    }

    pub fn set_readonly(&mut self, name: &[u8]) {
        let name = self.attribute_target(name);
        self.keep_temporary_value(&name);
        self.table.entry(name).or_default().readonly = true;
    }

    /// `name` is a name reference (`declare -n`).
    pub fn is_reference(&self, name: &[u8]) -> bool {
        self.namerefs && self.table.get(name).is_some_and(|v| v.attrs & NAMEREF != 0)
    }

    /// Point a name reference at another variable (`for ref in a b`: each word in turn).
    pub fn retarget(&mut self, name: &[u8], target: Vec<u8>) -> Result<(), VarError> {
        match self.table.get_mut(name) {
            Some(v) if v.readonly => Err(VarError::ReadOnly(name.to_vec())),
            Some(v) => {
                if v.exported {
                    self.environ_cache.replace(None);
                }
                v.value = Some(target);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Export or make read-only a name reference itself (`declare -nx`, `declare -nr`): its
    /// value, the name it refers to, is what a program sees.
    pub fn mark_reference(&mut self, name: &[u8], exported: Option<bool>, readonly: bool) {
        self.environ_cache.replace(None);
        let v = self.table.entry(name.to_vec()).or_default();
        if let Some(exported) = exported {
            v.exported = exported;
        }
        v.readonly |= readonly;
    }

    /// The variable an attribute given to `name` lands on: through name references, the
    /// array itself for a reference to one of its elements.
    fn attribute_target(&self, name: &[u8]) -> Vec<u8> {
        match self.element_ref(name) {
            Some((array, _)) => array.to_vec(),
            None => self.resolve(name).to_vec(),
        }
    }

    /// All variables, sorted by name (for `set`, `export -p`, `readonly -p`).
    pub fn sorted(&self) -> Vec<(&[u8], &Var)> {
        let mut all: Vec<_> = self.table.iter().map(|(k, v)| (k.as_slice(), v)).collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// The exported variables that have a value, as name, value pairs.
    pub fn exported_pairs(&self) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
        self.table
            .iter()
            .filter(|(_, v)| v.exported && v.array.is_none())
            .filter_map(|(k, v)| Some((k.clone(), v.value.clone()?)))
    }

    /// The environment for a program: exported variables that have a value, as `NAME=value`.
    pub fn environ(&self) -> Vec<Vec<u8>> {
        self.table
            .iter()
            .filter(|(_, v)| v.exported && v.array.is_none())
            .filter_map(|(k, v)| {
                v.value.as_ref().map(|val| {
                    let mut e = Vec::with_capacity(k.len() + 1 + val.len());
                    e.extend_from_slice(k);
                    e.push(b'=');
                    e.extend_from_slice(val);
                    e
                })
            })
            .collect()
    }

    /// Exchange the variables saved before temporary assignments with those in force: with
    /// `hide`, the saved ones come back and `saved` holds the assignments (the first saved
    /// of a name, made before any of its assignments, is the one in force); without, the
    /// other way back.
    pub fn exchange_temporary(&mut self, saved: &mut [(Vec<u8>, Option<Var>)], hide: bool) {
        if saved.is_empty() {
            return;
        }
        self.environ_cache.replace(None);
        let mut exchange = |(name, var): &mut (Vec<u8>, Option<Var>)| {
            let current = match var.take() {
                Some(v) => self.table.insert(name.clone(), v),
                None => self.table.remove(name),
            };
            *var = current;
            if super::locale::is_locale_var(name) {
                self.touched(b"LANG");
            }
        };
        match hide {
            true => saved.iter_mut().rev().for_each(&mut exchange),
            false => saved.iter_mut().for_each(&mut exchange),
        }
    }

    /// Put back variables saved before temporary assignments (`x=1 builtin`).
    pub fn restore(&mut self, saved: Vec<(Vec<u8>, Option<Var>)>) {
        if !saved.is_empty() {
            self.environ_cache.replace(None);
        }
        for (name, var) in saved.into_iter().rev() {
            self.put_back(name, var);
        }
    }

    /// The environment for a program as C strings, cached until an exported variable changes.
    pub fn environ_c(&self) -> Rc<Vec<CString>> {
        if let Some(env) = self.environ_cache.borrow().as_ref() {
            return Rc::clone(env);
        }
        let env: Rc<Vec<CString>> = Rc::new(
            self.environ()
                .into_iter()
                .filter_map(|e| CString::new(e).ok())
                .collect(),
        );
        self.environ_cache.replace(Some(Rc::clone(&env)));
        env
    }

    /// Enter a function call.
    pub fn push_frame(&mut self) {
        self.calls += 1;
        self.scopes.push(Scope {
            level: self.calls,
            temporary: false,
            bindings: Vec::new(),
        });
    }

    /// Enter a scope of temporary assignments (bash's temporary environment): those before a
    /// function call (`for_call`: the scope is the function's, entered before its frame) or
    /// before `eval`, `source`, `unset` or `mapfile`. `saved` holds what they replaced, which
    /// comes back when the scope is left, or when one of them is unset.
    pub fn push_temporary_frame(&mut self, mut saved: Vec<(Vec<u8>, Option<Var>)>, for_call: bool) {
        // `x=1 x=2 f`: what was there before the first is what comes back.
        let mut seen = std::collections::HashSet::new();
        saved.retain(|(name, _)| seen.insert(name.clone()));
        let bindings = saved
            .into_iter()
            .map(|(name, hidden)| Binding {
                name,
                hidden,
                local: false,
                temporary: true,
                propagate: false,
            })
            .collect();
        self.scopes.push(Scope {
            level: self.calls + usize::from(for_call),
            temporary: true,
            bindings,
        });
    }

    /// Leave the innermost scope: what its bindings hid comes back, but for a temporary
    /// variable `export`ed or made read-only by the function (or by what `eval` ran in one),
    /// whose value passes to what it hid (bash).
    pub fn pop_frame(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        if !scope.temporary {
            self.calls -= 1;
        }
        if !scope.bindings.is_empty() {
            self.environ_cache.replace(None);
        }
        let passes_on = scope.temporary && scope.level > 0;
        for b in scope.bindings.into_iter().rev() {
            if passes_on && b.propagate && !b.local {
                continue;
            }
            self.put_back(b.name, b.hidden);
        }
    }

    fn put_back(&mut self, name: Vec<u8>, hidden: Option<Var>) {
        let locale = super::locale::is_locale_var(&name);
        match hidden {
            Some(v) => {
                self.table.insert(name, v);
            }
            None => {
                self.table.remove(&name);
            }
        }
        if locale {
            self.touched(b"LANG");
        }
    }

    /// Where the binding in force of `name` is: (scope, binding), None for a global.
    fn innermost(&self, name: &[u8]) -> Option<(usize, usize)> {
        self.scopes.iter().enumerate().rev().find_map(|(i, s)| {
            s.bindings
                .iter()
                .rposition(|b| b.name == name)
                .map(|j| (i, j))
        })
    }

    /// The value in force of `name` came from a temporary assignment (`v=x f`, or one before
    /// an `eval` or a caller), or from one before the declaration built-in being run (`v=x
    /// local v`): bash's `local v` starts with that value.
    pub fn hides_temporary(&self, name: &[u8]) -> bool {
        let temporary = self
            .innermost(name)
            .is_some_and(|(i, j)| self.scopes[i].bindings[j].temporary);
        temporary || self.in_command_scope(name)
    }

    /// `local name`: a binding in the function being run, unless it has one. A temporary
    /// variable of this call (`v=x f`, or `v=x eval` in it) is made local where it is, and
    /// keeps its value (bash). Returns false outside a function.
    pub fn make_local(&mut self, name: &[u8]) -> bool {
        if self.calls == 0 {
            return false;
        }
        // `x=1 local x`: the local keeps the temporary value, and leaving the function brings
        // back what the temporary assignment replaced.
        let replaced = self.keep_past_command(name);
        if let Some((i, j)) = self.innermost(name) {
            let level = self.scopes[i].level;
            let b = &mut self.scopes[i].bindings[j];
            if level == self.calls && (b.local || b.temporary) {
                b.local = true;
                return true;
            }
        }
        let hidden = match replaced {
            Some(replaced) => replaced,
            None => self.table.get(name).cloned(),
        };
        // The function's own scope: the temporary ones above it bind other names.
        let call = self.scopes.iter().rposition(|s| !s.temporary);
        let scope = &mut self.scopes[call.expect("a function's scope")];
        scope.bindings.push(Binding {
            name: name.to_vec(),
            hidden,
            local: true,
            temporary: false,
            propagate: false,
        });
        true
    }

    /// The names local to the function being run.
    pub fn locals(&self) -> Vec<&[u8]> {
        let calls = self.calls;
        let mut names: Vec<&[u8]> = self
            .scopes
            .iter()
            .filter(|s| s.level == calls && calls > 0)
            .flat_map(|s| s.bindings.iter().filter(|b| b.local))
            .map(|b| b.name.as_slice())
            .collect();
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(*n));
        names
    }

    /// bash's `unset name`: a local of the function being run (or, with `localvar_unset`, of
    /// a caller) stays local with no value; any other binding goes, and what it hid is seen
    /// again: a caller's local, a temporary assignment, then the global (bash-completion's
    /// `_upvars` relies on it; dash unsets the value).
    pub fn unset_binding(&mut self, name: &[u8], localvar_unset: bool) -> Result<(), VarError> {
        let name = self.resolve(name).to_vec();
        let Some((i, j)) = self.innermost(&name) else {
            return self.unset_unresolved(&name);
        };
        if self.table.get(&name).is_some_and(|v| v.readonly) {
            return Err(VarError::ReadOnly(name));
        }
        self.environ_cache.replace(None);
        let level = self.scopes[i].level;
        let b = &mut self.scopes[i].bindings[j];
        let here = level == self.calls || (localvar_unset && level < self.calls);
        if b.local && here {
            // Only a temporary variable keeps its export attribute (bash).
            let exported = b.temporary && self.table.get(&name).is_some_and(|v| v.exported);
            b.temporary = false;
            let v = self.table.entry(name.clone()).or_default();
            *v = Var {
                exported,
                ..Var::default()
            };
            self.touched(&name);
            return Ok(());
        }
        let b = self.scopes[i].bindings.remove(j);
        self.put_back(name.clone(), b.hidden);
        self.touched(&name);
        Ok(())
    }

    /// `export` or `readonly` of a temporary variable in a function (or in what `eval` runs
    /// in one): its value outlives the scope (bash).
    pub fn propagate(&mut self, name: &[u8]) {
        if let Some((i, j)) = self.innermost(name) {
            let b = &mut self.scopes[i].bindings[j];
            b.propagate |= b.temporary;
        }
    }

    /// Run a declaration built-in with its temporary assignments (`saved`: what they
    /// replaced) open to it. Returns the scope this one replaces, for [`Vars::leave_command_scope`].
    pub fn enter_command_scope(
        &mut self,
        saved: Vec<(Vec<u8>, Option<Var>)>,
    ) -> Option<Vec<(Vec<u8>, Option<Var>)>> {
        self.command_scope.replace(saved)
    }

    /// The built-in is done: what is left of its temporary assignments, to be restored (those
    /// it exported, made read-only or made local stay as they are).
    pub fn leave_command_scope(
        &mut self,
        outer: Option<Vec<(Vec<u8>, Option<Var>)>>,
    ) -> Vec<(Vec<u8>, Option<Var>)> {
        std::mem::replace(&mut self.command_scope, outer).unwrap_or_default()
    }

    /// `x=1 export x`, `x=1 readonly x`: the temporary value stays, in the variable it
    /// replaced, with that one's attributes (bash).
    fn keep_temporary_value(&mut self, name: &[u8]) {
        if let Some(Some(replaced)) = self.keep_past_command(name) {
            if let Some(v) = self.table.get_mut(name) {
                v.attrs |= replaced.attrs & (INTEGER | CASES);
            }
        }
    }

    fn in_command_scope(&self, name: &[u8]) -> bool {
        self.command_scope
            .as_ref()
            .is_some_and(|s| s.iter().any(|(k, _)| k == name))
    }

    /// Take `name` out of the temporary assignments being restored after the command: what it
    /// replaced first (`x=1 x=2 export x`), if it was one of them. `x=1 local x` where x is
    /// local already: the local keeps the temporary value (bash).
    pub fn keep_past_command(&mut self, name: &[u8]) -> Option<Option<Var>> {
        let scope = self.command_scope.as_mut()?;
        let first = scope.iter().position(|(k, _)| k == name)?;
        let replaced = scope.remove(first).1;
        scope.retain(|(k, _)| k != name);
        Some(replaced)
    }

    /// Exchange the variable `name` now visible with the global one a local shadows (kept
    /// with the outermost local), so that `declare -g` acts on the global; a second call
    /// exchanges them back. False, and nothing done, when no local shadows `name`.
    pub fn swap_global(&mut self, name: &[u8]) -> bool {
        let Some(outermost) = self
            .scopes
            .iter_mut()
            .find_map(|s| s.bindings.iter_mut().find(|b| b.name == name))
        else {
            return false;
        };
        let visible = self.table.remove(name);
        if let Some(global) = std::mem::replace(&mut outermost.hidden, visible) {
            self.table.insert(name.to_vec(), global);
        }
        self.environ_cache.replace(None);
        true
    }

    /// `name` is already local to the function being run.
    pub fn is_local_here(&self, name: &[u8]) -> bool {
        self.innermost(name).is_some_and(|(i, j)| {
            self.scopes[i].level == self.calls && self.calls > 0 && self.scopes[i].bindings[j].local
        })
    }

    pub fn in_function(&self) -> bool {
        self.calls > 0
    }
}

/// A function call's variables, or a temporary environment's.
#[derive(Debug)]
struct Scope {
    /// The function call it belongs to (0: none, the shell's own level).
    level: usize,
    /// Made by temporary assignments (`v=x f`, `v=x eval ...`), not by a call.
    temporary: bool,
    bindings: Vec<Binding>,
}

/// A name bound in a scope: a local, or a temporary assignment.
#[derive(Debug)]
struct Binding {
    name: Vec<u8>,
    /// What the binding hides, back in force when it goes.
    hidden: Option<Var>,
    local: bool,
    /// Its value came from a temporary assignment (bash's tempvar).
    temporary: bool,
    /// `export`ed or made read-only while temporary: its value passes on when the scope is
    /// left.
    propagate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(vars: &Vars, name: &[u8]) -> Option<String> {
        vars.get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    fn temporary(vars: &mut Vars, name: &[u8], text: &[u8], for_call: bool) {
        let hidden = vars.var(name).cloned();
        vars.set(name, text.to_vec()).unwrap();
        vars.push_temporary_frame(vec![(name.to_vec(), hidden)], for_call);
    }

    #[test]
    fn unset_peels_bindings_from_the_innermost_out() {
        let mut vars = Vars::default();
        vars.set(b"v", b"global".to_vec()).unwrap();
        temporary(&mut vars, b"v", b"t1", true);
        vars.push_frame();
        temporary(&mut vars, b"v", b"t2", false);
        assert_eq!(value(&vars, b"v").as_deref(), Some("t2"));
        vars.unset_binding(b"v", false).unwrap();
        assert_eq!(value(&vars, b"v").as_deref(), Some("t1"));
        vars.unset_binding(b"v", false).unwrap();
        assert_eq!(value(&vars, b"v").as_deref(), Some("global"));
        vars.unset_binding(b"v", false).unwrap();
        assert_eq!(value(&vars, b"v"), None);
        vars.pop_frame();
        vars.pop_frame();
        vars.pop_frame();
        assert_eq!(value(&vars, b"v"), None);
    }

    #[test]
    fn local_takes_over_a_temporary_of_its_call_and_unset_leaves_it_local() {
        let mut vars = Vars::default();
        vars.set(b"v", b"global".to_vec()).unwrap();
        temporary(&mut vars, b"v", b"temp", true);
        vars.push_frame();
        assert!(vars.hides_temporary(b"v"));
        assert!(vars.make_local(b"v"));
        assert!(vars.is_local_here(b"v"));
        assert_eq!(value(&vars, b"v").as_deref(), Some("temp"));
        vars.unset_binding(b"v", false).unwrap();
        assert_eq!(value(&vars, b"v"), None);
        assert!(vars.is_local_here(b"v"));
        vars.pop_frame();
        vars.pop_frame();
        assert_eq!(value(&vars, b"v").as_deref(), Some("global"));
    }

    #[test]
    fn a_callers_local_is_peeled_and_an_exported_temporary_passes_on() {
        let mut vars = Vars::default();
        vars.set(b"v", b"global".to_vec()).unwrap();
        vars.push_frame();
        vars.make_local(b"v");
        vars.set(b"v", b"local".to_vec()).unwrap();
        vars.push_frame();
        assert!(!vars.is_local_here(b"v"));
        vars.unset_binding(b"v", false).unwrap();
        assert_eq!(value(&vars, b"v").as_deref(), Some("global"));
        vars.pop_frame();
        vars.pop_frame();
        temporary(&mut vars, b"w", b"temp", true);
        vars.push_frame();
        vars.set_exported(b"w", true);
        vars.propagate(b"w");
        vars.pop_frame();
        vars.pop_frame();
        assert_eq!(value(&vars, b"w").as_deref(), Some("temp"));
        assert!(!vars.in_function());
    }
}
