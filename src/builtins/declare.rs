//! `declare` and `typeset` (bash): variables with attributes (`-a -A -i -l -u -n -r -x -t`),
//! made local in a function unless `-g`, listed with `-p`; also the bash form of `local`,
//! `export` and `readonly`, which are `declare` with a scope and an attribute.

use super::util::out;
use crate::exec::assign::{self, Element};
use crate::exec::xtrace::Assigned;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::expand::ExpandError;
use crate::state::vars::{
    Array, Var, CAPITALIZE, INTEGER, LOWER, NAMEREF, TRACE, UNASSIGNED, UPPER,
};
use crate::state::Shell;

/// Where a `declare` without `-g` puts its variables.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Local in a function, global outside (`declare`, `typeset`).
    Function,
    /// Must be in a function (`local`).
    Local,
    /// Global (`export`, `readonly`).
    Global,
}

#[derive(Default, Clone, Copy)]
struct Flags {
    on: u8,
    off: u8,
    indexed: bool,
    assoc: bool,
    readonly: Option<bool>,
    /// `+a`/`+A`: bash refuses to make an array a scalar.
    unarray: bool,
    /// `+r`: bash refuses to make a read-only variable writable.
    unreadonly: bool,
    export: Option<bool>,
    print: bool,
    functions: bool,
    function_names: bool,
    global: bool,
    /// `-I`: a local starts as a copy of what it hides.
    inherit: bool,
}

impl Flags {
    /// Any attribute asked for (a listing then shows only variables that have them).
    fn any_attribute(&self) -> bool {
        self.on != 0
            || self.indexed
            || self.assoc
            || self.readonly == Some(true)
            || self.export == Some(true)
    }
}

pub fn declare(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    run(sh, args, "declare", Scope::Function, Flags::default())
}

pub fn typeset(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    run(sh, args, "typeset", Scope::Function, Flags::default())
}

/// `local` in bash mode.
pub fn local(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    if !sh.vars.in_function() {
        return ShellError::builtin("local", ErrorKind::text("can only be used in a function"))
            .with_status(1)
            .fails()
            .raise();
    }
    // `local -`: the shell's options are the function's own, put back when it returns.
    let mut operands = Vec::with_capacity(args.len());
    for arg in args {
        match arg.as_slice() {
            b"-" if !operands.is_empty() => {
                sh.keep_options_locally();
            }
            _ => operands.push(arg.clone()),
        }
    }
    run(sh, &operands, "local", Scope::Local, Flags::default())
}

/// `export` in bash mode: `-n` takes the attribute away.
pub fn export(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let mut flags = Flags {
        export: Some(true),
        ..Flags::default()
    };
    // `-n` (alone or among other letters: `-nf`) takes the export away.
    let mut options = true;
    let args: Vec<Vec<u8>> = args
        .iter()
        .enumerate()
        .filter_map(|(k, a)| {
            options &= k == 0 || (a.len() > 1 && a[0] == b'-' && a != b"--");
            if k > 0 && options && a.contains(&b'n') {
                flags.export = Some(false);
                let rest: Vec<u8> = a.iter().copied().filter(|&c| c != b'n').collect();
                // `-n` alone leaves no option word (a lone `-` would be a name).
                (rest != b"-").then_some(rest)
            } else {
                Some(a.clone())
            }
        })
        .collect();
    if options {
        // With no name, `export -n` lists what `export` does.
        flags.export = Some(true);
    }
    run(sh, &args, "export", Scope::Global, flags)
}

/// `readonly` in bash mode.
pub fn readonly(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let flags = Flags {
        readonly: Some(true),
        ..Flags::default()
    };
    run(sh, args, "readonly", Scope::Global, flags)
}

fn usage(builtin: &'static str, arg: &[u8]) -> ShellError {
    let message = format!("{}: invalid option", String::from_utf8_lossy(arg));
    let usage = match builtin {
        "declare" => {
            "declare [-aAfFgiIlnrtux] [name[=value] ...] or declare -p [-aAfFilnrtux] [name ...]"
        }
        "typeset" => {
            "typeset [-aAfFgiIlnrtux] name[=value] ... or typeset -p [-aAfFilnrtux] [name ...]"
        }
        "local" => "local [option] name[=value] ...",
        "readonly" => "readonly [-aAf] [name[=value] ...] or readonly -p",
        _ => "export [-fn] [name[=value] ...] or export -p",
    };
    super::util::usage_error(builtin, &message, usage)
}

