//! Parameter expansion (XCU 2.6.2), as dash does it.
//!
//! Special parameters are always set except `$!` before the first background job; `$@` and
//! `$*` count as null when joining them gives nothing. Only variables can be assigned by
//! `${x=word}` (dash: `1: bad variable name`). With `set -u`, using an unset parameter is an
//! error except in `${x-w}`, `${x=w}`, `${x?w}` and `${x+w}`; `$@` and `$*` never are.

use super::fields::QUOTED;
use super::{Ctx, ExpandError, Expander, Mode, SPLIT};
use crate::state::{locale, Shell};
use crate::syntax::ast::{Param, ParamExp, ParamOp, ReplaceWhere, Subscript, Word, WordPart};
use locale::char_starts;

enum Value {
    Unset,
    Str(Vec<u8>),
    /// `$@` or `$*`: the positional parameters.
    Args,
}

/// The parameter's value. A variable's value is as large as the user made it: copied
/// fallibly (an empty value stands in and the expander reports "Out of space").
#[inline]
fn lookup(sh: &Shell, param: &Param) -> Result<Value, ExpandError> {
    let mut out_of_space = false;
    let mut s = |v: &[u8]| {
        let mut copy = Vec::new();
        if copy.try_reserve_exact(v.len()).is_err() {
            out_of_space = true;
            return Value::Unset;
        }
        copy.extend_from_slice(v);
        Value::Str(copy)
    };
    let value = match param {
        Param::Indirect(name) => return lookup_indirect(sh, name),
        // Resolved by `expand_indirect` before any lookup.
        Param::IndirectElem(..) => Value::Unset,
        // Evaluated by `expand_element` before any lookup.
        Param::Elem(..) => Value::Unset,
        Param::Var(name) => sh.get_var_or_dynamic(name).map_or(Value::Unset, |v| s(&v)),
        Param::Positional(0, _) => s(&sh.arg0),
        Param::Positional(n, _) => sh.positional.get(n - 1).map_or(Value::Unset, |v| s(v)),
        Param::Special(c) => match c {
            b'@' | b'*' => Value::Args,
            b'#' => Value::Str(sh.positional.len().to_string().into_bytes()),
            b'?' => Value::Str(sh.last_status().to_string().into_bytes()),
            b'$' => Value::Str(sh.pid.to_string().into_bytes()),
            b'!' => match sh.last_bg_pid {
                Some(pid) => Value::Str(pid.to_string().into_bytes()),
                None => Value::Unset,
            },
            b'-' => Value::Str(sh.options.flags()),
            b'0' => s(&sh.arg0),
            _ => Value::Unset,
        },
    };
    if out_of_space {
        return Err(ExpandError::out_of_space());
    }
    Ok(value)
}

/// `${!name}`: the value of the parameter `name`'s value names (out of line: `lookup` is on
/// every expansion's path).
#[cold]
#[inline(never)]
fn lookup_indirect(sh: &Shell, name: &[u8]) -> Result<Value, ExpandError> {
    match indirect_target(sh, name)? {
        Param::Elem(array, sub) => Ok(match *sub {
            Subscript::Index(word) => {
                // `A[$key]` is read as written: the key's variable (nothing runs on a read).
                let text = match word.as_plain_literal() {
                    Some(t) => t.to_vec(),
                    None => crate::syntax::print::word_text(&word),
                };
                super::subscript::key_for_read(sh, &array, &text)
                    .and_then(|k| super::subscript::element(sh, &array, &k))
                    .map_or(Value::Unset, Value::Str)
            }
            Subscript::All { .. } => super::subscript::all(sh, &array, false)
                .map_or(Value::Unset, |v| Value::Str(v.join(&b' '))),
        }),
        p => lookup(sh, &p),
    }
}

/// The parameter `${!name}` refers to: the one `name`'s value names (bash's errors when
/// `name` is unset, or its value names no parameter).
fn indirect_target(sh: &Shell, name: &[u8]) -> Result<Param, ExpandError> {
    // `${!1}`: through a positional parameter.
    let value = match param_named(name) {
        // An unset positional parameter names nothing, quietly (an unset variable is an
        // error).
        Some(Param::Positional(n, _)) => match sh.positional.get(n - 1) {
            Some(v) => Some(v.clone()),
            None => return Ok(Param::Var(Vec::new())),
        },
        // `${!#}`, `${!@}`: a special parameter's value (the parameters joined by spaces).
        Some(special @ Param::Special(_)) => match lookup(sh, &special)? {
            Value::Str(v) => Some(v),
            Value::Args => Some(sh.positional.join(&b' ')),
            Value::Unset => None,
        },
        _ => match sh.get_var_or_dynamic(name) {
            Some(v) => Some(v.to_vec()),
            // An array without element 0 names nothing, quietly (bash).
            None if sh.vars.array(name).is_some() => return Ok(Param::Var(Vec::new())),
            None => None,
        },
    };
    if let Some(arrayish) = value.as_deref().filter(|v| {
        crate::syntax::lexer::is_name(v)
            && (sh.vars.array(v).is_some() || sh.dynamic_array(v).is_some())
    }) {
        // An array's name alone means its element 0 (`FUNCNAME`, `BASH_SOURCE`).
        let zero = Subscript::Index(Word::literal(b"0"));
        return Ok(Param::Elem(arrayish.to_vec(), Box::new(zero)));
    }
    target_of(name, value)
}

/// The parameter a value names, for `${!name}`; `name` for the message when it has none.
fn target_of(name: &[u8], value: Option<Vec<u8>>) -> Result<Param, ExpandError> {
    let Some(target) = value else {
        return Err(ExpandError {
            message: [name, b": invalid indirect expansion"].concat(),
            status: 1,
            unwinds: false,
            arith: false,
        });
    };
    if let Some(p) = param_named(&target) {
        return Ok(p);
    }
    // `name[subscript]`: an element, or all of them.
    if let Some(open) = target.iter().position(|&c| c == b'[') {
        let array = &target[..open];
        if let (true, Some(sub)) = (
            crate::syntax::lexer::is_name(array),
            target[open + 1..].strip_suffix(b"]"),
        ) {
            let sub = match sub {
                b"@" => Subscript::All { at: true },
                b"*" => Subscript::All { at: false },
                text => Subscript::Index(
                    super::subscript::parse_subscript(text)
                        .unwrap_or_else(|| Word::literal(super::subscript::unquoted(text))),
                ),
            };
            return Ok(Param::Elem(array.to_vec(), Box::new(sub)));
        }
    }
    Err(ExpandError {
        message: [&target[..], b": invalid variable name"].concat(),
        status: 1,
        unwinds: false,
        arith: false,
    })
}

