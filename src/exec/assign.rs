//! bash's assignments beyond `name=value`: `name+=value`, `name[key]=value` and arrays,
//! `name=(...)` and `name+=(...)` — made here for assignments before a command and for the
//! operands of `declare` and its kin, so both behave the same.

use super::error::{ErrorKind, ShellError};
use crate::expand::{self, subscript, ExpandError};
use crate::state::vars::{Array, Key, INTEGER};
use crate::state::Shell;
use crate::syntax::ast::{Assign, Word, WordPart};

/// One element of `name=(...)`, expanded: `[key]=value` (or `[key]+=value`) or a bare value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub key: Option<Vec<u8>>,
    pub append: bool,
    pub value: Vec<u8>,
    /// A bare word of an associative array's list as written, for messages about it.
    pub written: Vec<u8>,
    /// The list is an operand of `declare` or its kin, which bash names quoted in messages.
    pub declared: bool,
}

impl Element {
    /// The word as bash names it when it cannot be a key: as written, quoted for `declare`.
    fn named(&self) -> Vec<u8> {
        match self.declared {
            true => crate::syntax::quote::single_quoted(&self.written),
            false => self.written.clone(),
        }
    }

    /// An empty key as bash names it: as written, or for `declare` its (empty) value quoted.
    fn named_key(&self) -> Vec<u8> {
        match self.declared {
            true => crate::syntax::quote::single_quoted(&self.value),
            false => self.written.clone(),
        }
    }
}

/// The elements of an operand of `declare` or its kin (see [`Element::declared`]).
pub fn declared(mut elements: Vec<Element>) -> Vec<Element> {
    for el in &mut elements {
        el.declared = true;
    }
    elements
}