fn run(
    sh: &mut Shell,
    args: &[Vec<u8>],
    builtin: &'static str,
    scope: Scope,
    mut flags: Flags,
) -> ExecResult {
    let compound = std::mem::take(&mut sh.compound_args);
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let (set, letters) = match arg.split_first() {
            Some((b'-', rest)) if !rest.is_empty() => (true, rest),
            Some((b'+', rest)) if !rest.is_empty() => (false, rest),
            // A lone `-` is a name (`declare -p -` shows `local -`).
            _ => break,
        };
        if arg == b"--" {
            i += 1;
            break;
        }
        for &c in letters {
            let bit = match c {
                b'i' => INTEGER,
                b'l' => LOWER,
                b'c' => CAPITALIZE,
                b'u' => UPPER,
                b'n' => NAMEREF,
                b't' => TRACE,
                _ => 0,
            };
            match c {
                b'a' | b'A' if !set => flags.unarray = true,
                b'a' => flags.indexed = true,
                b'A' => flags.assoc = true,
                b'r' if set => flags.readonly = Some(true),
                b'r' => flags.unreadonly = true,
                b'x' => flags.export = Some(set),
                b'p' => flags.print = true,
                b'f' => flags.functions = true,
                b'F' => flags.function_names = true,
                b'g' => flags.global = true,
                b'I' => flags.inherit = set,
                _ if bit != 0 => {
                    if set {
                        flags.on |= bit;
                    } else {
                        flags.off |= bit;
                    }
                }
                _ => return usage(builtin, &[if set { b'-' } else { b'+' }, c]).raise(),
            }
        }
        i += 1;
    }
    // An array cannot be a reference: with -a or -A, bash drops -n.
    if flags.indexed || flags.assoc {
        flags.on &= !NAMEREF;
    }
    let operands = &args[i..];
    if flags.functions || flags.function_names {
        return functions(sh, operands, flags, builtin);
    }
    if operands.is_empty() {
        list(sh, flags, builtin);
        return Ok(0);
    }
    // bash: `readonly -p NAME` and `export -p NAME` set the attribute; `-p` lists only alone.
    if flags.print && builtin != "readonly" && builtin != "export" {
        let mut status = 0;
        let mut text = Vec::new();
        for name in operands {
            let var = sh.vars.var_unresolved(name);
            // `local -p NAME` shows the function's own variables only.
            let var = var.filter(|_| scope != Scope::Local || sh.vars.is_local_here(name));
            // A value the shell computes is read once (RANDOM's moves on with each read).
            let computed = match var {
                None if !sh.is_dynamic_array(name) => sh.dynamic_var(name),
                _ => None,
            };
            match var {
                Some(v) => text.extend_from_slice(&declare_line(name, v)),
                None if sh.is_dynamic_array(name) => {
                    text.extend_from_slice(&declare_line(name, &dynamic_array_var(sh, name)));
                }
                None if sh.is_table_array(name) => {
                    text.extend_from_slice(&declare_line(name, &table_array_var(sh, name)));
                }
                None if computed.is_some() => {
                    // The values the shell computes (`$_`, `RANDOM`, `SHELLOPTS`) with the
                    // attributes bash gives them.
                    let list_bit = crate::state::option_list_bit(name);
                    let var = Var {
                        value: computed,
                        readonly: list_bit != 0,
                        exported: sh.exported_options & list_bit != 0,
                        attrs: match name.as_slice() {
                            b"RANDOM" | b"SRANDOM" | b"BASHPID" | b"HISTCMD" | b"SECONDS" => {
                                INTEGER
                            }
                            _ => 0,
                        },
                        ..Var::default()
                    };
                    text.extend_from_slice(&declare_line(name, &var));
                }
                // bash shows `local -` as a variable named `-`.
                None if name == b"-" && sh.options_are_local() => {
                    text.extend_from_slice(b"declare -- -\n");
                }
                None => {
                    // What came before is written first, as bash writes it.
                    out(&std::mem::take(&mut text));
                    report(sh, builtin, &[&name[..], b": not found"].concat());
                    status = 1;
                }
            }
        }
        out(&text);
        return Ok(status);
    }
    if scope == Scope::Local && !sh.vars.in_function() {
        return ShellError::builtin(builtin, ErrorKind::text("can only be used in a function"))
            .with_status(1)
            .fails()
            .raise();
    }
    let mut status = 0;
    for (j, arg) in operands.iter().enumerate() {
        let elements = compound
            .iter()
            .find(|(k, _)| *k == i + j)
            .map(|(_, e)| e.clone());
        let written_list = elements.is_some();
        if let Err(mut e) = declare_one(sh, arg, elements, flags, scope, builtin) {
            let readonly = e.message.ends_with(b": readonly variable");
            // bash: a list written in place (`readonly a=(1)`) on a read-only variable fails
            // as the assignment would, abandoning the line.
            e.unwinds |= written_list && readonly && builtin != "local" && sh.options.bash();
            if e.unwinds {
                return Err(e.into());
            }
            // A list given quoted (`-a 'a=(1)'`) is named by the built-in.
            let quoted_list = (flags.indexed || flags.assoc) && arg.ends_with(b")");
            if readonly && quoted_list {
                sh.report(&ShellError::builtin(builtin, ErrorKind::text(e.message)).fails());
                status = 1;
                continue;
            }
            report(sh, builtin, &e.message);
            status = 1;
        }
    }
    Ok(status)
}

/// `NAME: LINE: declare: message` on standard error; the built-in goes on with the next
/// operand and fails at the end.
fn report(sh: &Shell, builtin: &'static str, message: &[u8]) {
    let kind = ErrorKind::text(message.to_vec());
    // bash's `export` and `readonly` word a read-only variable as an assignment would.
    let plain = matches!(builtin, "export" | "readonly")
        && sh.options.bash()
        && message.ends_with(b": readonly variable");
    match plain {
        true => sh.report(&ShellError::new(kind).fails()),
        false => sh.report(&ShellError::builtin(builtin, kind).fails()),
    }
}