/// The parameter a `${!x}` names: a variable, a positional or a special parameter.
fn param_named(text: &[u8]) -> Option<Param> {
    if !text.is_empty() && text.iter().all(u8::is_ascii_digit) {
        let n: usize = std::str::from_utf8(text).ok()?.parse().ok()?;
        return Some(if n == 0 {
            Param::Special(b'0')
        } else {
            Param::Positional(n, false)
        });
    }
    match text {
        [c @ (b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!')] => Some(Param::Special(*c)),
        _ if crate::syntax::lexer::is_name(text) => Some(Param::Var(text.to_vec())),
        _ => None,
    }
}

/// The parameter's name as dash prints it in messages.
fn name_of(param: &Param) -> Vec<u8> {
    match param {
        Param::Var(name) | Param::Indirect(name) | Param::IndirectElem(name, _) => name.clone(),
        Param::Elem(name, sub) => match **sub {
            Subscript::All { at } => [&name[..], if at { b"[@]" } else { b"[*]" }].concat(),
            Subscript::Index(_) => name.clone(),
        },
        Param::Positional(n, _) => n.to_string().into_bytes(),
        Param::Special(c) => vec![*c],
    }
}

fn error(param: &Param, message: &[u8]) -> ExpandError {
    let mut m = name_of(param);
    m.extend_from_slice(b": ");
    m.extend_from_slice(message);
    ExpandError::new(m)
}

/// An unset parameter expanded under `set -u` (`message` None), or `${x?message}`. bash
/// words the first `x: unbound variable`; a non-interactive bash exits with 127 for both
/// when it runs `-c` commands, with 1 when it reads a script (and in a subshell).
fn unset_error(sh: &Shell, param: &Param, message: Option<&[u8]>) -> ExpandError {
    let bash = sh.options.bash();
    let text: &[u8] = match message {
        Some(m) => m,
        None if bash => b"unbound variable",
        None => b"parameter not set",
    };
    let mut err = match param {
        // bash names the element as its subscript is written: `a[$i]: unbound variable`.
        Param::Elem(name, sub) if bash && message.is_none() => match &**sub {
            Subscript::Index(w) => {
                let written = crate::syntax::print::bare_text(w);
                let element = [&name[..], b"[", &written, b"]"].concat();
                error(&Param::Var(element), text)
            }
            Subscript::All { .. } => error(param, text),
        },
        // `$1` is named with its `$`, `${1}` without.
        Param::Positional(n, true) if bash && message.is_none() => {
            error(&Param::Var(format!("${n}").into_bytes()), text)
        }
        // `$!` before any job, as bash names it (its rarer `${!}` is named `!`).
        Param::Special(b'!') if bash && message.is_none() => {
            error(&Param::Var(b"$!".to_vec()), text)
        }
        _ => error(param, text),
    };
    if bash {
        err.status = unset_status(sh);
    }
    err
}

/// The status a non-interactive bash exits with after `set -u` or `${x?}` stopped it.
pub(crate) fn unset_status(sh: &Shell) -> i32 {
    if sh.options.command_string && !sh.in_subshell && !sh.options.errexit {
        127
    } else {
        1
    }
}

/// The character joining `$*` (and `$@` where it is not split into fields): the first of IFS,
/// a space when IFS is unset, nothing when IFS is empty.
fn join_sep(sh: &Shell) -> Option<Vec<u8>> {
    match sh.ifs() {
        None => Some(vec![b' ']),
        Some(v) => (!v.is_empty()).then(|| v[..locale::first_char_len(v)].to_vec()),
    }
}

/// Unquoted `$@` and `$*` in bash split as one string, the parameters joined by IFS's first
/// character, when that character is not white space: its separator then.
fn joined_before_split(e: &Expander, ctx: Ctx) -> Option<Vec<u8>> {
    if e.mode != Mode::Fields || ctx == Ctx::Quoted || !e.sh.options.bash() {
        return None;
    }
    let first = *e.sh.ifs()?.first()?;
    if b" \t\n".contains(&first) {
        return None;
    }
    join_sep(e.sh)
}

/// The parameters joined; as large as the user made them, so allocated fallibly.
fn join(args: &[Vec<u8>], sep: Option<&[u8]>) -> Result<Vec<u8>, ExpandError> {
    let mut out = Vec::new();
    let sep = sep.unwrap_or_default();
    out.try_reserve_exact(args.iter().map(|a| a.len() + sep.len()).sum())
        .map_err(|_| ExpandError::out_of_space())?;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(a);
    }
    Ok(out)
}

/// The context of the word of `${x-word}` given the context of the expansion.
fn word_ctx(ctx: Ctx) -> Ctx {
    if ctx == Ctx::Quoted {
        Ctx::Quoted
    } else {
        Ctx::ParamWord
    }
}

/// `$@`, or `${name[@]}`: the form whose quoted expansion makes one field per element.
fn is_at(pe: &ParamExp) -> bool {
    match &pe.param {
        Param::Special(c) => *c == b'@',
        Param::Elem(_, sub) => matches!(**sub, Subscript::All { at: true }),
        _ => false,
    }
}

pub(super) fn expand(e: &mut Expander, pe: &ParamExp, ctx: Ctx) -> Result<(), ExpandError> {
    if let ParamOp::Bad(text) | ParamOp::BadTransform(text) = &pe.op {
        let mut err = ExpandError::new([b"${", &text[..], b"}: bad substitution"].concat());
        // bash abandons the command with 1 here; a bad transform ends a script as `set -u`
        // does (1, or 127 for a `-c` string).
        err.status = match pe.op {
            ParamOp::BadTransform(_) => unset_status(e.sh),
            _ => 1,
        };
        return Err(err);
    }
    if let Param::Elem(name, sub) = &pe.param {
        return expand_element(e, pe, name, sub, ctx);
    }
    if let Param::Indirect(_) | Param::IndirectElem(..) = &pe.param {
        return expand_indirect(e, pe, ctx);
    }
    // `BeforeBrace` where no brace expansion took it (an assignment, a pattern) is `$x`.
    if let (Param::Var(name), ParamOp::Plain | ParamOp::BeforeBrace | ParamOp::Length) =
        (&pe.param, &pe.op)
    {
        if let Some((array, sub)) = e.sh.vars.element_ref(name) {
            if pe.op == ParamOp::Length {
                // bash measures no element through a reference: its `${#ref}` is 0.
                e.push_value(b"0", ctx);
                return Ok(());
            }
            // `$ref`, a name reference to `a[@]` or `a[$i + 1]`, expands as that element
            // would written out: all the elements, or its subscript expanded in full (bash;
            // with an operator, bash reads the joined value). A missing element is empty,
            // even under `set -u`.
            let target = [array, b"[", sub, b"]"].concat();
            if let Ok(param @ Param::Elem(..)) = target_of(name, Some(target)) {
                let op = ParamOp::Plain;
                let nounset = std::mem::replace(&mut e.sh.options.nounset, false);
                let r = expand(e, &ParamExp { param, op }, ctx);
                e.sh.options.nounset = nounset;
                return r;
            }
        }
    }
    let value = lookup(e.sh, &pe.param)?;
    expand_value(e, pe, value, ctx)
}

/// `${!name...}`: the expansion of the parameter `name`'s value names, with the operator.
#[cold]
#[inline(never)]
fn expand_indirect(e: &mut Expander, pe: &ParamExp, ctx: Ctx) -> Result<(), ExpandError> {
    let param = match &pe.param {
        Param::IndirectElem(name, sub) => {
            let value = match &**sub {
                Subscript::Index(word) => super::subscript::key_of_word(e.sh, name, word, false)?
                    .and_then(|k| super::subscript::element(e.sh, name, &k)),
                // All the elements, joined: a name only when there is one. No elements at
                // all name nothing, quietly (`${!empty[@]-default}`, bash).
                Subscript::All { .. } => match super::subscript::all(e.sh, name, false) {
                    Some(v) if v.is_empty() => {
                        let nothing = ParamExp {
                            param: Param::Var(Vec::new()),
                            op: pe.op.clone(),
                        };
                        return expand(e, &nothing, ctx);
                    }
                    v => v.map(|v| v.join(&b' ')),
                },
            };
            let shown = match &**sub {
                Subscript::All { at } => [&name[..], if *at { b"[@]" } else { b"[*]" }].concat(),
                Subscript::Index(_) => name.clone(),
            };
            target_of(&shown, value)?
        }
        Param::Indirect(name) => {
            // `${!ref}` of a name reference is the name it finally refers to (bash).
            if e.sh.vars.is_reference(name)
                && e.sh
                    .vars
                    .var_unresolved(name)
                    .is_some_and(crate::state::vars::Var::is_set)
            {
                let target = e.sh.vars.resolve(name).to_vec();
                return expand_value(e, pe, Value::Str(target), ctx);
            }
            indirect_target(e.sh, name)?
        }
        _ => return Ok(()),
    };
    let mut op = pe.op.clone();
    if matches!(&param, Param::Elem(_, sub) if matches!(**sub, Subscript::All { .. })) {
        // bash: through `${!ref}`, all of an array's elements are tested for being set
        // only, as if the operator had no `:`.
        if let ParamOp::Default { colon, .. }
        | ParamOp::Assign { colon, .. }
        | ParamOp::Error { colon, .. }
        | ParamOp::Alternative { colon, .. } = &mut op
        {
            *colon = false;
        }
    }
    let target = ParamExp { param, op };
    let mut result = expand(e, &target, ctx);
    // bash names an unset target by the reference: `!ref: unbound variable`, `!ref: msg`.
    if let (Err(err), Param::Indirect(name)) = (&mut result, &pe.param) {
        let prefix = [&name_of(&target.param)[..], b": "].concat();
        if err.is_unbound() {
            err.message = [b"!", &name[..], b": unbound variable"].concat();
        } else if matches!(pe.op, ParamOp::Error { .. }) && err.message.starts_with(&prefix) {
            err.message = [b"!", &name[..], b": ", &err.message[prefix.len()..]].concat();
        }
    }
    result
}

/// `${name[i]}`, `${name[@]}` and what applies to them: one element is a value like any
/// other; all of them are treated as `$@` is, the elements standing in for the positional
/// parameters.
#[cold]
#[inline(never)]
fn expand_element(
    e: &mut Expander,
    pe: &ParamExp,
    name: &[u8],
    sub: &Subscript,
    ctx: Ctx,
) -> Result<(), ExpandError> {
    let word = match sub {
        Subscript::Index(word) => word,
        Subscript::All { .. } => {
            let keys = pe.op == ParamOp::Keys;
            if pe.op == ParamOp::Length {
                // bash: an array only declared (`declare -a a`) is unset: its length is an
                // error under `set -u`, as that of no array.
                let declared_only = || e.sh.vars.var(name).is_some_and(|v| !v.is_set());
                if e.sh.options.nounset && e.sh.options.bash() && declared_only() {
                    return Err(ExpandError::unbound_length(name));
                }
                if let Some(n) = super::subscript::count(e.sh, name) {
                    e.push_value(n.to_string().as_bytes(), ctx);
                    return Ok(());
                }
            }
            let list = super::subscript::all(e.sh, name, keys);
            // bash (since 4.4) lets `${a[@]}` of an unset array expand to nothing under
            // `set -u`; only its length is an error, named by the array.
            if list.is_none()
                && e.sh.options.nounset
                && !matches!(
                    pe.op,
                    ParamOp::Default { .. }
                        | ParamOp::Alternative { .. }
                        | ParamOp::Assign { .. }
                        | ParamOp::Error { .. }
                )
            {
                if e.sh.options.posix {
                    return Err(error(&pe.param, b"unbound variable"));
                }
                if pe.op == ParamOp::Length {
                    return Err(ExpandError::unbound_length(name));
                }
            }
            let list = list.unwrap_or_default();
            match &pe.op {
                ParamOp::Length => {
                    e.push_value(list.len().to_string().as_bytes(), ctx);
                    return Ok(());
                }
                ParamOp::Substring { offset, length } => {
                    return array_slice(e, pe, name, offset, length, ctx);
                }
                ParamOp::Transform(t @ (b'A' | b'K' | b'k')) if !keys => {
                    return whole_array_transform(e, pe, name, *t, ctx);
                }
                _ => {}
            }
            // An empty array is as `$@` without parameters in bash; unset in posix mode.
            let value = if list.is_empty() && e.sh.options.posix {
                Value::Unset
            } else {
                Value::Args
            };
            if keys {
                let at = matches!(sub, Subscript::All { at: true });
                if let Some(one) = names_joined_unsplit(e, &list, at, ctx, b" ") {
                    e.push_value(&one, ctx);
                    return Ok(());
                }
            }
            let saved = std::mem::replace(&mut e.sh.positional, list);
            let op = if keys { &ParamOp::Plain } else { &pe.op };
            let r = expand_value(
                e,
                &ParamExp {
                    param: pe.param.clone(),
                    op: op.clone(),
                },
                value,
                ctx,
            );
            e.sh.positional = saved;
            return r;
        }
    };
    let key = super::subscript::key_of_word(e.sh, name, word, false)?;
    let value = key
        .and_then(|k| super::subscript::element(e.sh, name, &k))
        .map_or(Value::Unset, Value::Str);
    expand_value(e, pe, value, ctx)
}

/// `${a[@]@A}` (the `declare` command that makes the array), `${a[@]@K}` (keys and quoted
/// values, one word) and `${a[@]@k}` (keys and values, each its own word).
fn whole_array_transform(
    e: &mut Expander,
    pe: &ParamExp,
    name: &[u8],
    t: u8,
    ctx: Ctx,
) -> Result<(), ExpandError> {
    use crate::builtins::declare::{declare_line, quote_key, quote_value};
    let Some(var) = e.sh.vars.var(name).cloned() else {
        return Ok(());
    };
    let entries: Vec<(Vec<u8>, Vec<u8>)> = match var.array.as_deref() {
        Some(a) => a.entries(),
        None => var
            .value
            .iter()
            .map(|v| (b"0".to_vec(), v.clone()))
            .collect(),
    };
    match t {
        b'A' => {
            let mut line = declare_line(name, &var);
            line.pop();
            e.push_value(&line, ctx);
        }
        b'K' => {
            let assoc = var.array.as_deref().is_some_and(|a| a.is_assoc());
            let mut out = Vec::new();
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                if assoc {
                    out.extend_from_slice(&quote_key(k));
                } else {
                    out.extend_from_slice(k);
                }
                out.push(b' ');
                out.extend_from_slice(&quote_value(v));
            }
            // bash ends an associative array's list with a blank, as `declare -p` does.
            if assoc && !entries.is_empty() {
                out.push(b' ');
            }
            e.push_value(&out, ctx);
        }
        _ => {
            let words = entries.into_iter().flat_map(|(k, v)| [k, v]).collect();
            with_args(e, words, is_at(pe), ctx);
        }
    }
    Ok(())
}

