//! Array subscripts (bash): what `name[text]` means for the array `name` — an index,
//! evaluated as arithmetic (negative counts back from the highest index), or, for an
//! associative array, the text itself as the key.

use super::ExpandError;
use crate::state::vars::Key;
use crate::state::Shell;
use crate::syntax::ast::{Word, WordPart};

/// The key `text` (already expanded) names in the array `name`. `for_write`: a negative
/// index past the start is an error for an assignment; a read of it is simply unset.
pub fn key(
    sh: &mut Shell,
    name: &[u8],
    text: &[u8],
    for_write: bool,
) -> Result<Option<Key>, ExpandError> {
    if sh.vars.array(name).is_some_and(|a| a.is_assoc()) || sh.is_table_array(name) {
        return Ok(Some(Key::Text(text.to_vec())));
    }
    let n = super::arith::eval(sh, text).map_err(ExpandError::unwinding)?;
    if n >= 0 {
        return Ok(Some(Key::Index(n)));
    }
    let top = match sh.vars.array(name) {
        Some(a) => a.max_index(),
        // A computed array's last element (`DIRSTACK[-1]=dir`).
        None => sh
            .dynamic_array(name)
            .and_then(|a| (a.len() as i64).checked_sub(1)),
    };
    match top {
        Some(top) if n + top + 1 >= 0 => Ok(Some(Key::Index(n + top + 1))),
        _ if for_write => Err(bad_subscript(&[name, b"[", text, b"]"].concat())),
        _ if sh.vars.array(name).is_some() => {
            // A read says so and goes on with nothing (bash).
            read_error(sh, name);
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// The key a subscript names that was written inside a variable name given at run time
/// (`unset 'a[$i]'`, `printf -v 'm["k"]'`, `read 'a[1]'`, a name reference to `a[$k]`): as
/// bash, its text is expanded as a subscript written in place would be (quotes removed,
/// parameters and substitutions expanded), then read as a key or an index.
pub fn key_of_text(
    sh: &mut Shell,
    name: &[u8],
    text: &[u8],
    for_write: bool,
) -> Result<Option<Key>, ExpandError> {
    if let Some(word) = parse_subscript(text).filter(|_| !expanded_once(sh, name)) {
        let expanded = expand_subscript(sh, name, &word)?;
        return key(sh, name, &expanded, for_write);
    }
    key(sh, name, text, for_write)
}

/// A subscript's text read as the word it would be where written, when it holds quotes or
/// expansions; None when it is plain text (or cannot be read).
pub fn parse_subscript(text: &[u8]) -> Option<Word> {
    if !text.iter().any(|c| b"$`\"'\\".contains(c)) {
        return None;
    }
    let assignment = [b"_[", text, b"]="].concat();
    crate::syntax::parser::parse_assignment(&assignment).and_then(|a| a.index)
}

/// A written subscript expanded. An indexed array's is arithmetic text, which bash expands as
/// it does `$(( ))`: single quotes and backslashes are not removed there, so `a['1']` is the
/// error `$(( '1' ))` is (quoted text is given back between single quotes, to be refused).
/// Nothing else in a subscript is `Quoted`: the lexer keeps plain text `Literal` there.
pub fn expand_subscript(sh: &mut Shell, name: &[u8], word: &Word) -> Result<Vec<u8>, ExpandError> {
    let quoted = |p: &WordPart| matches!(p, WordPart::Quoted(_));
    if !word.parts.iter().any(quoted)
        || sh.vars.array(name).is_some_and(|a| a.is_assoc())
        || sh.is_table_array(name)
    {
        return super::expand_word(sh, word);
    }
    let mut text = Vec::new();
    for part in &word.parts {
        match part {
            // A backslash kept (`a[\1]`) is there already.
            WordPart::Quoted(t) if t.first() == Some(&b'\\') => text.extend_from_slice(t),
            WordPart::Quoted(t) => {
                text.push(b'\'');
                text.extend_from_slice(t);
                text.push(b'\'');
            }
            other => {
                let one = Word {
                    parts: vec![other.clone()],
                    raw: None,
                };
                text.extend(super::expand_word(sh, &one)?);
            }
        }
    }
    Ok(text)
}

/// Whether a subscript given as text (to `read`, `printf -v`, `declare`, `unset`) reads as a
/// word: bash refuses `m[a'b]`, whose quote is never closed.
pub fn subscript_reads(text: &[u8]) -> bool {
    !text.iter().any(|c| b"$`\"'\\".contains(c)) || parse_subscript(text).is_some()
}

/// bash's `assoc_expand_once`: the subscript of an associative array given as text
/// (`read 'm[$k]'` after `$k` was expanded) is the key as it stands, expanded no further.
pub fn expanded_once(sh: &Shell, array: &[u8]) -> bool {
    sh.options.shopt.on(crate::state::shopt::ASSOC_EXPAND_ONCE)
        && sh.vars.array(array).is_some_and(|a| a.is_assoc())
}

/// Whether `array[sub]`, given as text, names an element: see [`subscript_reads`] and
/// [`expanded_once`].
pub fn element_text_reads(sh: &Shell, array: &[u8], sub: &[u8]) -> bool {
    expanded_once(sh, array) || subscript_reads(sub)
}

/// The key a written subscript names (expanded first, without field splitting).
pub fn key_of_word(
    sh: &mut Shell,
    name: &[u8],
    word: &Word,
    for_write: bool,
) -> Result<Option<Key>, ExpandError> {
    let text = expand_subscript(sh, name, word)?;
    if text.is_empty() {
        // An empty subscript read from an indexed array is 0, as arithmetic has it.
        let assoc = sh.vars.array(name).is_some_and(|a| a.is_assoc());
        if for_write {
            return Err(bad_subscript(&[name, b"[]"].concat()));
        }
        if word.parts.is_empty() {
            // `${a[]}` as written: bash's bad substitution.
            return Err(ExpandError {
                message: [b"${", name, b"[]}: bad substitution"].concat(),
                status: 1,
                unwinds: false,
                arith: false,
            });
        }
        if assoc {
            read_error(sh, name);
            return Ok(None);
        }
        return Ok(Some(Key::Index(0)));
    }
    key(sh, name, &text, for_write)
}

/// A read of an element whose subscript names none: bash's message, and the read goes on.
fn read_error(sh: &Shell, name: &[u8]) {
    let e = bad_subscript(name);
    sh.report(&crate::exec::ShellError::new(crate::exec::ErrorKind::Expansion(e.message)).fails());
}

/// `NAME: bad array subscript` (bash's words; status 1).
pub fn bad_subscript(name: &[u8]) -> ExpandError {
    let mut m = name.to_vec();
    m.extend_from_slice(b": bad array subscript");
    ExpandError {
        message: m,
        status: 1,
        unwinds: false,
        arith: false,
    }
}

/// The value of `name[key]`: an array's element, or for a scalar, its value at key 0.
pub fn element(sh: &Shell, name: &[u8], key: &Key) -> Option<Vec<u8>> {
    let Some(var) = sh.vars.var(name) else {
        let name = sh.vars.resolve(name);
        if let Some(table) = sh.table_array(name) {
            return table.get(key).map(<[u8]>::to_vec);
        }
        let Key::Index(i) = key else {
            return None;
        };
        return sh
            .dynamic_array(name)
            .and_then(|v| usize::try_from(*i).ok().and_then(|i| v.get(i).cloned()))
            .or_else(|| (*i == 0).then(|| sh.dynamic_var(name)).flatten());
    };
    match &var.array {
        Some(a) => a.get(key).map(<[u8]>::to_vec),
        None if matches!(key, Key::Index(0)) => var.value.clone(),
        None => None,
    }
}

/// Every element of `name` in order (a scalar is an array of one), or the subscripts.
pub fn all(sh: &Shell, name: &[u8], keys: bool) -> Option<Vec<Vec<u8>>> {
    let Some(var) = sh.vars.var(name) else {
        let name = sh.vars.resolve(name);
        if let Some(table) = sh.table_array(name) {
            return Some(if keys { table.keys() } else { table.values() });
        }
        let values = sh
            .dynamic_array(name)
            .or_else(|| sh.dynamic_var(name).map(|v| vec![v]))?;
        if keys {
            return Some(
                (0..values.len())
                    .map(|i| i.to_string().into_bytes())
                    .collect(),
            );
        }
        return Some(values);
    };
    match &var.array {
        Some(a) if keys => Some(a.keys()),
        Some(a) => Some(a.values()),
        None => var.value.as_ref().map(|v| {
            if keys {
                vec![b"0".to_vec()]
            } else {
                vec![v.clone()]
            }
        }),
    }
}

/// How many elements [`all`] would give, without copying them (`${#a[@]}` in a loop).
pub fn count(sh: &Shell, name: &[u8]) -> Option<usize> {
    match sh.vars.var(name) {
        Some(var) => match &var.array {
            Some(a) => Some(a.len()),
            None => var.value.as_ref().map(|_| 1),
        },
        None => all(sh, name, false).map(|v| v.len()),
    }
}

/// A subscript written in a variable's value (`assoc["key"]`): without its quotes.
pub fn unquoted(text: &[u8]) -> &[u8] {
    match text {
        [b'"', inner @ .., b'"'] | [b'\'', inner @ .., b'\''] => inner,
        _ => text,
    }
}

/// The key a subscript's text names in `array` for a read through `${!x}` or a name
/// reference, where nothing may be changed: for an indexed array a number or a variable
/// holding one (a negative index counting back from the end), for an associative one the
/// text less its quotes.
pub fn key_for_read(sh: &Shell, array: &[u8], text: &[u8]) -> Option<Key> {
    let a = sh.vars.array(array);
    if a.is_some_and(|a| a.is_assoc()) {
        let text = unquoted(text);
        // `A[$key]`, `A[${key}]`: the variable's value (nothing else is expanded on a read).
        let named = text
            .strip_prefix(b"${")
            .and_then(|t| t.strip_suffix(b"}"))
            .or_else(|| text.strip_prefix(b"$"))
            .filter(|n| crate::state::vars::is_name(n));
        if let Some(n) = named {
            return Some(Key::Text(sh.get_var_or_dynamic(n)?.into_owned()));
        }
        return Some(Key::Text(text.to_vec()));
    }
    let text = text.trim_ascii();
    let n: i64 = match std::str::from_utf8(text).ok()?.parse() {
        Ok(n) => n,
        Err(_) if crate::state::vars::is_name(text) => {
            let v = sh.get_var_or_dynamic(text)?;
            std::str::from_utf8(&v).ok()?.trim().parse().ok()?
        }
        Err(_) => return None,
    };
    if n >= 0 {
        return Some(Key::Index(n));
    }
    let top = a.and_then(|a| a.max_index())?;
    (n + top + 1 >= 0).then_some(Key::Index(n + top + 1))
}

/// The value of `array[text]` read through a name reference; `[@]` and `[*]` give every
/// element joined by spaces.
pub fn element_by_text(sh: &Shell, array: &[u8], text: &[u8]) -> Option<Vec<u8>> {
    if text == b"@" || text == b"*" {
        return all(sh, array, false).map(|v| v.join(&b' '));
    }
    element(sh, array, &key_for_read(sh, array, text)?)
}