/// One operand: `name`, `name=value`, `name+=value`, `name[key]=value`, `name=(...)`.
/// With `-g` in a function whose locals (or a caller's) shadow the name, the operand acts on
/// the global variable and leaves the locals as they are, as in bash.
fn declare_one(
    sh: &mut Shell,
    arg: &[u8],
    elements: Option<Vec<Element>>,
    flags: Flags,
    scope: Scope,
    builtin: &'static str,
) -> Result<(), ExpandError> {
    let shadowed = match flags.global && sh.vars.in_function() {
        true => operand_name(arg).filter(|name| sh.vars.swap_global(name)),
        false => None,
    };
    let result = declare_in_scope(sh, arg, elements, flags, scope, builtin);
    if let Some(name) = shadowed {
        sh.vars.swap_global(name);
    }
    result
}

/// The name an operand declares: what comes before `=`, `+=` or `[`.
fn operand_name(arg: &[u8]) -> Option<&[u8]> {
    let end = arg
        .iter()
        .position(|&c| matches!(c, b'=' | b'[' | b'+'))
        .unwrap_or(arg.len());
    Some(&arg[..end]).filter(|name| crate::state::vars::is_name(name))
}

fn declare_in_scope(
    sh: &mut Shell,
    arg: &[u8],
    elements: Option<Vec<Element>>,
    flags: Flags,
    scope: Scope,
    builtin: &'static str,
) -> Result<(), ExpandError> {
    // The `=` of the assignment comes after a subscript's balanced brackets
    // (`a[a[0]=1]=X`).
    let name_len = arg
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .unwrap_or(arg.len());
    let after_subscript = match arg.get(name_len) {
        Some(b'[') => balanced_close(&arg[name_len..]).map_or(0, |close| name_len + close + 1),
        _ => 0,
    };
    let equals = arg[after_subscript..]
        .iter()
        .position(|&c| c == b'=')
        .map(|i| after_subscript + i);
    let (lhs, value, append) = match equals {
        Some(eq) if eq > 0 && arg[eq - 1] == b'+' => (&arg[..eq - 1], Some(&arg[eq + 1..]), true),
        Some(eq) => (&arg[..eq], Some(&arg[eq + 1..]), false),
        None => (arg, None, false),
    };
    let (name, key) = match lhs.iter().position(|&c| c == b'[') {
        Some(b) if lhs.ends_with(b"]") => (&lhs[..b], Some(&lhs[b + 1..lhs.len() - 1])),
        _ => (lhs, None),
    };
    let unreadable = |k: &[u8]| k.is_empty() || !crate::expand::subscript::subscript_reads(k);
    if !crate::state::vars::is_name(name) || key.is_some_and(unreadable) {
        return Err(ExpandError::new(
            [b"`", arg, b"': not a valid identifier"].concat(),
        ));
    }
    // `export` and `readonly` take whole variables: bash refuses an element (`e[0]=1`).
    if key.is_some() && matches!(builtin, "export" | "readonly") {
        return Err(ExpandError::new(
            [b"`", lhs, b"': not a valid identifier"].concat(),
        ));
    }
    let list_bit = crate::state::option_list_bit(name);
    if list_bit != 0 && sh.options.bash() {
        // SHELLOPTS and BASHOPTS follow the options: read-only, but they may be exported.
        if value.is_some() || key.is_some() {
            return Err(ExpandError::new([name, b": readonly variable"].concat()));
        }
        match (builtin, flags.export) {
            (_, Some(false)) => sh.exported_options &= !list_bit,
            ("export", _) | (_, Some(true)) => sh.exported_options |= list_bit,
            _ => {}
        }
        return Ok(());
    }
    if matches!(builtin, "export" | "readonly") {
        if let Some((array, sub)) = sh.vars.element_ref(name) {
            // A reference to an element cannot carry the attribute: bash says so, assigns
            // the value if there is one, and does not fail.
            let m = [b"`", array, b"[", sub, b"]': not a valid identifier"].concat();
            sh.report(&ShellError::builtin(builtin, ErrorKind::Message(m)).fails());
            match value {
                Some(v) if append => assign::append_scalar(sh, name, v.to_vec())?,
                Some(v) => sh
                    .set_var(name, v.to_vec())
                    .map_err(|e| ExpandError::new(e.message().into_bytes()))?,
                None => {}
            }
            return Ok(());
        }
    }
    let name = name.to_vec();
    let make_local = match scope {
        Scope::Local => !flags.global,
        Scope::Function => !flags.global && sh.vars.in_function(),
        Scope::Global => false,
    };
    if make_local && flags.on & NAMEREF != 0 && value == Some(&name[..]) {
        // bash: a local reference to its own name (`local -n arr=$1` called with `arr`)
        // warns and stands for the caller's variable: no local hides it.
        let m = [b"warning: ", &name[..], b": circular name reference"].concat();
        sh.report(&ShellError::builtin(builtin, ErrorKind::Message(m)));
        return Ok(());
    }
    if make_local && sh.vars.is_local_here(&name) {
        sh.vars.keep_past_command(&name);
    } else if make_local {
        if sh.vars.var_unresolved(&name).is_some_and(|v| v.readonly) {
            // A read-only variable cannot be shadowed (bash).
            return Err(ExpandError::new(
                [&name[..], b": readonly variable"].concat(),
            ));
        }
        // bash: a local of a variable a temporary assignment gave keeps its value.
        let given = sh.vars.hides_temporary(&name);
        sh.vars.make_local(&name);
        // `shopt -s localvar_inherit`: the local starts as a copy of what it hides.
        let inherit =
            flags.inherit || given || sh.options.shopt.on(crate::state::shopt::LOCALVAR_INHERIT);
        if flags.on & NAMEREF == 0 && !inherit {
            // A local starts without the global's value or attributes, but the export
            // attribute (bash): a local TZ or LC_ALL still reaches programs.
            let exported = sh.vars.var_unresolved(&name).is_some_and(|v| v.exported);
            let _ = sh.vars.unset_unresolved(&name);
            if exported {
                sh.vars.set_exported(&name, true);
            }
        }
    }
    // An operand whose quotes hid an assignment's syntax is read as what it spells:
    // `'a=(1 $x)'` assigns the elements to an array, `'m[$k]=v'` expands the subscript.
    let mut elements = elements;
    let mut key = key.map(<[u8]>::to_vec);
    let mut flags = flags;
    if (builtin == "readonly" || builtin == "export") && value.is_none() && elements.is_none() {
        // bash: `readonly -a NAME` with no value makes no array.
        flags.indexed = false;
        flags.assoc = false;
    }
    if let (None, Some(v)) = (&elements, value) {
        // `export` and `readonly` read a quoted list as one only when told `-a` or `-A`; of
        // an array they already have, it is element 0's text (bash).
        let plain = builtin == "readonly" || builtin == "export";
        let is_array = flags.indexed || flags.assoc || (!plain && sh.vars.array(&name).is_some());
        if is_array && v.len() >= 2 && v[0] == b'(' && v.ends_with(b")") {
            let text = [&name[..], b"=", v].concat();
            if let Some(words) =
                crate::syntax::parser::parse_assignment(&text).and_then(|a| a.array)
            {
                let assoc = flags.assoc || sh.vars.array(&name).is_some_and(|a| a.is_assoc());
                elements = Some(assign::declared(assign::expand_elements(
                    sh, &words, assoc,
                )?));
                // `'a[0]=(1 2)'` is the whole array's.
                key = None;
            }
        }
    }
    if let Some(k) = key
        .as_ref()
        .filter(|k| k.iter().any(|c| b"$`\"'\\".contains(c)))
    {
        let text = [b"_[", &k[..], b"]="].concat();
        if let Some(index) = crate::syntax::parser::parse_assignment(&text).and_then(|a| a.index) {
            key = Some(crate::expand::expand_word(sh, &index)?);
        }
    }
    let key = key.as_deref();
    if key.is_some() && value.is_none() && elements.is_none() && !flags.assoc {
        // `declare 'a[5]'` declares an array.
        let fresh = sh.vars.var_unresolved(&name).is_none();
        sh.vars.make_array(&name, false);
        if fresh {
            sh.vars.set_attrs(&name, UNASSIGNED, 0);
        }
    }
    let existing = sh.vars.var_unresolved(&name).map(Var::outline);
    if flags.unarray && existing.as_ref().is_some_and(|v| v.array.is_some()) {
        return Err(ExpandError::new(
            [&name[..], b": cannot destroy array variables in this way"].concat(),
        ));
    }
    if existing.as_ref().is_some_and(|v| v.readonly) && (value.is_some() || flags.unreadonly) {
        return Err(ExpandError::new(
            [&name[..], b": readonly variable"].concat(),
        ));
    }
    if flags.assoc {
        if existing
            .as_ref()
            .and_then(|v| v.array.as_deref())
            .is_some_and(|a| !a.is_assoc())
        {
            return Err(ExpandError::new(
                [&name[..], b": cannot convert indexed to associative array"].concat(),
            ));
        }
        sh.vars.make_array(&name, true);
    } else if flags.indexed {
        if existing
            .as_ref()
            .and_then(|v| v.array.as_deref())
            .is_some_and(Array::is_assoc)
        {
            return Err(ExpandError::new(
                [&name[..], b": cannot convert associative to indexed array"].concat(),
            ));
        }
        sh.vars.make_array(&name, false);
    }
    if flags.on & NAMEREF != 0 {
        if existing.as_ref().is_some_and(|v| v.array.is_some()) {
            return Err(ExpandError {
                status: 1,
                ..ExpandError::new([&name[..], b": reference variable cannot be an array"].concat())
            });
        }
        if let Some(v) = value {
            if v.is_empty() {
                // bash refuses an empty name as it would any bad identifier (a local is
                // made all the same).
                if make_local && sh.vars.var_unresolved(&name).is_none() {
                    sh.vars.set_attrs(&name, UNASSIGNED, 0);
                }
                return Err(ExpandError::new(&b"`': not a valid identifier"[..]));
            }
            if !is_reference_target(v) {
                return Err(ExpandError::new(
                    [b"`", v, b"': invalid variable name for name reference"].concat(),
                ));
            }
            if v == &name[..] {
                return Err(ExpandError::new(
                    [&name[..], b": nameref variable self references not allowed"].concat(),
                ));
            }
            let _ = sh.vars.unset_unresolved(&name);
            sh.vars.set_attrs(&name, 0, NAMEREF);
            sh.vars
                .set(&name, v.to_vec())
                .map_err(|e| ExpandError::new(e.message().into_bytes()))?;
        } else if let Some(v) = existing
            .as_ref()
            .filter(|v| v.array.is_none())
            .and_then(|v| v.value.as_deref())
            .filter(|v| v.is_empty() || !is_reference_target(v))
        {
            // A variable becomes a reference only if its value can name one (bash).
            return Err(ExpandError::new(
                [b"`", v, b"': invalid variable name for name reference"].concat(),
            ));
        }
        // A reference keeps the trace attribute (bash), not the others.
        sh.vars.set_attrs(&name, NAMEREF | (flags.on & TRACE), 0);
    } else {
        sh.vars.set_attrs(&name, flags.on, flags.off);
    }
    // bash's `set -x` shows the assignments `export` and `readonly` make, after the command.
    if let (Some(v), None, None, "export" | "readonly") = (value, key, &elements, builtin) {
        let mut shown = name.clone();
        if append {
            shown.push(b'+');
        }
        crate::exec::xtrace::simple(sh, &[Assigned::plain(&shown, v.to_vec())], &[]);
    }
    // `set -a` exports what is assigned, but never an array (bash).
    let exportable = elements.is_none() && key.is_none() && !flags.indexed && !flags.assoc;
    if flags.on & NAMEREF == 0 {
        match (elements, value, key) {
            (Some(elements), _, None) => {
                assign::assign_array(sh, &name, elements, append)?;
            }
            (_, Some(v), Some(k)) => {
                assign::assign_element(sh, &name, k, v.to_vec(), append)?;
            }
            (_, Some(v), None) if append => {
                assign::append_scalar(sh, &name, v.to_vec())?;
            }
            (_, Some(v), None) => {
                if let Some(v) = sh.integer_value(&name, v.to_vec()) {
                    sh.vars
                        .set(&name, v)
                        .map_err(|e| ExpandError::new(e.message().into_bytes()))?;
                }
            }
            _ => {
                // `declare x` makes it exist (unset) so that `declare -p` shows it.
                if existing.is_none() {
                    sh.vars.set_attrs(&name, UNASSIGNED, 0);
                }
            }
        }
    }
    if flags.on & NAMEREF != 0 {
        sh.vars
            .mark_reference(&name, flags.export, flags.readonly == Some(true));
    } else if let Some(export) = flags.export {
        sh.vars.set_exported(&name, export);
    } else if sh.options.allexport && value.is_some() && exportable {
        sh.vars.set_exported(&name, true);
    }
    if flags.readonly == Some(true) && flags.on & NAMEREF == 0 {
        sh.vars.set_readonly(&name);
    }
    if matches!(builtin, "export" | "readonly") {
        sh.vars.propagate(&name);
    }
    if name == b"PATH" {
        sh.hash.clear();
    }
    let _ = builtin;
    if flags.assoc && flags.indexed {
        // bash makes the associative array, then refuses the indexed one.
        return Err(ExpandError::new(
            [&name[..], b": cannot convert associative to indexed array"].concat(),
        ));
    }
    Ok(())
}