/// The numbers of `${x:offset:length}`: arithmetic words, blank meaning 0.
fn slice_number(sh: &mut Shell, w: &Word, param: &Param) -> Result<i64, ExpandError> {
    let text = super::expand_word(sh, w)?;
    if text.iter().all(|c| matches!(c, b' ' | b'\t' | b'\n')) {
        return Ok(0);
    }
    let bash = sh.options.bash();
    super::arith::eval(sh, &text).map_err(|e| e.within(bash, &name_of(param)))
}

/// The length of a slice, read only once the offset fell inside the value (bash does not
/// evaluate it otherwise): `None` when there is none. A negative one is an error for `$@`,
/// arrays, and a scalar where it ends before `start`; `stop` is where it stops otherwise.
fn slice_stop(
    sh: &mut Shell,
    param: &Param,
    length: &Option<Word>,
    start: i64,
    n: i64,
    from_end: bool,
) -> Result<i64, ExpandError> {
    let Some(w) = length else {
        return Ok(n);
    };
    let l = slice_number(sh, w, param)?;
    if l < 0 {
        if !from_end || n + l < start {
            return Err(negative_length(length));
        }
        return Ok(n + l);
    }
    Ok(start.saturating_add(l).min(n))
}

/// `${a[@]:offset:length}`: the elements from index `offset` on (indexed arrays count by
/// index, so a sparse array skips its holes), at most `length` of them. As bash, nothing is
/// evaluated for an empty array, and the length not when the offset is past the last index.
fn array_slice(
    e: &mut Expander,
    pe: &ParamExp,
    name: &[u8],
    offset: &Word,
    length: &Option<Word>,
    ctx: Ctx,
) -> Result<(), ExpandError> {
    let entries: Vec<(i64, Vec<u8>)> = match e.sh.vars.array(name) {
        Some(crate::state::vars::Array::Indexed(m)) => {
            m.iter().map(|(k, v)| (*k, v.clone())).collect()
        }
        Some(a) => a
            .values()
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i as i64, v))
            .collect(),
        None => super::subscript::all(e.sh, name, false)
            .unwrap_or_default()
            .into_iter()
            .map(|v| (0, v))
            .collect(),
    };
    let Some(&(top, _)) = entries.last() else {
        return Ok(());
    };
    let off = slice_number(e.sh, offset, &pe.param)?;
    let assoc = matches!(
        e.sh.vars.array(name),
        Some(crate::state::vars::Array::Assoc(_))
    );
    let start = if assoc {
        // bash counts an associative array's elements from 1, and takes 0 as 1.
        let n = top + 1;
        let from_one = if off < 0 { n + 1 + off } else { off };
        if from_one < 0 || from_one > n {
            return Ok(());
        }
        from_one.max(1) - 1
    } else {
        // Wrapping, as bash's 64-bit arithmetic: past the top index counts back from it.
        let start = if off < 0 {
            top.wrapping_add(1).wrapping_add(off)
        } else {
            off
        };
        if start < 0 || start > top {
            return Ok(());
        }
        start
    };
    let mut chosen: Vec<Vec<u8>> = entries
        .into_iter()
        .filter(|(k, _)| *k >= start)
        .map(|(_, v)| v)
        .collect();
    // Counted from `start`, as many as there are at most: a negative count is an error.
    let mut count = slice_stop(e.sh, &pe.param, length, 0, i64::MAX, false)?;
    if assoc {
        // bash takes none of an associative array's elements as one.
        count = count.max(1);
    }
    chosen.truncate(usize::try_from(count).unwrap_or(usize::MAX));
    with_args(e, chosen, is_at(pe), ctx);
    Ok(())
}

