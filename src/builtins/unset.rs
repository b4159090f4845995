//! `unset`: removing variables (`-v`, the default) or functions (`-f`).

use super::util::bad_name;
use crate::exec::{Context, ErrorKind, ExecResult};
use crate::state::vars::{is_name, NAMEREF};
use crate::state::Shell;

/// `unset [-v|-f] name...`
pub fn unset(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut functions = false;
    let mut variables_only = false;
    let mut nameref = false;
    let mut rest = &args[1..];
    let bash = sh.options.bash();
    let (mut saw_f, mut saw_v) = (false, false);
    while let Some(first) = rest.first() {
        match first.as_slice() {
            b"-f" => {
                functions = true;
                saw_f = true;
            }
            b"-v" => {
                functions = false;
                variables_only = true;
                saw_v = true;
            }
            b"-n" if bash => nameref = true,
            // bash takes the letters together too (`-fv`).
            [b'-', letters @ ..]
                if bash && letters.len() > 1 && letters.iter().all(|c| b"fvn".contains(c)) =>
            {
                saw_f |= letters.contains(&b'f');
                saw_v |= letters.contains(&b'v');
                nameref |= letters.contains(&b'n');
                functions = saw_f && !saw_v;
                variables_only = saw_v;
            }
            b"--" => {
                rest = &rest[1..];
                break;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    if bash && saw_f && saw_v {
        let m = "cannot simultaneously unset a function and a variable";
        return crate::exec::ShellError::builtin("unset", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    let all_functions = functions;
    let mut status = 0;
    for name in rest {
        // bash: with neither -f nor -v, a name no variable has is a function's.
        // A word that is no variable name (`unset %`) is taken as a function's name, which
        // may be anything: removing none is no error.
        let functions = all_functions
            || (!variables_only
                && sh.options.bash()
                && !(name.ends_with(b"]") && name.contains(&b'['))
                && (!is_name(name)
                    || (sh.functions.contains_key(name.as_slice())
                        && sh.vars.var_unresolved(name).is_none())));
        if !functions && sh.options.bash() && name.ends_with(b"]") && name.contains(&b'[') {
            if let Err(e) = unset_element(sh, name) {
                if e.unwinds {
                    // An arithmetic error in the subscript: bash's own words, no `unset:`.
                    return Err(e.into());
                }
                return crate::exec::ShellError::builtin("unset", ErrorKind::text(e.message))
                    .with_status(1)
                    .fails()
                    .raise();
            }
            continue;
        }
        if nameref && !functions && is_name(name) {
            // bash: -n leaves a variable that is no name reference alone.
            let is_ref = sh
                .vars
                .var_unresolved(name)
                .is_some_and(|v| v.attrs & NAMEREF != 0);
            if !is_ref {
                continue;
            }
            if let Err(e) = sh.vars.unset_unresolved(name) {
                return crate::exec::ShellError::builtin("unset", ErrorKind::Variable(e)).raise();
            }
            continue;
        }
        if let Some((array, sub)) = sh.vars.element_ref(name).filter(|_| !functions) {
            let element = [array, b"[", sub, b"]"].concat();
            if let Err(e) = unset_element(sh, &element) {
                return crate::exec::ShellError::builtin("unset", ErrorKind::text(e.message))
                    .with_status(1)
                    .fails()
                    .raise();
            }
            continue;
        }
        if !functions && !is_name(name) {
            return bad_name("unset", name).raise();
        }
        let read_only = sh.vars.var(name).is_some_and(|v| v.readonly)
            || crate::state::option_list_bit(name) != 0;
        // bash: a read-only variable, or an array of the call stack, is not unset; bash
        // says so and goes on to the next name.
        let refusal: Option<&[u8]> = match !functions && sh.options.bash() {
            true if read_only => Some(b": cannot unset: readonly variable"),
            true if sh.vars.var(name).is_none() && !sh.unset_computed(name) => {
                Some(b": cannot unset")
            }
            _ => None,
        };
        if let Some(why) = refusal {
            let m = [&name[..], why].concat();
            sh.report(&crate::exec::ShellError::builtin(
                "unset",
                ErrorKind::text(m),
            ));
            status = 1;
            continue;
        }
        if functions {
            if sh
                .functions
                .get(name.as_slice())
                .is_some_and(|f| f.readonly)
            {
                let m = [&name[..], b": cannot unset: readonly function"].concat();
                return crate::exec::ShellError::builtin("unset", ErrorKind::text(m))
                    .with_status(1)
                    .fails()
                    .raise();
            }
            sh.functions.remove(name.as_slice());
        } else if sh.options.bash() {
            let localvar_unset = sh.options.shopt.on(crate::state::shopt::LOCALVAR_UNSET);
            if let Err(e) = sh.vars.unset_binding(name, localvar_unset) {
                return crate::exec::ShellError::builtin("unset", ErrorKind::Variable(e)).raise();
            }
            if name == b"PATH" {
                sh.hash.clear();
            }
        } else if let Err(e) = sh.vars.unset(name) {
            return crate::exec::ShellError::builtin("unset", ErrorKind::Variable(e)).raise();
        } else if name == b"PATH" {
            sh.hash.clear();
        }
    }
    Ok(status)
}

/// `unset 'name[key]'` (bash): one element; `name[@]` or `name[*]`, the whole array.
fn unset_element(sh: &mut Shell, arg: &[u8]) -> Result<(), crate::expand::ExpandError> {
    let open = arg.iter().position(|&c| c == b'[').unwrap_or(0);
    let name = &arg[..open];
    let sub = &arg[open + 1..arg.len() - 1];
    if !is_name(name) {
        let mut m = b"`".to_vec();
        m.extend_from_slice(arg);
        m.extend_from_slice(b"': not a valid identifier");
        return Err(crate::expand::ExpandError {
            message: m,
            status: 1,
            unwinds: false,
            arith: false,
        });
    }
    if !crate::expand::subscript::subscript_reads(sub) {
        // `unset "m[a'b]"`: a quote never closed names no element; bash does nothing.
        return Ok(());
    }
    let scalar = sh.vars.var(name).is_some_and(|v| v.array.is_none());
    if sh.is_table_array(name) {
        // `unset 'BASH_ALIASES[k]'` leaves the alias be, as in bash.
        return Ok(());
    }
    if sh.vars.var(name).is_none() {
        // No such variable: bash does not read the subscript.
        return Ok(());
    }
    let assoc = sh.vars.array(name).is_some_and(|a| a.is_assoc());
    // `a[@]` empties an indexed array; an associative array has `@` as a key like any.
    let whole = (sub == b"@" || sub == b"*") && !assoc;
    let key = if whole {
        None
    } else {
        // An error in the subscript fails `unset` alone (bash).
        crate::expand::subscript::key_of_text(sh, name, sub, true).map_err(|mut e| {
            // bash names the subscript alone here (`[-9]: bad array subscript`).
            if e.message.ends_with(b": bad array subscript") && e.message.starts_with(name) {
                e.message.drain(..name.len());
                e.unwinds = false;
            }
            e
        })?
    };
    match key {
        _ if whole && scalar => {
            return Err(crate::expand::ExpandError {
                message: [name, b": not an array variable"].concat(),
                status: 1,
                unwinds: false,
                arith: false,
            })
        }
        _ if whole => sh.vars.clear_elements(name),
        // A variable that is no array is its element 0 alone (bash).
        Some(crate::state::vars::Key::Index(0)) if scalar => sh.vars.unset(name),
        Some(_) if scalar => {
            return Err(crate::expand::ExpandError {
                message: [name, b": not an array variable"].concat(),
                status: 1,
                unwinds: false,
                arith: false,
            })
        }
        Some(key) => sh.vars.unset_element(name, &key),
        None => Ok(()),
    }
    .map_err(|e| match e {
        crate::state::VarError::ReadOnly(_) => {
            crate::expand::ExpandError::new([name, b": cannot unset: readonly variable"].concat())
        }
        e => crate::expand::ExpandError::new(e.message()),
    })
}