/// The listing of `declare` with no operand: every variable, or those with the attributes
/// asked for, as `declare -p` writes them. `declare` alone writes what `set` does; `local`
/// alone, the function's own variables.
fn list(sh: &Shell, flags: Flags, builtin: &'static str) {
    let plain =
        !flags.print && !flags.any_attribute() && builtin != "export" && builtin != "readonly";
    if plain && builtin != "local" {
        out(&set_listing(sh));
        return;
    }
    let locals = sh.vars.locals();
    let mut text = Vec::new();
    // The values the shell computes are listed as variables (`readonly -p` shows SHELLOPTS),
    // picked by the attributes asked for as the others are.
    let computed = match builtin {
        "local" => Vec::new(),
        _ => computed_vars(sh),
    };
    let mut all: Vec<(&[u8], &Var)> = sh.vars.sorted();
    all.extend(computed.iter().map(|(n, v)| (*n, v)));
    all.sort_by(|a, b| a.0.cmp(b.0));
    let word_breaks = crate::interactive::complete::programmable::WORD_BREAKS;
    for (name, var) in all {
        // Any of the attributes asked for (`-prt`: read-only or traced), and the kind of
        // array if one is asked for.
        let export = flags.export == Some(true);
        let readonly = flags.readonly == Some(true);
        let any_asked = flags.on != 0 || export || readonly;
        let has_one =
            var.attrs & flags.on != 0 || (export && var.exported) || (readonly && var.readonly);
        let pick = (!any_asked || has_one)
            && (!flags.indexed || var.array.as_deref().is_some_and(|a| !a.is_assoc()))
            && (!flags.assoc || var.array.as_deref().is_some_and(Array::is_assoc))
            && (builtin != "local" || locals.contains(&name));
        if pick && (!plain || builtin == "local" || var.is_set()) {
            if name == b"COMP_WORDBREAKS" && var.value.as_deref() == Some(word_breaks) {
                // bash shows its first value as none, until it is assigned.
                text.extend_from_slice(b"declare -- COMP_WORDBREAKS\n");
                continue;
            }
            text.extend_from_slice(&declare_line(name, var));
        }
    }
    out(&text);
}

