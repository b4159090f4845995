//! Compound commands (XCU 2.9.4): brace groups, `if`, the loops and the `break` and
//! `continue` aimed at them, `case`; and function definitions (XCU 2.9.5).

use std::rc::Rc;

use super::eval::{run_list, Context};
use super::pipeline::run_subshell;
use super::{Divert, ErrorKind, ExecResult, ShellError};
use crate::expand;
use crate::state::{Frame, Shell};
use crate::syntax::ast::{CaseArm, CompoundCommand, FunctionDef, List, Word};

pub(super) fn run_compound(sh: &mut Shell, cc: &CompoundCommand, cx: Context) -> ExecResult {
    match cc {
        CompoundCommand::BraceGroup(list) => run_list(sh, list, cx),
        CompoundCommand::Subshell(list) => run_subshell(sh, list, &[], cx),
        CompoundCommand::If {
            branches,
            else_body,
        } => {
            for (cond, body) in branches {
                if run_list(sh, cond, cx.tested())? == 0 {
                    return run_list(sh, body, cx);
                }
            }
            match else_body {
                Some(body) => run_list(sh, body, cx),
                None => Ok(0),
            }
        }
        CompoundCommand::While { cond, body } => run_loop(sh, cond, body, false, cx),
        CompoundCommand::Until { cond, body } => run_loop(sh, cond, body, true, cx),
        CompoundCommand::For { var, words, body } => run_for(sh, var, words.as_deref(), body, cx),
        CompoundCommand::Select { var, words, body } => {
            super::select::run_select(sh, var, words.as_deref(), body, cx)
        }
        CompoundCommand::Case { word, arms } => run_case(sh, word, arms, cx),
        CompoundCommand::Arith(w) => {
            if super::simple::about_to_run(sh, || crate::syntax::print::test_command(cc))? {
                return Ok(0);
            }
            super::cond::run_arith(sh, w, cx)
        }
        CompoundCommand::ArithFor {
            init,
            cond,
            step,
            body,
        } => super::cond::run_arith_for(sh, [init, cond, step], body, cx),
        CompoundCommand::Coproc { name, body } => super::coproc::run_coproc(sh, name, body),
        CompoundCommand::Cond(e) => {
            if super::simple::about_to_run(sh, || crate::syntax::print::test_command(cc))? {
                return Ok(0);
            }
            super::cond::run_cond(sh, e, cx)
        }
    }
}

/// What a loop does with a diversion from its body or condition.
pub(super) enum LoopControl {
    Next,
    Stop,
}

fn loop_divert(d: Divert) -> Result<LoopControl, Divert> {
    match d {
        Divert::Break(n) if n > 1 => Err(Divert::Break(n - 1)),
        Divert::Break(_) => Ok(LoopControl::Stop),
        Divert::Continue(n) if n > 1 => Err(Divert::Continue(n - 1)),
        Divert::Continue(_) => Ok(LoopControl::Next),
        other => Err(other),
    }
}

fn run_loop(sh: &mut Shell, cond: &List, body: &List, until: bool, cx: Context) -> ExecResult {
    let sh = &mut *sh.push_frame(Frame::Loop);
    let mut status = 0;
    loop {
        // A loop of built-ins alone (`until continue`) must still die of SIGTERM, run its traps.
        super::eval::run_pending_traps(sh)?;
        let c = match run_list(sh, cond, cx.tested()) {
            Ok(c) => c,
            Err(d) => match loop_divert(d)? {
                // bash takes a `continue` in an `until` condition as the condition's success:
                // the loop ends. dash (and `while` in both) tests the condition again.
                LoopControl::Next if until && sh.options.bash() => break,
                LoopControl::Next => continue,
                LoopControl::Stop => break,
            },
        };
        if (c == 0) == until {
            break;
        }
        if let LoopControl::Stop = run_body(sh, body, cx, &mut status)? {
            break;
        }
    }
    Ok(status)
}

/// Run a loop's body once: its status goes to `status`; `break` and `continue` aimed at this
/// loop become the control value, others go on unwinding.
pub(super) fn run_body(
    sh: &mut Shell,
    body: &List,
    cx: Context,
    status: &mut i32,
) -> Result<LoopControl, Divert> {
    match run_list(sh, body, cx.not_last()) {
        Ok(s) => {
            *status = s;
            Ok(LoopControl::Next)
        }
        // The loop's status is that of `break` or `continue`, not the command's before.
        Err(d @ (Divert::Break(_) | Divert::Continue(_))) => {
            *status = sh.break_status;
            loop_divert(d)
        }
        Err(d) => {
            *status = sh.last_status();
            loop_divert(d)
        }
    }
}

/// A `for` or `select` whose name is no variable's (bash reads `for i.j in` and refuses it
/// when it runs): the command fails with status 1.
pub(super) fn check_loop_name(var: &[u8]) -> Result<(), Divert> {
    if crate::state::vars::is_name(var) {
        return Ok(());
    }
    let message = format!("`{}': not a valid identifier", String::from_utf8_lossy(var));
    ShellError::new(ErrorKind::text(message))
        .with_status(1)
        .fails()
        .raise()
}