fn expand_value(
    e: &mut Expander,
    pe: &ParamExp,
    value: Value,
    ctx: Ctx,
) -> Result<(), ExpandError> {
    let is_at = is_at(pe);
    let unset = matches!(value, Value::Unset);
    match &pe.op {
        ParamOp::Plain | ParamOp::BeforeBrace => {
            if unset && e.sh.options.nounset {
                return Err(unset_error(e.sh, &pe.param, None));
            }
            push_param(e, value, is_at, ctx);
        }
        ParamOp::Length => {
            if unset && e.sh.options.nounset {
                match &pe.param {
                    // bash: a missing element of an array is 0 long; that of a scalar or of
                    // nothing abandons the command.
                    Param::Elem(name, _) if e.sh.options.bash() => {
                        if e.sh.vars.array(name).is_none() {
                            return Err(ExpandError::unbound_length(name));
                        }
                    }
                    _ => return Err(unset_error(e.sh, &pe.param, None)),
                }
            }
            let n = match value {
                Value::Unset => 0,
                Value::Str(s) => locale::char_count(&s),
                // bash: `${#*}` and `${#@}` count the parameters; dash measures `$*`.
                Value::Args if e.sh.options.bash() => e.sh.positional.len(),
                Value::Args => {
                    locale::char_count(&join(&e.sh.positional, join_sep(e.sh).as_deref())?)
                }
            };
            e.push_value(n.to_string().as_bytes(), ctx);
        }
        ParamOp::Default { colon, word } => {
            if is_missing(e, &value, is_at, *colon, ctx) {
                e.parts(&word.parts, word_ctx(ctx))?;
            } else {
                push_param(e, value, is_at, ctx);
            }
        }
        ParamOp::Alternative { colon, word } => {
            if !is_missing_alt(e, &value, is_at, *colon, ctx) {
                e.parts(&word.parts, word_ctx(ctx))?;
            }
        }
        ParamOp::Assign { colon, word } => {
            if is_missing(e, &value, is_at, *colon, ctx) {
                let v = match &pe.param {
                    Param::Var(name) => {
                        let v = super::expand_word(e.sh, word)?;
                        e.sh.set_var(name, v.clone())
                            .map_err(|err| ExpandError::new(err.message()))?;
                        stored(e.sh, name, None).unwrap_or(v)
                    }
                    // `${a[i]=x}` (bash): the element.
                    Param::Elem(name, sub) => {
                        let Subscript::Index(index) = &**sub else {
                            return Err(error(&pe.param, b"bad variable name"));
                        };
                        let key = super::expand_word(e.sh, index)?;
                        let v = super::expand_word(e.sh, word)?;
                        crate::exec::assign::assign_element(e.sh, name, &key, v.clone(), false)?;
                        stored(e.sh, name, Some(&key)).unwrap_or(v)
                    }
                    // bash names the parameter with its `$`, and abandons only the command.
                    _ if e.sh.options.bash() => {
                        let name = [&b"$"[..], &name_of(&pe.param)].concat();
                        let mut err = error(&Param::Var(name), b"cannot assign in this way");
                        err.status = 1;
                        return Err(err);
                    }
                    _ => return Err(error(&pe.param, b"bad variable name")),
                };
                e.push_value(&v, ctx);
            } else {
                push_param(e, value, is_at, ctx);
            }
        }
        ParamOp::Error { colon, word } => {
            if is_missing(e, &value, is_at, *colon, ctx) {
                let message = if word.parts.is_empty() {
                    if *colon && e.sh.options.bash() {
                        b"parameter null or not set".to_vec()
                    } else if *colon {
                        b"parameter not set or null".to_vec()
                    } else {
                        b"parameter not set".to_vec()
                    }
                } else {
                    super::expand_word(e.sh, word)?
                };
                return Err(unset_error(e.sh, &pe.param, Some(&message)));
            }
            push_param(e, value, is_at, ctx);
        }
        ParamOp::RemoveSmallestSuffix(w) => remove(e, pe, value, w, ctx, false, false)?,
        ParamOp::RemoveLargestSuffix(w) => remove(e, pe, value, w, ctx, false, true)?,
        ParamOp::RemoveSmallestPrefix(w) => remove(e, pe, value, w, ctx, true, false)?,
        ParamOp::RemoveLargestPrefix(w) => remove(e, pe, value, w, ctx, true, true)?,
        ParamOp::Replace {
            at,
            pattern,
            with: with_word,
        } => {
            let mut pat = super::expand_pattern(e.sh, pattern)?;
            let with = super::expand_word(e.sh, with_word)?;
            // bash 5.2's `patsub_replacement`: an unquoted `&` stands for the match.
            let with = if with.contains(&b'&')
                && e.sh.options.bash()
                && e.sh
                    .options
                    .shopt
                    .on(crate::state::shopt::PATSUB_REPLACEMENT)
            {
                With::Template(super::expand_replacement(e.sh, with_word)?)
            } else {
                With::Text(with)
            };
            // bash's `nocasematch` covers pattern substitution too.
            let nocase =
                e.sh.options.bash() && e.sh.options.shopt.on(crate::state::shopt::NOCASEMATCH);
            if nocase {
                pat = to_lower(&pat);
            }
            map_value(e, pe, value, ctx, &mut |_, s| {
                Ok(replace(s, &pat, &with, *at, nocase))
            })?;
        }
        ParamOp::Case {
            upper,
            all,
            pattern,
        } => {
            let pat = super::expand_pattern(e.sh, pattern)?;
            // An empty pattern matches every character, but one written quoted (`""`)
            // matches none (bash).
            let quoted = pattern
                .parts
                .iter()
                .any(|p| matches!(p, WordPart::Quoted(_) | WordPart::DoubleQuoted(_)));
            map_value(
                e,
                pe,
                value,
                ctx,
                &mut |_, s| match pat.is_empty() && quoted {
                    true => Ok(s.to_vec()),
                    false => Ok(change_case(s, &pat, *upper, *all)),
                },
            )?;
        }
        ParamOp::Transform(t) => {
            let name = match &pe.param {
                Param::Var(n) | Param::Elem(n, _) => n.clone(),
                p => name_of(p),
            };
            // A variable with attributes but no value (`declare -i x`, an array without
            // element 0) still has them: `${x@a}` lists them, `${x@A}` declares them.
            if let (Value::Unset, b'A' | b'a', Param::Var(_) | Param::Elem(..)) =
                (&value, t, &pe.param)
            {
                let resolved = e.sh.vars.resolve(&name).to_vec();
                let letters =
                    e.sh.vars
                        .var(&resolved)
                        .map(crate::builtins::declare::attribute_letters)
                        .unwrap_or_default();
                if !letters.is_empty() && !e.sh.options.nounset {
                    let text = if *t == b'a' {
                        letters
                    } else {
                        [b"declare -", &letters[..], b" ", &resolved[..]].concat()
                    };
                    e.push_value(&text, ctx);
                    return Ok(());
                }
            }
            map_value(e, pe, value, ctx, &mut |sh, s| {
                Ok(if *t == b'P' {
                    // Expanded as a prompt is; programs it starts name the variable.
                    crate::interactive::prompt::expand_text(sh, &name, s.to_vec())
                } else {
                    transform(sh, *t, &name, s)
                })
            })?;
        }
        ParamOp::Substring { offset, length } => substring(e, pe, value, offset, length, ctx)?,
        ParamOp::Names { at } => {
            let Param::Var(prefix) = &pe.param else {
                return Ok(());
            };
            let mut names: Vec<Vec<u8>> =
                e.sh.vars
                    .sorted()
                    .into_iter()
                    .filter(|(n, v)| n.starts_with(prefix) && v.is_set())
                    .map(|(n, _)| n.to_vec())
                    .collect();
            if e.sh.options.bash() {
                // The values the shell computes have names too (`${!BASH*}`).
                let computed = e.sh.computed_names().filter(|n| n.starts_with(prefix));
                names.extend(computed.map(<[u8]>::to_vec));
                names.sort();
            }
            if let Some(one) = names_joined_unsplit(e, &names, *at, ctx, b"") {
                e.push_value(&one, ctx);
                return Ok(());
            }
            with_args(e, names, *at, ctx);
        }
        ParamOp::Keys | ParamOp::Bad(_) | ParamOp::BadTransform(_) => {}
    }
    Ok(())
}