/// The arrays the shell computes that bash's `set` and `declare -p` list, in name order.
const LISTED_ARRAYS: [&[u8]; 9] = [
    b"BASH_ALIASES",
    b"BASH_ARGC",
    b"BASH_ARGV",
    b"BASH_CMDS",
    b"BASH_LINENO",
    b"BASH_SOURCE",
    b"DIRSTACK",
    b"FUNCNAME",
    b"GROUPS",
];

/// The values the shell computes, as `declare -p` lists them (bash): those it computes on
/// each read without a value, the arrays as they were before anything read them.
fn computed_vars(sh: &Shell) -> Vec<(&'static [u8], Var)> {
    const UNREAD: [&[u8]; 11] = [
        b"BASHPID",
        b"BASH_ARGV0",
        b"BASH_COMMAND",
        b"BASH_SUBSHELL",
        b"EPOCHREALTIME",
        b"EPOCHSECONDS",
        b"HISTCMD",
        b"LINENO",
        b"RANDOM",
        b"SECONDS",
        b"SRANDOM",
    ];
    let mut vars = Vec::new();
    for name in UNREAD {
        let integer = matches!(name, b"BASHPID" | b"HISTCMD" | b"RANDOM" | b"SRANDOM");
        let var = Var {
            attrs: if integer { INTEGER } else { 0 },
            ..Var::default()
        };
        vars.push((name, var));
    }
    for name in LISTED_ARRAYS {
        let var = match name {
            b"BASH_ALIASES" | b"BASH_CMDS" if !sh.is_table_array(name) => continue,
            b"BASH_ALIASES" | b"BASH_CMDS" => table_array_var(sh, name),
            b"BASH_ARGC" | b"BASH_ARGV" | b"DIRSTACK" | b"GROUPS" => Var {
                array: Some(Box::new(Array::indexed())),
                ..Var::default()
            },
            _ => dynamic_array_var(sh, name),
        };
        vars.push((name, var));
    }
    for name in [&b"BASHOPTS"[..], b"SHELLOPTS", b"_"] {
        let list_bit = crate::state::option_list_bit(name);
        let var = Var {
            value: sh.dynamic_var(name),
            readonly: list_bit != 0,
            exported: sh.exported_options & list_bit != 0,
            ..Var::default()
        };
        vars.push((name, var));
    }
    vars.retain(|(name, _)| sh.vars.var(name).is_none());
    vars
}

