//! Parse arbitrary bytes, then expand every word of every simple command in every expansion
//! mode (fields with splitting and globbing, a single string, a pattern), and evaluate every
//! `(( ))`, `for (( ; ; ))` expression and `[[ ]]` (bash's arithmetic, patterns with extglob,
//! `=~`, `-v` with subscripts). Words containing a command substitution are skipped: expanding
//! them would run the fuzzer's input as commands. Any panic, stack overflow or hang is a bug.

#![no_main]

use auditsh::audit::Session;
use auditsh::exec::eval::{run_command, Context};
use auditsh::expand;
use auditsh::state::Shell;
use auditsh::syntax::ast::{
    Command, CompoundCommand, CondExpr, List, Param, ParamExp, ParamOp, RedirTarget, Subscript,
    Word, WordPart,
};
use libfuzzer_sys::fuzz_target;

/// Whether expanding `word` could run the input as commands: a command or process
/// substitution anywhere in it. With `evaluated`, also a `${v:=word}`, which stores text that
/// arithmetic would then evaluate (a subscript in a variable's value is expanded, `$(...)`
/// included, as in bash).
fn runs_commands(word: &Word, evaluated: bool) -> bool {
    let in_word = |w: &Word| runs_commands(w, evaluated);
    word.parts.iter().any(|p| match p {
        WordPart::CommandSubst(_) | WordPart::ProcessSubst { .. } => true,
        WordPart::Compound(words) => words.iter().any(in_word),
        WordPart::DoubleQuoted(parts) => in_word(&Word::new(parts.clone())),
        WordPart::Arith(w) => in_word(w),
        WordPart::Param(p) => param_runs_commands(p, evaluated),
        _ => false,
    })
}

fn param_runs_commands(p: &ParamExp, evaluated: bool) -> bool {
    let in_word = |w: &Word| runs_commands(w, evaluated);
    if let Param::Elem(_, sub) | Param::IndirectElem(_, sub) = &p.param {
        if let Subscript::Index(w) = sub.as_ref() {
            if in_word(w) {
                return true;
            }
        }
    }
    match &p.op {
        ParamOp::Assign { .. } if evaluated => true,
        op => op.words().into_iter().any(in_word),
    }
}

fn has_command_subst(word: &Word) -> bool {
    runs_commands(word, false)
}

fn unsafe_to_evaluate(word: &Word) -> bool {
    runs_commands(word, true)
}

fn cond_is_unsafe(e: &CondExpr) -> bool {
    match e {
        CondExpr::Unary(_, w) | CondExpr::Word(w) => unsafe_to_evaluate(w),
        CondExpr::Binary(l, _, r) => unsafe_to_evaluate(l) || unsafe_to_evaluate(r),
        CondExpr::Not(e) | CondExpr::Group(e) => cond_is_unsafe(e),
        CondExpr::And(l, r) | CondExpr::Or(l, r) => cond_is_unsafe(l) || cond_is_unsafe(r),
    }
}

/// The `(( ))` expressions (the three of `for (( ; ; ))` among them) and `[[ ]]` expressions
/// of the tree, as commands to run on their own.
fn collect_evaluable(list: &List, out: &mut Vec<Command>) {
    let mut words = Vec::new();
    collect_with(list, &mut words, out);
}

/// Every word of the tree that is safe to expand.
fn collect<'a>(list: &'a List, out: &mut Vec<&'a Word>) {
    collect_with(list, out, &mut Vec::new());
}

fn collect_with<'a>(list: &'a List, out: &mut Vec<&'a Word>, evaluable: &mut Vec<Command>) {
    for item in &list.items {
        let pipelines =
            std::iter::once(&item.and_or.first).chain(item.and_or.rest.iter().map(|(_, p)| p));
        for pipeline in pipelines {
            for command in &pipeline.commands {
                collect_command(command, out, evaluable);
            }
        }
    }
}