/// bash's unquoted `${!prefix*}` and `${!a[*]}` with IFS empty: not one field per name, as
/// `$*` would be, but the names joined (by nothing, or for keys by a space) into one word.
fn names_joined_unsplit(
    e: &Expander,
    names: &[Vec<u8>],
    at: bool,
    ctx: Ctx,
    sep: &[u8],
) -> Option<Vec<u8>> {
    let unquoted_fields = e.mode == Mode::Fields && ctx != Ctx::Quoted;
    let ifs_empty = e.sh.ifs().is_some_and(<[u8]>::is_empty);
    (!at && unquoted_fields && ifs_empty && e.sh.options.bash()).then(|| names.join(sep))
}

/// Push `$@`/`$*` as if the positional parameters were `args`.
fn with_args(e: &mut Expander, args: Vec<Vec<u8>>, is_at: bool, ctx: Ctx) {
    let saved = std::mem::replace(&mut e.sh.positional, args);
    push_args(e, is_at, ctx);
    e.sh.positional = saved;
}

type Map<'a> = dyn FnMut(&mut Shell, &[u8]) -> Result<Vec<u8>, ExpandError> + 'a;

/// Push the value changed by `f`; for `$@` and `$*`, each parameter changed (bash).
fn map_value(
    e: &mut Expander,
    pe: &ParamExp,
    value: Value,
    ctx: Ctx,
    f: &mut Map,
) -> Result<(), ExpandError> {
    match value {
        Value::Unset if e.sh.options.nounset => Err(unset_error(e.sh, &pe.param, None)),
        Value::Unset => Ok(()),
        Value::Str(s) => {
            let r = f(e.sh, &s)?;
            e.push_value(&r, ctx);
            Ok(())
        }
        Value::Args => {
            let args = e.sh.positional.clone();
            let mut mapped = Vec::with_capacity(args.len());
            for a in &args {
                mapped.push(f(e.sh, a)?);
            }
            with_args(e, mapped, is_at(pe), ctx);
            Ok(())
        }
    }
}