/// An array the shell computes as a variable: unset when empty of meaning (`FUNCNAME`
/// outside a function).
fn dynamic_array_var(sh: &Shell, name: &[u8]) -> Var {
    let mut array = Array::indexed();
    let values = sh.dynamic_array(name);
    for (i, v) in values.iter().flatten().enumerate() {
        array.set(crate::state::vars::Key::Index(i as i64), v.clone());
    }
    Var {
        array: Some(Box::new(array)),
        attrs: if values.is_none() { UNASSIGNED } else { 0 },
        ..Var::default()
    }
}

/// `BASH_ALIASES` or `BASH_CMDS` as a variable: the table it shows (or nothing, once
/// `unset` made it ordinary).
fn table_array_var(sh: &Shell, name: &[u8]) -> Var {
    Var {
        array: sh.table_array(name).map(Box::new),
        ..Var::default()
    }
}

/// What bash's `set` (and `declare`) alone writes: every variable that has a value as
/// `name=value`, quoted only where the shell would read it otherwise, arrays as
/// `name=([0]="a" ...)`; then every function's definition.
pub fn set_listing(sh: &Shell) -> Vec<u8> {
    let mut text = Vec::new();
    // The values the shell keeps itself, which bash lists too (in name order, as those here):
    // each `=value` as written.
    let names = std::iter::once(&b"BASHOPTS"[..])
        .chain(LISTED_ARRAYS)
        .chain([&b"PIPESTATUS"[..], b"SHELLOPTS", b"_"]);
    let mut computed: Vec<(&[u8], Vec<u8>)> = names
        .filter(|n| sh.vars.var(n).is_none())
        .filter_map(|n| {
            let mut rest = Vec::new();
            match n {
                // bash lists these as they were before anything read them.
                b"DIRSTACK" | b"GROUPS" | b"BASH_ARGC" => rest.extend_from_slice(b"=()"),
                b"PIPESTATUS" if sh.pipestatus.is_empty() => return None,
                b"BASH_ALIASES" | b"BASH_CMDS" => declare_value(&mut rest, &table_array_var(sh, n)),
                _ if sh.is_dynamic_array(n) => {
                    let var = dynamic_array_var(sh, n);
                    if var.attrs & UNASSIGNED != 0 {
                        return None;
                    }
                    declare_value(&mut rest, &var);
                }
                _ => {
                    rest.push(b'=');
                    rest.extend_from_slice(&quote_if_needed(&sh.dynamic_var(n)?));
                }
            }
            Some((n, rest))
        })
        .collect();
    computed.reverse();
    let mut write_computed = |text: &mut Vec<u8>, before: Option<&[u8]>| {
        while let Some((name, value)) = computed.pop() {
            if before.is_some_and(|b| b < name) {
                computed.push((name, value));
                break;
            }
            text.extend_from_slice(name);
            text.extend_from_slice(&value);
            text.push(b'\n');
        }
    };
    let word_breaks = crate::interactive::complete::programmable::WORD_BREAKS;
    for (name, var) in sh.vars.sorted() {
        write_computed(&mut text, Some(name));
        if !var.is_set() {
            continue;
        }
        if name == b"COMP_WORDBREAKS" && var.value.as_deref() == Some(word_breaks) {
            // bash keeps its first value out of the list, until it is assigned.
            continue;
        }
        text.extend_from_slice(name);
        match var.array.as_deref() {
            Some(_) => declare_value(&mut text, var),
            None => {
                text.push(b'=');
                text.extend_from_slice(&quote_if_needed(var.value.as_deref().unwrap_or_default()));
            }
        }
        text.push(b'\n');
    }
    write_computed(&mut text, None);
    let mut names: Vec<&Vec<u8>> = sh.functions.keys().collect();
    names.sort();
    for name in names {
        if let Some(body) = sh.functions.get(name.as_slice()) {
            text.extend_from_slice(&crate::syntax::print::function(name, &body.body));
        }
    }
    text
}