/// Expand the elements as written: a bare word is split and globbed into as many elements
/// as it makes, or for an associative array (`assoc`) is one element, neither split nor
/// globbed (bash 5.2's key, value pairs); a `[key]=value` one is one element, its value
/// expanded as an assignment's.
pub fn expand_elements(
    sh: &mut Shell,
    words: &[Word],
    assoc: bool,
) -> Result<Vec<Element>, ExpandError> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match crate::syntax::keyed_element(w) {
            Some((key, append, value)) => {
                let key = expand::expand_word(sh, &key)?;
                let value = expand::expand_word(sh, &value)?;
                out.push(Element {
                    key: Some(key),
                    append,
                    value,
                    written: Vec::new(),
                    declared: false,
                });
            }
            None if assoc => out.push(Element {
                key: None,
                append: false,
                value: expand::expand_word(sh, w)?,
                written: crate::syntax::print::word_text(w),
                declared: false,
            }),
            None => {
                for value in expand::expand_words(sh, std::slice::from_ref(w))? {
                    out.push(Element {
                        key: None,
                        append: false,
                        value,
                        written: Vec::new(),
                        declared: false,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// An assignment to a read-only variable: as for a scalar, bash abandons the command line
/// (the status 2 of an error that aborts, which bash mode turns into that).
fn readonly(e: crate::state::VarError) -> ExpandError {
    ExpandError::new(e.message())
}

/// `name=(elements)` or, `append`, `name+=(elements)`.
pub fn assign_array(
    sh: &mut Shell,
    name: &[u8],
    elements: Vec<Element>,
    append: bool,
) -> Result<(), ExpandError> {
    if sh.ignores_assignment(name) {
        return Ok(());
    }
    if let Some((array, sub)) = sh.vars.element_ref(name) {
        // A list cannot go into one element; bash abandons the line, as for `a[1]=(...)`.
        let m = [b"`", array, b"[", sub, b"]': not a valid identifier"].concat();
        return Err(ExpandError::new(m));
    }
    if is_dirstack(sh, name) {
        let mut next = if append {
            1 + sh.dirstack.len() as i64
        } else {
            0
        };
        for el in elements {
            let index = match &el.key {
                Some(k) => expand::arith::eval(sh, k).map_err(ExpandError::unwinding)?,
                None => next,
            };
            next = index + 1;
            set_dirstack_entry(sh, index, el.value);
        }
        return Ok(());
    }
    let assoc = sh.vars.array(name).is_some_and(Array::is_assoc);
    let integer = sh.vars.attrs(name) & INTEGER != 0;
    if let (Some(a), true) = (sh.vars.array(name), append && !assoc && !integer) {
        if !elements.is_empty() && elements.iter().all(|el| el.key.is_none()) {
            // `a+=(x y)`: added in place, not to a copy of the whole array (a loop that
            // builds an array one element at a time stays linear).
            for (next, el) in (a.next_index()..).zip(elements) {
                sh.vars
                    .set_element(name, Key::Index(next), el.value)
                    .map_err(readonly)?;
            }
            return Ok(());
        }
    }
    let mut array = match sh.vars.array(name) {
        Some(a) if append => a.clone(),
        None if append => {
            // `x+=(...)` on a scalar keeps it as element 0.
            let mut a = Array::indexed();
            if let Some(v) = sh.vars.get(name) {
                a.set(Key::Index(0), v.to_vec());
            }
            a
        }
        _ if assoc => Array::assoc(),
        _ => Array::indexed(),
    };
    // bash: `m=([k]=x [k]+=y)` on an associative array appends to the value `m[k]` had
    // before the assignment, not to the `x` before it.
    let before = match assoc && !append && elements.iter().any(|el| el.append) {
        true => Some(sh.vars.array(name).cloned().unwrap_or_else(Array::assoc)),
        false => None,
    };
    let mut next = array.next_index();
    let mut pending_key: Option<Vec<u8>> = None;
    // bash 5.1: when the first element of an associative array has no `[key]=`, the words are
    // key, value pairs (`[k]=v` among them is a word like another); otherwise a word without
    // one is skipped with a warning.
    let pairs = assoc && elements.first().is_some_and(|el| el.key.is_none());
    for mut el in elements {
        let key = if pairs {
            if let Some(k) = el.key.take() {
                let op: &[u8] = if el.append { b"]+=" } else { b"]=" };
                el.value = [b"[", &k[..], op, &el.value[..]].concat();
                el.append = false;
            }
            match pending_key.take() {
                None if el.value.is_empty() => {
                    // bash stops at an empty key, keeping the pairs before it.
                    let m = [&el.named_key()[..], b": bad array subscript"].concat();
                    sh.report(&ShellError::new(ErrorKind::text(m)));
                    break;
                }
                None => {
                    pending_key = Some(el.value);
                    continue;
                }
                Some(k) => Key::Text(k),
            }
        } else if assoc {
            match el.key {
                Some(k) => Key::Text(k),
                None => {
                    let m = [
                        name,
                        b": ",
                        &el.named()[..],
                        b": must use subscript when assigning associative array",
                    ]
                    .concat();
                    sh.report(&ShellError::new(ErrorKind::text(m)));
                    continue;
                }
            }
        } else {
            match el.key {
                Some(k) => {
                    if !k.iter().all(u8::is_ascii_digit) && k.windows(name.len()).any(|w| w == name)
                    {
                        // A subscript that reads the array sees the elements before it
                        // (`a=([0]=6 [a[0]]=x)`, bash).
                        sh.vars.set_array(name, array.clone()).map_err(readonly)?;
                    }
                    let n = match expand::arith::eval(sh, &k) {
                        Ok(n) if n < 0 => n + array.max_index().map_or(0, |m| m + 1),
                        Ok(n) => n,
                        Err(e) => {
                            // bash keeps the elements assigned before the bad subscript.
                            let _ = sh.vars.set_array(name, array);
                            return Err(ExpandError::unwinding(e));
                        }
                    };
                    if n < 0 {
                        // bash names the element, skips it and goes on.
                        let op: &[u8] = if el.append { b"]+=" } else { b"]=" };
                        let m = [b"[", &k[..], op, &el.value[..], b": bad array subscript"];
                        sh.report(&ShellError::new(ErrorKind::text(m.concat())));
                        continue;
                    }
                    next = n + 1;
                    Key::Index(n)
                }
                None => {
                    next += 1;
                    Key::Index(next - 1)
                }
            }
        };
        let mut value = el.value;
        if el.append {
            let old = before.as_ref().unwrap_or(&array).get(&key);
            value = appended(sh, old, &value, integer)?;
        } else if integer {
            value = integer_value(sh, &value)?;
        }
        array.set(key, value);
    }
    if let Some(k) = pending_key {
        array.set(Key::Text(k), Vec::new());
    }
    sh.vars.set_array(name, array).map_err(readonly)
}

/// The value an integer variable is given: `text` evaluated.
fn integer_value(sh: &mut Shell, text: &[u8]) -> Result<Vec<u8>, ExpandError> {
    let n = expand::arith::eval(sh, text).map_err(ExpandError::unwinding)?;
    Ok(n.to_string().into_bytes())
}

/// `old` with `add` appended, or added to it for an integer variable.
pub(crate) fn appended(
    sh: &mut Shell,
    old: Option<&[u8]>,
    add: &[u8],
    integer: bool,
) -> Result<Vec<u8>, ExpandError> {
    let old = old.unwrap_or_default().to_vec();
    if integer {
        let a = expand::arith::eval(sh, &old).map_err(ExpandError::unwinding)?;
        let b = expand::arith::eval(sh, add).map_err(ExpandError::unwinding)?;
        return Ok(a.wrapping_add(b).to_string().into_bytes());
    }
    Ok([&old[..], add].concat())
}

/// `name[key]=value` (`append`: `+=`), the key already expanded.
pub fn assign_element(
    sh: &mut Shell,
    name: &[u8],
    key_text: &[u8],
    value: Vec<u8>,
    append: bool,
) -> Result<(), ExpandError> {
    assign_element_with(sh, name, key_text, value, append, subscript::key)
}

/// How a subscript's text becomes a key: [`subscript::key`] for text already expanded,
/// [`subscript::key_of_text`] for text given at run time (`printf -v 'a[$i]'`, `read
/// 'm["k"]'`, a name reference), which bash expands first.
pub type KeyOf = fn(&mut Shell, &[u8], &[u8], bool) -> Result<Option<Key>, ExpandError>;

/// `name[key]=value`, the key made by `key_of`.
pub fn assign_element_with(
    sh: &mut Shell,
    name: &[u8],
    key_text: &[u8],
    value: Vec<u8>,
    append: bool,
    key_of: KeyOf,
) -> Result<(), ExpandError> {
    if sh.ignores_assignment(name) {
        return Ok(());
    }
    if key_text.is_empty() {
        return Err(subscript::bad_subscript(&[name, b"[]"].concat()));
    }
    if let Some((array, sub)) = sh.vars.element_ref(name) {
        // `ref[k]=v` where ref stands for an element: an element has no elements; bash
        // abandons the line.
        let m = [b"`", array, b"[", sub, b"]': not a valid identifier"].concat();
        return Err(ExpandError::new(m));
    }
    let key = key_of(sh, name, key_text, true)?;
    assign_key(sh, name, key, value, append)
}

fn assign_key(
    sh: &mut Shell,
    name: &[u8],
    key: Option<Key>,
    value: Vec<u8>,
    append: bool,
) -> Result<(), ExpandError> {
    let Some(key) = key else {
        return Err(subscript::bad_subscript(name));
    };
    let integer = sh.vars.attrs(name) & INTEGER != 0;
    let value = if append {
        let old = subscript::element(sh, name, &key);
        appended(sh, old.as_deref(), &value, integer)?
    } else if integer {
        integer_value(sh, &value)?
    } else {
        value
    };
    if let (Key::Index(index), true) = (&key, is_dirstack(sh, name)) {
        set_dirstack_entry(sh, *index, value);
        return Ok(());
    }
    if let Key::Text(key) = &key {
        if sh.is_table_array(name) {
            sh.set_table_element(name, key, value);
            return Ok(());
        }
    }
    sh.vars.set_element(name, key, value).map_err(readonly)
}

/// bash's `DIRSTACK` while the shell computes it: its elements from 1 on are the directory
/// stack's entries, which an assignment changes. Element 0 (the current directory) and
/// elements past the end are not made; `pushd` and `popd` add and remove.
fn is_dirstack(sh: &Shell, name: &[u8]) -> bool {
    name == b"DIRSTACK" && sh.dynamic_array(name).is_some()
}

fn set_dirstack_entry(sh: &mut Shell, index: i64, value: Vec<u8>) {
    let entry = usize::try_from(index)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| sh.dirstack.get_mut(i));
    if let Some(entry) = entry {
        *entry = value;
    }
}

/// `name+=value` on a scalar (or element 0 of an array).
pub fn append_scalar(sh: &mut Shell, name: &[u8], value: Vec<u8>) -> Result<(), ExpandError> {
    if let Some((array, sub)) = sh.vars.element_ref(name) {
        let (array, sub) = (array.to_vec(), sub.to_vec());
        return assign_element_with(sh, &array, &sub, value, true, subscript::key_of_text);
    }
    let integer = sh.vars.attrs(name) & INTEGER != 0;
    let old = sh.vars.get(name).map(<[u8]>::to_vec);
    let v = appended(sh, old.as_deref(), &value, integer)?;
    sh.vars.set(name, v).map_err(readonly)?;
    if sh.options.allexport {
        sh.vars.set_exported(name, true);
    }
    Ok(())
}

/// An assignment before a command that is more than `name=value`. Returns what `set -x`
/// shows for it.
pub fn assign_extended(
    sh: &mut Shell,
    a: &Assign,
) -> Result<crate::exec::xtrace::Assigned, ExpandError> {
    let mut shown_name = a.name.clone();
    if let Some(words) = &a.array {
        let name = sh.vars.resolve(&a.name);
        let assoc = a.index.is_none() && sh.vars.array(name).is_some_and(Array::is_assoc);
        let elements = expand_elements(sh, words, assoc)?;
        // bash shows an array assignment as written.
        let mut shown = b"(".to_vec();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                shown.push(b' ');
            }
            shown.extend_from_slice(&crate::syntax::print::word_text(w));
        }
        shown.push(b')');
        match &a.index {
            Some(index) => {
                let mut m = a.name.clone();
                m.push(b'[');
                m.extend_from_slice(&crate::syntax::print::word_text(index));
                m.extend_from_slice(b"]: cannot assign list to array member");
                // Not an assignment that fails and lets the line go on: bash abandons it.
                return Err(ExpandError::new(m));
            }
            None => assign_array(sh, &a.name, elements, a.append)?,
        }
        if a.append {
            shown_name.push(b'+');
        }
        return Ok(crate::exec::xtrace::Assigned {
            name: shown_name,
            value: shown,
            as_written: true,
        });
    }
    let value = expand::expand_word(sh, &a.value)?;
    match &a.index {
        Some(index) => {
            let mut key = subscript::expand_subscript(sh, &a.name, index)?;
            if key.is_empty() && !index.parts.is_empty() {
                // A subscript that expands to nothing: element 0 of an indexed array, as
                // arithmetic has it; no key of an associative one (named as written).
                if sh.vars.array(&a.name).is_some_and(|a| a.is_assoc()) {
                    let written = crate::syntax::print::word_text(index);
                    return Err(subscript::bad_subscript(
                        &[&a.name[..], b"[", &written, b"]"].concat(),
                    ));
                }
                key = b"0".to_vec();
            }
            assign_element(sh, &a.name, &key, value.clone(), a.append)?;
            // bash traces the subscript as written (`h[$k]=1`).
            shown_name.push(b'[');
            shown_name.extend_from_slice(&crate::syntax::print::word_text(index));
            shown_name.push(b']');
        }
        None => append_scalar(sh, &a.name, value.clone())?,
    }
    if a.append {
        shown_name.push(b'+');
    }
    Ok(crate::exec::xtrace::Assigned::plain(&shown_name, value))
}

/// True when a word is `name=(...)`, an array's elements (not `name=(...)more`, a string):
/// used by the declaration utilities' operand expansion.
pub fn is_compound(w: &Word) -> bool {
    matches!(w.parts.last(), Some(WordPart::Compound(_)))
}