/// What replaces a match in `${x/pat/with}`: text, or under bash's `patsub_replacement`
/// the pieces of text between which the match itself goes.
enum With {
    Text(Vec<u8>),
    Template(Vec<Vec<u8>>),
}

impl With {
    /// Append the replacement of `matched` to `out`.
    fn push(&self, out: &mut Vec<u8>, matched: &[u8]) {
        match self {
            With::Text(t) => out.extend_from_slice(t),
            With::Template(pieces) => {
                for (i, piece) in pieces.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(matched);
                    }
                    out.extend_from_slice(piece);
                }
            }
        }
    }

    /// `before`, the replacement of `matched`, `after`.
    fn joined(&self, before: &[u8], matched: &[u8], after: &[u8]) -> Vec<u8> {
        let mut out = before.to_vec();
        self.push(&mut out, matched);
        out.extend_from_slice(after);
        out
    }
}

/// `${x/pat/with}` and its forms: the longest match at the leftmost place it matches.
/// `nocase`: `pat` is in lower case, and is matched against `s` in lower case (by character
/// when that keeps every offset, else ASCII letters only); what is kept of `s` keeps its case.
fn replace(s: &[u8], pat: &[u8], with: &With, at: ReplaceWhere, nocase: bool) -> Vec<u8> {
    let folded = nocase.then(|| {
        let lower = to_lower(s);
        if lower.len() == s.len() {
            lower
        } else {
            s.to_ascii_lowercase()
        }
    });
    let seen = folded.as_deref().unwrap_or(s);
    if !pat.is_empty() && !super::pattern::has_unescaped_glob(pat) {
        return replace_literal(s, seen, &super::pattern::unescape(pat), with, at);
    }
    // Matches start and end only where characters do.
    let starts = char_starts(s);
    let n = starts.len() - 1;
    let m = |a: usize, b: usize| super::pattern::matches(pat, &seen[starts[a]..starts[b]]);
    if let Some(len) = super::pattern::bash_fixed_len(pat).filter(|&len| len > 0) {
        return replace_fixed(s, &starts, len, m, with, at);
    }
    match at {
        ReplaceWhere::Prefix => match super::pattern::LongestMatch::new(seen, pat).at(0) {
            Some(end) => with.joined(&[], &s[..end], &s[end..]),
            None => s.to_vec(),
        },
        ReplaceWhere::Suffix => match (0..=n).find(|&start| m(start, n)) {
            Some(start) => with.joined(&s[..starts[start]], &s[starts[start]..], &[]),
            None => s.to_vec(),
        },
        ReplaceWhere::First | ReplaceWhere::All => {
            if pat.is_empty() {
                return s.to_vec();
            }
            // An empty value is replaced when the pattern matches nothing (bash).
            if n == 0 && m(0, 0) {
                return with.joined(&[], &[], &[]);
            }
            let mut out = Vec::with_capacity(s.len());
            let longest = super::pattern::LongestMatch::new(seen, pat);
            let end_at = |i: usize| {
                let byte = longest.at(starts[i])?;
                starts[i..].binary_search(&byte).ok().map(|k| i + k)
            };
            let mut i = 0;
            while i < n {
                // The longest match here; one of nothing (`*(z)`) goes before the character.
                match end_at(i) {
                    Some(end) => {
                        with.push(&mut out, &s[starts[i]..starts[end]]);
                        if end == i {
                            out.extend_from_slice(&s[starts[i]..starts[i + 1]]);
                            i += 1;
                        } else {
                            i = end;
                        }
                        if at == ReplaceWhere::First {
                            break;
                        }
                    }
                    None => {
                        out.extend_from_slice(&s[starts[i]..starts[i + 1]]);
                        i += 1;
                    }
                }
            }
            out.extend_from_slice(&s[starts[i]..]);
            out
        }
    }
}

/// `replace` for a pattern every match of which spans `len` characters (as bash counts them):
/// only substrings of that length are tried. `m(a, b)`: characters `a..b` match.
fn replace_fixed(
    s: &[u8],
    starts: &[usize],
    len: usize,
    m: impl Fn(usize, usize) -> bool,
    with: &With,
    at: ReplaceWhere,
) -> Vec<u8> {
    let n = starts.len() - 1;
    let Some(last) = n.checked_sub(len) else {
        return s.to_vec();
    };
    let piece = |i: usize| (starts[i], starts[i + len]);
    match at {
        ReplaceWhere::Prefix if m(0, len) => with.joined(&[], &s[..piece(0).1], &s[piece(0).1..]),
        ReplaceWhere::Suffix if m(last, n) => {
            with.joined(&s[..starts[last]], &s[starts[last]..], &[])
        }
        ReplaceWhere::First | ReplaceWhere::All => {
            let mut out = Vec::with_capacity(s.len());
            let mut i = 0;
            while i <= last {
                if m(i, i + len) {
                    let (from, to) = piece(i);
                    with.push(&mut out, &s[from..to]);
                    i += len;
                    if at == ReplaceWhere::First {
                        break;
                    }
                } else {
                    out.extend_from_slice(&s[starts[i]..starts[i + 1]]);
                    i += 1;
                }
            }
            out.extend_from_slice(&s[starts[i]..]);
            out
        }
        _ => s.to_vec(),
    }
}

/// `replace` for a pattern without a wildcard: a plain search for its text (the common case,
/// and the pattern matcher would try every end of every start).
/// `seen`: `s` as it is searched (in lower case for `nocasematch`), same length.
fn replace_literal(s: &[u8], seen: &[u8], lit: &[u8], with: &With, at: ReplaceWhere) -> Vec<u8> {
    let end = s.len() - lit.len().min(s.len());
    match at {
        ReplaceWhere::Prefix if seen.starts_with(lit) => {
            with.joined(&[], &s[..lit.len()], &s[lit.len()..])
        }
        ReplaceWhere::Suffix if seen.ends_with(lit) => with.joined(&s[..end], &s[end..], &[]),
        ReplaceWhere::Prefix | ReplaceWhere::Suffix => s.to_vec(),
        ReplaceWhere::First | ReplaceWhere::All => {
            let mut out = Vec::with_capacity(s.len());
            let mut i = 0;
            while let Some(found) = seen[i..].windows(lit.len()).position(|w| w == lit) {
                out.extend_from_slice(&s[i..i + found]);
                with.push(&mut out, &s[i + found..i + found + lit.len()]);
                i += found + lit.len();
                if at == ReplaceWhere::First {
                    break;
                }
            }
            out.extend_from_slice(&s[i..]);
            out
        }
    }
}