/// A value as bash's `set` writes it: as it is when the shell would read it back so,
/// `$'...'` with control characters, else `'...'`.
fn quote_if_needed(v: &[u8]) -> Vec<u8> {
    if let Some(ansi_c) = crate::syntax::ansi_c::encode(v) {
        return ansi_c;
    }
    if !crate::exec::xtrace::needs_quotes(v) {
        return v.to_vec();
    }
    crate::exec::xtrace::single_quoted(v)
}

/// `declare -f` / `-F`: functions.
fn functions(sh: &mut Shell, names: &[Vec<u8>], flags: Flags, builtin: &'static str) -> ExecResult {
    let mut text = Vec::new();
    let mut status = 0;
    // `export -f NAME`, `readonly -f NAME`, `declare -fx/-fr NAME`: mark the functions.
    let marks = (flags.export == Some(true), flags.readonly == Some(true));
    // `export -nf NAME`, `declare +fx NAME`: no longer exported.
    let unexport = flags.export == Some(false);
    // `declare -ft NAME` / `+ft`: the trace attribute.
    let trace = (flags.on & TRACE != 0, flags.off & TRACE != 0);
    if !names.is_empty() && (marks.0 || marks.1 || unexport || trace.0 || trace.1) {
        for n in names {
            match sh.functions.get_mut(n.as_slice()) {
                Some(f) => {
                    f.exported = (f.exported || marks.0) && !unexport;
                    sh.functions_exported |= f.exported;
                    f.readonly |= marks.1;
                    f.traced = (f.traced || trace.0) && !trace.1;
                }
                // `declare -fx NAME` of no function only fails (bash).
                None if builtin == "declare" || builtin == "typeset" => status = 1,
                None => {
                    report(sh, builtin, &[&n[..], b": not a function"].concat());
                    status = 1;
                }
            }
        }
        return Ok(status);
    }
    if names.is_empty() {
        let mut all: Vec<&Vec<u8>> = sh.functions.keys().collect();
        all.sort();
        for n in all {
            let Some(f) = sh.functions.get(n.as_slice()) else {
                continue;
            };
            // `export -f`, `readonly -f` alone: the functions so marked.
            if (marks.0 && !f.exported) || (marks.1 && !f.readonly) {
                continue;
            }
            if !flags.function_names {
                text.extend_from_slice(&crate::syntax::print::function(n, &f.body));
            }
            // bash follows a function with attributes with the command that gives them.
            if flags.function_names || marks.0 || marks.1 || has_attributes(f) {
                text.extend_from_slice(&function_declaration(n, f));
            }
        }
    } else {
        for n in names {
            if n.contains(&b'=') && sh.options.bash() {
                // A function is made by its definition alone; bash stops here.
                out(&std::mem::take(&mut text));
                report(sh, builtin, b"cannot use `-f' to make functions");
                return Ok(1);
            }
            match sh.functions.get(n.as_slice()) {
                // `-F NAME` names it (`-pF`: as `declare -f NAME`; under extdebug with the
                // line and file it was defined at); `-f NAME` prints its definition.
                Some(f) if flags.function_names => {
                    if flags.print {
                        text.extend_from_slice(&function_declaration(n, f));
                        continue;
                    }
                    text.extend_from_slice(n);
                    if sh.options.shopt.on(crate::state::shopt::EXTDEBUG) {
                        text.extend_from_slice(format!(" {} ", f.line).as_bytes());
                        text.extend_from_slice(&f.source);
                    }
                    text.push(b'\n');
                }
                Some(body) => {
                    text.extend_from_slice(&crate::syntax::print::function(n, &body.body));
                    if flags.print && has_attributes(body) {
                        text.extend_from_slice(&function_declaration(n, body));
                    }
                }
                // Quietly, unless asked to print it (bash).
                None => {
                    if flags.print {
                        out(&std::mem::take(&mut text));
                        report(sh, builtin, &[&n[..], b": not found"].concat());
                    }
                    status = 1;
                }
            }
        }
    }
    out(&text);
    Ok(status)
}

