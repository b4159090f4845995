//! Parse arbitrary bytes, then expand every word of every simple command in every expansion
//! mode (fields with splitting and globbing, a single string, a pattern). Words containing a
//! command substitution are skipped: expanding them would run the fuzzer's input as commands.
//! Any panic, stack overflow or hang is a bug.

#![no_main]

use auditsh::audit::Session;
use auditsh::expand;
use auditsh::state::Shell;
use auditsh::syntax::ast::{
    Command, CompoundCommand, List, Param, ParamExp, ParamOp, RedirTarget, Subscript, Word,
    WordPart,
};
use libfuzzer_sys::fuzz_target;

fn has_command_subst(word: &Word) -> bool {
    word.parts.iter().any(|p| match p {
        // Both run the input as commands.
        WordPart::CommandSubst(_) | WordPart::ProcessSubst { .. } => true,
        WordPart::Compound(words) => words.iter().any(has_command_subst),
        WordPart::DoubleQuoted(parts) => has_command_subst(&Word::new(parts.clone())),
        WordPart::Arith(w) => has_command_subst(w),
        WordPart::Param(p) => param_has_command_subst(p),
        _ => false,
    })
}

fn param_has_command_subst(p: &ParamExp) -> bool {
    if let Param::Elem(_, sub) | Param::IndirectElem(_, sub) = &p.param {
        if let Subscript::Index(w) = sub.as_ref() {
            if has_command_subst(w) {
                return true;
            }
        }
    }
    match &p.op {
        ParamOp::Plain
        | ParamOp::Length
        | ParamOp::Transform(_)
        | ParamOp::Names { .. }
        | ParamOp::Keys
        | ParamOp::Bad(_) => false,
        ParamOp::Replace { pattern, with, .. } => {
            has_command_subst(pattern) || has_command_subst(with)
        }
        ParamOp::Substring { offset, length } => {
            has_command_subst(offset) || length.as_ref().is_some_and(has_command_subst)
        }
        ParamOp::Case { pattern, .. } => has_command_subst(pattern),
        ParamOp::Default { word, .. }
        | ParamOp::Assign { word, .. }
        | ParamOp::Error { word, .. }
        | ParamOp::Alternative { word, .. }
        | ParamOp::RemoveSmallestSuffix(word)
        | ParamOp::RemoveLargestSuffix(word)
        | ParamOp::RemoveSmallestPrefix(word)
        | ParamOp::RemoveLargestPrefix(word) => has_command_subst(word),
    }
}

/// Every word of the tree that is safe to expand.
fn collect<'a>(list: &'a List, out: &mut Vec<&'a Word>) {
    for item in &list.items {
        let pipelines =
            std::iter::once(&item.and_or.first).chain(item.and_or.rest.iter().map(|(_, p)| p));
        for pipeline in pipelines {
            for command in &pipeline.commands {
                collect_command(command, out);
            }
        }
    }
}

fn collect_command<'a>(command: &'a Command, out: &mut Vec<&'a Word>) {
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
            CompoundCommand::BraceGroup(l) | CompoundCommand::Subshell(l) => collect(l, out),
            CompoundCommand::For { words, body, .. }
            | CompoundCommand::Select { words, body, .. } => {
                if let Some(words) = words {
                    out.extend(words.iter());
                }
                collect(body, out);
            }
            CompoundCommand::Case { word, arms } => {
                out.push(word);
                for arm in arms {
                    out.extend(arm.patterns.iter());
                    collect(&arm.body, out);
                }
            }
            CompoundCommand::If {
                branches,
                else_body,
            } => {
                for (c, b) in branches {
                    collect(c, out);
                    collect(b, out);
                }
                if let Some(e) = else_body {
                    collect(e, out);
                }
            }
            CompoundCommand::While { cond, body } | CompoundCommand::Until { cond, body } => {
                collect(cond, out);
                collect(body, out);
            }
            // Their words are arithmetic or `[[ ]]` operands: the loop bodies only.
            CompoundCommand::ArithFor { body, .. } => collect(body, out),
            CompoundCommand::Arith(_) | CompoundCommand::Cond(_) => {}
            CompoundCommand::Coproc { body, .. } => collect_command(body, out),
        },
        Command::FunctionDef(f) => collect_command(&f.body, out),
    }
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
    let mut words = Vec::new();
    collect(&list, &mut words);
    let mut sh = Shell::new(b"sh".to_vec(), Session::disabled());
    sh.positional = vec![b"a b".to_vec(), b"*".to_vec(), Vec::new(), b"-x".to_vec()];
    let _ = sh.set_var(b"x", b" a:b  *\t".to_vec());
    let _ = sh.set_var(b"n", b"42".to_vec());
    let _ = sh.set_var(b"e", Vec::new());
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
    for word in words.into_iter().filter(|w| !has_command_subst(w)).take(64) {
        let _ = expand::expand_words(&mut sh, std::slice::from_ref(word));
        let _ = expand::expand_word(&mut sh, word);
        let _ = expand::expand_pattern(&mut sh, word);
    }
});