/// The words a `for` or `select` goes over: its list expanded, or the positional parameters.
pub(super) fn loop_items(
    sh: &mut Shell,
    words: Option<&[crate::syntax::ast::Word]>,
) -> Result<Vec<Vec<u8>>, crate::expand::ExpandError> {
    match words {
        Some(words) => expand::expand_words(sh, words),
        None => Ok(sh.positional.clone()),
    }
}

fn run_for(
    sh: &mut Shell,
    var: &[u8],
    words: Option<&[crate::syntax::ast::Word]>,
    body: &List,
    cx: Context,
) -> ExecResult {
    let line = sh.lineno;
    check_loop_name(var)?;
    let items = loop_items(sh, words)?;
    let sh = &mut *sh.push_frame(Frame::Loop);
    let mut status = 0;
    for item in items {
        super::eval::run_pending_traps(sh)?;
        // bash runs the DEBUG trap before each turn, on the loop's line.
        sh.lineno = line;
        let head = || loop_head(b"for ", var, words);
        if super::simple::about_to_run(sh, head)? {
            continue;
        }
        super::xtrace::compound(sh, head);
        // A name reference as the loop's variable refers to each word's variable in turn.
        let set = if sh.vars.is_reference(var) {
            sh.vars.retarget(var, item)
        } else {
            sh.set_var(var, item)
        };
        if let Err(e) = set {
            let e = ShellError::new(ErrorKind::Variable(e));
            if sh.options.bash() {
                // bash abandons the loop alone (status 1); dash, the shell.
                sh.report(&e);
                return Ok(1);
            }
            return e.raise();
        }
        if sh.unwind_pending.get() {
            // An integer variable's arithmetic failed: the body does not run.
            return super::settle(sh, Ok(1));
        }
        if let LoopControl::Stop = run_body(sh, body, cx, &mut status)? {
            break;
        }
    }
    Ok(status)
}

/// The head of `for` or `select` as `set -x` shows it: the words as written.
pub(super) fn loop_head(keyword: &[u8], var: &[u8], words: Option<&[Word]>) -> Vec<u8> {
    let mut text = [keyword, var].concat();
    if let Some(words) = words {
        text.extend_from_slice(b" in");
        for w in words {
            text.push(b' ');
            text.extend_from_slice(&crate::syntax::print::word_text(w));
        }
    }
    text
}

fn run_case(
    sh: &mut Shell,
    word: &crate::syntax::ast::Word,
    arms: &[CaseArm],
    cx: Context,
) -> ExecResult {
    let head = || [b"case ", &crate::syntax::print::word_text(word)[..], b" in"].concat();
    if super::simple::about_to_run(sh, head)? {
        return Ok(0);
    }
    super::xtrace::compound(sh, head);
    let subject = expand::expand_word(sh, word)?;
    let mut from = 0;
    let mut status = 0;
    loop {
        let mut matched: Option<usize> = None;
        'arms: for (i, arm) in arms.iter().enumerate().skip(from) {
            for pat in &arm.patterns {
                let pattern = expand::expand_pattern(sh, pat)?;
                let found = if sh.options.shopt.on(crate::state::shopt::NOCASEMATCH) {
                    expand::pattern::matches(
                        &expand::to_lower(&pattern),
                        &expand::to_lower(&subject),
                    )
                } else {
                    expand::pattern::matches(&pattern, &subject)
                };
                if found {
                    matched = Some(i);
                    break 'arms;
                }
            }
        }
        let Some(mut i) = matched else {
            return Ok(status);
        };
        loop {
            let arm = &arms[i];
            status = run_list(sh, &arm.body, cx)?;
            if arm.fallthrough && i + 1 < arms.len() {
                i += 1;
            } else if arm.test_next {
                from = i + 1;
                break;
            } else {
                return Ok(status);
            }
        }
    }
}

/// `name() command`: defining succeeds; the body runs when the name is called.
pub(super) fn define_function(sh: &mut Shell, def: &FunctionDef) -> ExecResult {
    sh.lineno = def.line;
    // A name bash's parser took as written, quotes or expansions in it (see the parser's
    // `checked_function_name`): refused now.
    if def
        .name
        .iter()
        .any(|c| matches!(c, b'\'' | b'"' | b'\\' | b'$' | b'`') || c.is_ascii_whitespace())
    {
        let m = [b"`", &def.name[..], b"': not a valid identifier"].concat();
        return ShellError::new(ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    if sh.functions.get(&def.name).is_some_and(|f| f.readonly) {
        let m = [&def.name[..], b": readonly function"].concat();
        return ShellError::new(ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    let function = crate::state::Function {
        body: Rc::clone(&def.body),
        source: sh.current_source(),
        line: def.line,
        readonly: false,
        exported: false,
        traced: false,
    };
    sh.functions.insert(def.name.clone(), function);
    Ok(0)
}