fn collect_command<'a>(
    command: &'a Command,
    out: &mut Vec<&'a Word>,
    evaluable: &mut Vec<Command>,
) {
    match command {
        Command::Simple(sc) => {
            out.extend(sc.words.iter());
            out.extend(sc.assigns.iter().map(|a| &a.value));
            out.extend(sc.assigns.iter().filter_map(|a| a.index.as_ref()));
            out.extend(sc.assigns.iter().flat_map(|a| a.array.iter().flatten()));
            for r in &sc.redirects {
                match &r.target {
                    RedirTarget::Word(w) | RedirTarget::HereDoc(w) => out.push(w),
                }
            }
        }
        Command::Compound(cc, _, _) => match cc {
            CompoundCommand::BraceGroup(l) | CompoundCommand::Subshell(l) => {
                collect_with(l, out, evaluable)
            }
            CompoundCommand::For { words, body, .. }
            | CompoundCommand::Select { words, body, .. } => {
                if let Some(words) = words {
                    out.extend(words.iter());
                }
                collect_with(body, out, evaluable);
            }
            CompoundCommand::Case { word, arms } => {
                out.push(word);
                for arm in arms {
                    out.extend(arm.patterns.iter());
                    collect_with(&arm.body, out, evaluable);
                }
            }
            CompoundCommand::If {
                branches,
                else_body,
            } => {
                for (c, b) in branches {
                    collect_with(c, out, evaluable);
                    collect_with(b, out, evaluable);
                }
                if let Some(e) = else_body {
                    collect_with(e, out, evaluable);
                }
            }
            CompoundCommand::While { cond, body } | CompoundCommand::Until { cond, body } => {
                collect_with(cond, out, evaluable);
                collect_with(body, out, evaluable);
            }
            // Their words are arithmetic or `[[ ]]` operands, evaluated rather than expanded;
            // the loop's body is not run (it may hold anything).
            CompoundCommand::ArithFor {
                init,
                cond,
                step,
                body,
            } => {
                for w in [init, cond, step] {
                    if !unsafe_to_evaluate(w) {
                        evaluable.push(on_its_own(CompoundCommand::Arith(w.clone())));
                    }
                }
                collect_with(body, out, evaluable);
            }
            CompoundCommand::Arith(w) => {
                if !unsafe_to_evaluate(w) {
                    evaluable.push(on_its_own(cc.clone()));
                }
            }
            CompoundCommand::Cond(e) => {
                if !cond_is_unsafe(e) {
                    evaluable.push(on_its_own(cc.clone()));
                }
            }
            CompoundCommand::Coproc { body, .. } => collect_command(body, out, evaluable),
        },
        Command::FunctionDef(f) => collect_command(&f.body, out, evaluable),
    }
}

fn on_its_own(cc: CompoundCommand) -> Command {
    Command::Compound(cc, Vec::new(), 1)
}

/// A shell with a few variables of each kind, in the language and options the flags choose.
fn shell(flags: u8, bash: bool) -> Shell {
    let mut sh = Shell::new(b"sh".to_vec(), Session::disabled());
    sh.positional = vec![b"a b".to_vec(), b"*".to_vec(), Vec::new(), b"-x".to_vec()];
    let _ = sh.set_var(b"x", b" a:b  *\t".to_vec());
    let _ = sh.set_var(b"n", b"42".to_vec());
    let _ = sh.set_var(b"e", Vec::new());
    let _ = sh.set_var(b"i", b"n+1".to_vec());
    match flags & 3 {
        1 => {
            let _ = sh.set_var(b"IFS", b":".to_vec());
        }
        2 => {
            let _ = sh.set_var(b"IFS", Vec::new());
        }
        3 => {
            let _ = sh.vars.unset(b"IFS");
        }
        _ => {}
    }
    sh.options.nounset = flags & 4 != 0;
    sh.options.noglob = flags & 8 != 0;
    sh.options.posix = !bash;
    sh
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    // Bit 16 of the first byte: the bash language (brace expansion, `${x/p/r}`, `${x:o:l}`...).
    let bash = flags & 16 != 0;
    let Ok(list) = auditsh::syntax::parse_all_in(text, bash) else {
        return;
    };
    // Bit 32: extglob in patterns and pathname expansion (`[[ == ]]` always has it).
    expand::pattern::set_extglob(bash && flags & 32 != 0);
    let mut words = Vec::new();
    collect(&list, &mut words);
    let mut sh = shell(flags, bash);
    for word in words.into_iter().filter(|w| !has_command_subst(w)).take(64) {
        // Brace expansion multiplies words (`{a..z}{a..z}{a..z}` makes 17,576), each then
        // globbed: slow by right, not what this target looks for.
        if bash && expand::brace::expand(word).is_some_and(|w| w.len() > 1000) {
            continue;
        }
        let _ = expand::expand_words(&mut sh, std::slice::from_ref(word));
        let _ = expand::expand_word(&mut sh, word);
        let _ = expand::expand_pattern(&mut sh, word);
    }
    // A fresh shell, so that no text a word expansion stored is evaluated as arithmetic.
    let mut evaluable = Vec::new();
    collect_evaluable(&list, &mut evaluable);
    let mut sh = shell(flags, bash);
    let cx = Context {
        tested: true,
        negated: false,
        exit_after: false,
    };
    for command in evaluable.iter().take(64) {
        let _ = run_command(&mut sh, command, cx);
    }
});