/// `s` in lower case: by character in a UTF-8 locale (bash), else ASCII letters. What
/// `declare -l` stores and `nocasematch` compares.
pub fn to_lower(s: &[u8]) -> Vec<u8> {
    change_case(s, b"", Some(false), true)
}

/// `s` in upper case, as [`to_lower`] converts: what `declare -u` stores.
pub fn to_upper(s: &[u8]) -> Vec<u8> {
    change_case(s, b"", Some(true), true)
}

/// `s` in lower case but its first character in upper case: what `declare -c` stores.
pub fn capitalized(s: &[u8]) -> Vec<u8> {
    change_case(&to_lower(s), b"", Some(true), false)
}

/// `${x^pat}`, `${x^^pat}`, `${x,pat}`, `${x,,pat}`: the characters that match the pattern
/// (any one when it is empty), the first only or all.
fn change_case(s: &[u8], pat: &[u8], upper: Option<bool>, all: bool) -> Vec<u8> {
    if !s.is_ascii() && locale::chars() {
        return change_case_by_char(s, pat, upper, all);
    }
    let mut out = s.to_vec();
    let count = if all { out.len() } else { out.len().min(1) };
    for c in out.iter_mut().take(count) {
        if pat.is_empty() || super::pattern::matches(pat, &[*c]) {
            // `~` toggles.
            let up = upper.unwrap_or(c.is_ascii_lowercase());
            *c = if up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
        }
    }
    out
}

/// [`change_case`] in a UTF-8 locale: `é` becomes `É`. A character whose other case is more
/// than one character (`ß`) stays as it is, as bash's one-for-one mapping leaves it.
fn change_case_by_char(s: &[u8], pat: &[u8], upper: Option<bool>, all: bool) -> Vec<u8> {
    let starts = char_starts(s);
    let mut out = Vec::with_capacity(s.len());
    for (k, w) in starts.windows(2).enumerate() {
        let piece = &s[w[0]..w[1]];
        let c = std::str::from_utf8(piece)
            .ok()
            .and_then(|t| t.chars().next());
        let wanted = (all || k == 0) && (pat.is_empty() || super::pattern::matches(pat, piece));
        match c {
            Some(c) if wanted => {
                let up = upper.unwrap_or(c.is_lowercase());
                let mut other = if up {
                    c.to_uppercase().collect::<Vec<char>>()
                } else {
                    c.to_lowercase().collect::<Vec<char>>()
                };
                let c = match other.pop() {
                    Some(one) if other.is_empty() => one,
                    _ => c,
                };
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            _ => out.extend_from_slice(piece),
        }
    }
    out
}

/// The value `${x=word}` gives when `x` has an attribute that changes what is stored
/// (`declare -i x; ${x=1+2}` is 3, as in bash): what was stored. None for any other variable.
fn stored(sh: &mut Shell, name: &[u8], key: Option<&[u8]>) -> Option<Vec<u8>> {
    use crate::state::vars::{CAPITALIZE, INTEGER, LOWER, UPPER};
    if sh.vars.attrs(name) & (INTEGER | LOWER | UPPER | CAPITALIZE) == 0 {
        return None;
    }
    match key {
        None => sh.vars.get(name).map(<[u8]>::to_vec),
        Some(key) => {
            let key = super::subscript::key(sh, name, key, false).ok()??;
            super::subscript::element(sh, name, &key)
        }
    }
}

/// `'...'` with each `'` as `'\''`, as bash's `${x@Q}` writes it.
fn quoted(s: &[u8]) -> Vec<u8> {
    if let Some(ansi_c) = crate::syntax::ansi_c::encode(s) {
        return ansi_c;
    }
    crate::exec::xtrace::single_quoted(s)
}

/// `${x@T}`.
fn transform(sh: &Shell, t: u8, name: &[u8], s: &[u8]) -> Vec<u8> {
    // `${ref@A}` names the variable a reference stands for.
    let name = sh.vars.resolve(name);
    match t {
        b'Q' => quoted(s),
        b'E' => crate::syntax::ansi_c::decode(s, sh.utf8_locale()),
        b'U' => s.to_ascii_uppercase(),
        b'L' => s.to_ascii_lowercase(),
        b'u' => change_case(s, b"", Some(true), false),
        b'K' | b'k' => quoted(s),
        b'a' => sh
            .vars
            .var(name)
            .map(crate::builtins::declare::attribute_letters)
            .unwrap_or_default(),
        _ => match sh
            .vars
            .var(name)
            .map(crate::builtins::declare::attribute_letters)
        {
            Some(letters) if !letters.is_empty() => {
                [b"declare -", &letters[..], b" ", name, b"=", &quoted(s)].concat()
            }
            _ => [name, b"=", &quoted(s)].concat(),
        },
    }
}

/// A length that ends a substring before it begins: bash names it as written.
fn negative_length(length: &Option<Word>) -> ExpandError {
    let text = length
        .as_ref()
        .map(crate::syntax::print::word_text)
        .unwrap_or_default();
    ExpandError {
        message: [&text[..], b": substring expression < 0"].concat(),
        status: 1,
        unwinds: false,
        arith: false,
    }
}

/// `${x:offset}`, `${x:offset:length}` (bash): a negative offset counts from the end, a
/// negative length is where to stop, counted from the end. For `$@` and `$*` they select
/// parameters, `$0` being number 0.
fn substring(
    e: &mut Expander,
    pe: &ParamExp,
    value: Value,
    offset: &Word,
    length: &Option<Word>,
    ctx: Ctx,
) -> Result<(), ExpandError> {
    // Nothing is evaluated for an unset parameter, and the length not when the offset is
    // past the end (bash).
    enum Whole {
        Chars(Vec<u8>, Vec<usize>),
        Params(Vec<Vec<u8>>),
    }
    let whole = match value {
        Value::Unset if e.sh.options.nounset => return Err(unset_error(e.sh, &pe.param, None)),
        Value::Unset => return Ok(()),
        Value::Str(s) => {
            let starts = char_starts(&s);
            Whole::Chars(s, starts)
        }
        Value::Args => {
            let mut all = vec![e.sh.arg0.clone()];
            all.extend(e.sh.positional.iter().cloned());
            Whole::Params(all)
        }
    };
    let n = match &whole {
        Whole::Chars(_, starts) => starts.len() as i64 - 1,
        Whole::Params(all) => all.len() as i64,
    };
    let off = slice_number(e.sh, offset, &pe.param)?;
    let start = if off < 0 { off + n } else { off };
    if start < 0 || start > n {
        return Ok(());
    }
    // Parameters cannot be counted back from the end: a negative length is an error there.
    let from_end = matches!(whole, Whole::Chars(..));
    let stop = slice_stop(e.sh, &pe.param, length, start, n, from_end)?;
    let (a, b) = (start as usize, stop as usize);
    match whole {
        Whole::Chars(s, starts) => e.push_value(&s[starts[a]..starts[b]], ctx),
        Whole::Params(all) => with_args(e, all[a..b].to_vec(), is_at(pe), ctx),
    }
    Ok(())
}

/// True if the parameter is unset, or (`colon`) null. `$@` and `$*` are null when there are
/// no parameters, or all are empty and joining them adds no separator (dash counts one where
/// the parameters become separate fields).
fn is_missing(e: &Expander, value: &Value, is_at: bool, colon: bool, ctx: Ctx) -> bool {
    match value {
        Value::Unset => true,
        Value::Str(s) => colon && s.is_empty(),
        Value::Args if e.sh.options.bash() => args_missing_in_bash(e, is_at, colon, ctx),
        Value::Args => {
            if !colon {
                return false;
            }
            let args = &e.sh.positional;
            let sep_counts = if e.mode == Mode::Fields && (is_at || ctx != Ctx::Quoted) {
                true
            } else {
                join_sep(e.sh).is_some()
            };
            args.iter().all(|a| a.is_empty()) && (args.len() <= 1 || !sep_counts)
        }
    }
}

/// bash's test of `$@` and `$*` for `-`, `+`, `:-`, `:+`: unset when there are no positional
/// parameters; null (`colon`) when they join to nothing, `$@` with spaces, `$*` with the
/// first character of IFS, unless they become separate fields (unquoted, in command words).
fn args_missing_in_bash(e: &Expander, is_at: bool, colon: bool, ctx: Ctx) -> bool {
    let args = &e.sh.positional;
    if args.is_empty() {
        return true;
    }
    if !colon {
        return false;
    }
    let fields = e.mode == Mode::Fields && ctx != Ctx::Quoted;
    let separated = args.len() > 1 && (is_at || fields || join_sep(e.sh).is_some());
    !separated && args.iter().all(|a| a.is_empty())
}

/// The test of `${x:+word}`: for `$@` and `$*` dash counts a separator only if joining
/// writes one (IFS not empty).
fn is_missing_alt(e: &Expander, value: &Value, is_at: bool, colon: bool, ctx: Ctx) -> bool {
    match value {
        Value::Args if e.sh.options.bash() => args_missing_in_bash(e, is_at, colon, ctx),
        Value::Args if colon => {
            let args = &e.sh.positional;
            args.iter().all(|a| a.is_empty()) && (args.len() <= 1 || join_sep(e.sh).is_none())
        }
        _ => is_missing(e, value, false, colon, Ctx::Quoted),
    }
}

/// Push a parameter's value (set, or unset without `set -u`).
fn push_param(e: &mut Expander, value: Value, is_at: bool, ctx: Ctx) {
    match value {
        Value::Unset => {}
        Value::Str(s) => e.push_value(&s, ctx),
        Value::Args => push_args(e, is_at, ctx),
    }
}

/// `$@` and `$*`.
fn push_args(e: &mut Expander, is_at: bool, ctx: Ctx) {
    let args = std::mem::take(&mut e.sh.positional);
    if e.mode == Mode::Fields && ctx == Ctx::Quoted && is_at {
        // "$@": one field per parameter, each existing even if empty.
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                e.break_field();
            }
            e.cur.push_mark();
            e.push(a, QUOTED);
        }
    } else if let Some(sep) = joined_before_split(e, ctx) {
        // bash with IFS beginning with a character that is not white space: the parameters
        // joined by it, then split, so an empty parameter between two is an empty field.
        match join(&args, Some(&sep)) {
            Ok(joined) => e.push(&joined, SPLIT),
            Err(_) => e.out_of_space = true,
        }
    } else if e.mode == Mode::Fields && ctx != Ctx::Quoted {
        // Unquoted: each parameter is split on its own.
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                e.break_field();
                e.pending_start = true;
            }
            e.push(a, SPLIT);
        }
    } else {
        // bash joins `$@` (and `${a[@]}`) with spaces where it makes one string (`y=$@`,
        // `case $@ in`); dash with the first character of IFS, as for `$*`.
        let sep = match is_at && e.sh.options.bash() {
            true => Some(vec![b' ']),
            false => join_sep(e.sh),
        };
        match join(&args, sep.as_deref()) {
            Ok(joined) => e.push_value(&joined, ctx),
            // Reported by the expander at the end of this part.
            Err(_) => e.out_of_space = true,
        }
    }
    e.sh.positional = args;
}