fn has_attributes(f: &crate::state::Function) -> bool {
    f.exported || f.readonly || f.traced
}

/// `declare -f NAME`, with `r` and `x` for a read-only or exported function, as bash lists
/// functions.
fn function_declaration(name: &[u8], f: &crate::state::Function) -> Vec<u8> {
    let mut line = b"declare -f".to_vec();
    if f.readonly {
        line.push(b'r');
    }
    if f.traced {
        line.push(b't');
    }
    if f.exported {
        line.push(b'x');
    }
    line.push(b' ');
    line.extend_from_slice(name);
    line.push(b'\n');
    line
}

/// One line of `declare -p`: `declare -FLAGS name="value"`, or the array's elements.
pub fn declare_line(name: &[u8], var: &Var) -> Vec<u8> {
    let mut flags = attribute_letters(var);
    if flags.is_empty() {
        flags.push(b'-');
    }
    let mut line = b"declare -".to_vec();
    line.extend_from_slice(&flags);
    line.push(b' ');
    line.extend_from_slice(name);
    declare_value(&mut line, var);
    line.push(b'\n');
    line
}

/// The attributes as `declare -p` and `${x@a}` write them, in bash's order.
pub fn attribute_letters(var: &Var) -> Vec<u8> {
    let mut flags = Vec::new();
    match var.array.as_deref() {
        Some(Array::Assoc(_)) => flags.push(b'A'),
        Some(Array::Indexed(_)) => flags.push(b'a'),
        None => {}
    }
    for (bit, c) in [(INTEGER, b'i'), (NAMEREF, b'n')] {
        if var.attrs & bit != 0 {
            flags.push(c);
        }
    }
    if var.readonly {
        flags.push(b'r');
    }
    if var.attrs & TRACE != 0 {
        flags.push(b't');
    }
    if var.exported {
        flags.push(b'x');
    }
    for (bit, c) in [(CAPITALIZE, b'c'), (LOWER, b'l'), (UPPER, b'u')] {
        if var.attrs & bit != 0 {
            flags.push(c);
        }
    }
    flags
}

/// `=value` or `=(elements)` after the name, as `declare -p` writes them.
fn declare_value(line: &mut Vec<u8>, var: &Var) {
    match var.array.as_deref() {
        Some(a) if !a.is_empty() => {
            line.extend_from_slice(b"=(");
            for (i, (k, v)) in a.entries().into_iter().enumerate() {
                if i > 0 && !a.is_assoc() {
                    line.push(b' ');
                }
                line.push(b'[');
                if a.is_assoc() {
                    line.extend_from_slice(&quote_key(&k));
                } else {
                    line.extend_from_slice(&k);
                }
                line.extend_from_slice(b"]=");
                line.extend_from_slice(&quote_value(&v));
                if a.is_assoc() {
                    line.push(b' ');
                }
            }
            line.push(b')');
        }
        Some(_) if var.attrs & UNASSIGNED != 0 => {}
        Some(_) => line.extend_from_slice(b"=()"),
        None => {
            if let Some(v) = &var.value {
                line.push(b'=');
                line.extend_from_slice(&quote_value(v));
            }
        }
    }
}

/// A key of an associative array as `declare -p` writes it: bare when it is plain.
pub fn quote_key(k: &[u8]) -> Vec<u8> {
    // bash quotes a key with a byte the shell would read specially, as in a trace.
    // `@` alone would read as all the elements.
    let special = crate::exec::xtrace::needs_quotes(k)
        || k.iter().any(|&c| c < 0x20 || c == 0x7f)
        || k == b"@";
    if k.is_empty() || special {
        quote_value(k)
    } else {
        k.to_vec()
    }
}

/// A value as bash's `declare -p` writes it: `"..."` with `\`, `"`, `$` and `` ` `` escaped,
/// or `$'...'` when it holds control characters.
pub fn quote_value(v: &[u8]) -> Vec<u8> {
    if let Some(ansi_c) = crate::syntax::ansi_c::encode(v) {
        return ansi_c;
    }
    let mut out = b"\"".to_vec();
    for &c in v {
        if matches!(c, b'\\' | b'"' | b'$' | b'`') {
            out.push(b'\\');
        }
        out.push(c);
    }
    out.push(b'"');
    out
}

/// Where the `]` balancing the `[` that `text` starts with is, if anywhere.
fn balanced_close(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in text.iter().enumerate() {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// What `declare -n` may point at: a variable's name, an array element (`a[1]`, `m[key]`,
/// `a[@]`), or nothing yet.
fn is_reference_target(v: &[u8]) -> bool {
    let name = match v.iter().position(|&c| c == b'[') {
        Some(open) if v.len() > open + 2 && v.ends_with(b"]") => &v[..open],
        Some(_) => return false,
        None => v,
    };
    v.is_empty() || crate::state::vars::is_name(name)
}