/// `${x#pat}`, `${x##pat}`, `${x%pat}`, `${x%%pat}`. For `$@` and `$*` dash applies the
/// pattern to the parameters joined (so `#` trims the first, `%` the last).
fn remove(
    e: &mut Expander,
    pe: &ParamExp,
    value: Value,
    word: &Word,
    ctx: Ctx,
    prefix: bool,
    largest: bool,
) -> Result<(), ExpandError> {
    if matches!(value, Value::Unset) && e.sh.options.nounset {
        return Err(unset_error(e.sh, &pe.param, None));
    }
    let pat = super::expand_pattern(e.sh, word)?;
    let cut = |v: &[u8]| -> Vec<u8> {
        if prefix {
            super::pattern::remove_prefix(v, &pat, largest).to_vec()
        } else {
            super::pattern::remove_suffix(v, &pat, largest).to_vec()
        }
    };
    match value {
        Value::Unset => {}
        Value::Str(s) => {
            let r = cut(&s);
            e.push_value(&r, ctx);
        }
        // bash cuts each parameter (dash cuts them joined).
        Value::Args if e.sh.options.bash() => {
            let mapped = e.sh.positional.iter().map(|a| cut(a)).collect();
            with_args(e, mapped, is_at(pe), ctx);
        }
        Value::Args => {
            let is_at = is_at(pe);
            let fields = e.mode == Mode::Fields && (ctx != Ctx::Quoted || is_at);
            if !fields {
                let r = cut(&join(&e.sh.positional, join_sep(e.sh).as_deref())?);
                e.push_value(&r, ctx);
                return Ok(());
            }
            // Join with a NUL where the parameters become separate fields (no shell value
            // holds a NUL), or with the IFS character that splitting will remove.
            let sep = if ctx == Ctx::Quoted {
                None
            } else {
                join_sep(e.sh).filter(|c| c[..] != [0])
            };
            let joined = join(&e.sh.positional, Some(sep.as_deref().unwrap_or(b"\0")))?;
            if e.sh.positional.is_empty() {
                return Ok(());
            }
            let r = cut(&joined);
            for (i, piece) in r.split(|&c| c == 0).enumerate() {
                if i > 0 {
                    e.break_field();
                    e.pending_start = ctx != Ctx::Quoted;
                }
                if ctx == Ctx::Quoted {
                    e.cur.push_mark();
                }
                e.push_value(piece, ctx);
            }
        }
    }
    Ok(())
}
