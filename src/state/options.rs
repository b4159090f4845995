//! The shell options of `set` (XCU 2.14, set), in the order dash lists them.

/// Each option with its letter (if any) and its `-o` name.
pub const OPTIONS: &[(Option<u8>, &str)] = &[
    (Some(b'e'), "errexit"),
    (Some(b'f'), "noglob"),
    (Some(b'I'), "ignoreeof"),
    (Some(b'i'), "interactive"),
    (Some(b'm'), "monitor"),
    (Some(b'n'), "noexec"),
    (Some(b's'), "stdin"),
    (Some(b'x'), "xtrace"),
    (Some(b'v'), "verbose"),
    (Some(b'V'), "vi"),
    (Some(b'E'), "emacs"),
    (Some(b'C'), "noclobber"),
    (Some(b'a'), "allexport"),
    (Some(b'b'), "notify"),
    (Some(b'u'), "nounset"),
    (Some(b'p'), "privileged"),
    (None, "nolog"),
    (None, "debug"),
    (None, "pipefail"),
    (None, "posix"),
];

/// The options bash lists for `set -o`, in its order.
pub const BASH_OPTIONS: &[&str] = &[
    "allexport",
    "braceexpand",
    "emacs",
    "errexit",
    "errtrace",
    "functrace",
    "hashall",
    "histexpand",
    "history",
    "ignoreeof",
    "interactive-comments",
    "keyword",
    "monitor",
    "noclobber",
    "noexec",
    "noglob",
    "nolog",
    "notify",
    "nounset",
    "onecmd",
    "physical",
    "pipefail",
    "posix",
    "privileged",
    "verbose",
    "vi",
    "xtrace",
];

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub allexport: bool,
    pub notify: bool,
    pub noclobber: bool,
    pub errexit: bool,
    pub noglob: bool,
    pub interactive: bool,
    pub monitor: bool,
    pub noexec: bool,
    pub stdin: bool,
    pub nounset: bool,
    pub verbose: bool,
    pub xtrace: bool,
    pub ignoreeof: bool,
    pub nolog: bool,
    pub vi: bool,
    pub emacs: bool,
    pub pipefail: bool,
    /// The POSIX language exactly as dash has it: no bash extension (`set -o posix`,
    /// `--posix`, or started under the name `sh`).
    pub posix: bool,
    /// Accepted for dash compatibility; the shell never runs with privilege, so it has no
    /// effect.
    pub privileged: bool,
    /// Accepted for dash compatibility; no effect.
    pub debug: bool,
    /// bash's `shopt` options.
    pub shopt: super::shopt::Shopt,
    /// `set -E` (bash): the ERR trap runs inside functions and subshells too.
    pub errtrace: bool,
    /// `set -T` (bash): the DEBUG and RETURN traps run inside functions too.
    pub functrace: bool,
    /// `set +B` (bash): no brace expansion.
    pub no_braceexpand: bool,
    /// `set +h` (bash): kept for listings; commands are still remembered.
    pub no_hashall: bool,
    /// `set +o interactive-comments` (bash): kept for listings; `#` still starts a comment.
    pub no_interactive_comments: bool,
    /// `set -k` (bash): kept for listings; assignments after the command name stay arguments.
    pub keyword: bool,
    /// `set -t` (bash): kept for listings.
    pub onecmd: bool,
    /// `set -P` (bash): `cd` and `pwd` resolve symbolic links, as with `-P`.
    pub physical: bool,
    /// Started with `-c` (bash shows a `c` in `$-`).
    pub command_string: bool,
    /// `set -H` (bash): history expansion of the lines typed at the prompt.
    pub histexpand: bool,
    /// `set -o history` (bash): commands read are kept in the history (on in an interactive
    /// shell; a script may turn it on for `fc` and `history`).
    pub history: bool,
}

/// The long name of one of bash's own option letters (dash's -E is emacs, so a caller asks
/// this only outside posix mode).
pub fn bash_letter(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'E' => "errtrace",
        b'T' => "functrace",
        b'H' => "histexpand",
        b'B' => "braceexpand",
        b'h' => "hashall",
        b'k' => "keyword",
        b'P' => "physical",
        b't' => "onecmd",
        _ => return None,
    })
}

impl Options {
    /// DEBUG and RETURN traps reach functions, command substitutions and subshells
    /// (`set -T`, or `shopt -s extdebug`).
    pub fn traces_functions(&self) -> bool {
        self.functrace || self.shopt.on(super::shopt::EXTDEBUG)
    }

    /// The ERR trap reaches functions, command substitutions and subshells (`set -E`, or
    /// `shopt -s extdebug`).
    pub fn traces_errors(&self) -> bool {
        self.errtrace || self.shopt.on(super::shopt::EXTDEBUG)
    }

    /// The bash language is on (the shell is not in posix mode).
    #[inline]
    pub fn bash(&self) -> bool {
        !self.posix
    }

    fn slot(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "allexport" => &mut self.allexport,
            "notify" => &mut self.notify,
            "noclobber" => &mut self.noclobber,
            "errexit" => &mut self.errexit,
            "noglob" => &mut self.noglob,
            "interactive" => &mut self.interactive,
            "monitor" => &mut self.monitor,
            "noexec" => &mut self.noexec,
            "stdin" => &mut self.stdin,
            "nounset" => &mut self.nounset,
            "verbose" => &mut self.verbose,
            "xtrace" => &mut self.xtrace,
            "ignoreeof" => &mut self.ignoreeof,
            "nolog" => &mut self.nolog,
            "vi" => &mut self.vi,
            "emacs" => &mut self.emacs,
            "pipefail" => &mut self.pipefail,
            "posix" => &mut self.posix,
            "privileged" => &mut self.privileged,
            "debug" => &mut self.debug,
            "errtrace" if !self.posix => &mut self.errtrace,
            "functrace" if !self.posix => &mut self.functrace,
            "histexpand" if !self.posix => &mut self.histexpand,
            "history" if !self.posix => &mut self.history,
            "keyword" if !self.posix => &mut self.keyword,
            "onecmd" if !self.posix => &mut self.onecmd,
            "physical" if !self.posix => &mut self.physical,
            _ => return None,
        })
    }

    /// bash's options that are on by default, kept as their opposite.
    fn inverted_slot(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "braceexpand" if !self.posix => &mut self.no_braceexpand,
            "hashall" if !self.posix => &mut self.no_hashall,
            "interactive-comments" if !self.posix => &mut self.no_interactive_comments,
            _ => return None,
        })
    }

    /// Set an option by its `-o` name. False if there is no such option.
    pub fn set_by_name(&mut self, name: &str, on: bool) -> bool {
        if let Some(off) = self.inverted_slot(name) {
            *off = !on;
            return true;
        }
        match self.slot(name) {
            Some(s) => {
                *s = on;
                // vi and emacs exclude each other.
                if on && name == "vi" {
                    self.emacs = false;
                } else if on && name == "emacs" {
                    self.vi = false;
                } else if name == "posix" {
                    super::locale::set_bash(!on);
                }
                true
            }
            None => false,
        }
    }

    /// Set an option by its letter. False if there is no such letter.
    pub fn set_by_letter(&mut self, letter: u8, on: bool) -> bool {
        if let Some(name) = bash_letter(letter).filter(|_| self.bash()) {
            return self.set_by_name(name, on);
        }
        match OPTIONS.iter().find(|(l, _)| *l == Some(letter)) {
            Some((_, name)) => self.set_by_name(name, on),
            None => false,
        }
    }

    pub fn get_by_name(&self, name: &str) -> Option<bool> {
        let mut copy = self.clone();
        if let Some(off) = copy.inverted_slot(name) {
            return Some(!*off);
        }
        copy.slot(name).map(|s| *s)
    }

    /// bash's `$SHELLOPTS`: the names of the options that are on, as `set -o` lists them.
    pub fn shellopts(&self) -> Vec<u8> {
        BASH_OPTIONS
            .iter()
            .filter(|name| self.get_by_name(name) == Some(true))
            .copied()
            .collect::<Vec<_>>()
            .join(":")
            .into_bytes()
    }

    /// `$-`: the letters of the options that are on, in dash's order (the reverse of `set -o`).
    pub fn flags(&self) -> Vec<u8> {
        if self.bash() {
            return self.bash_flags();
        }
        let mut out = Vec::new();
        for (letter, name) in OPTIONS.iter().rev() {
            if let Some(l) = letter {
                if self.get_by_name(name) == Some(true) {
                    out.push(*l);
                }
            }
        }
        out
    }

    /// `$-` as bash writes it: its letters in its order, with `h` (the command hash table)
    /// and `B` (brace expansion), which are always on here, and `c` or `s` last.
    fn bash_flags(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let on = [
            (b'a', self.allexport),
            (b'b', self.notify),
            (b'e', self.errexit),
            (b'f', self.noglob),
            (b'h', !self.no_hashall),
            (b'i', self.interactive),
            (b'k', self.keyword),
            (b'm', self.monitor),
            (b'n', self.noexec),
            (b'p', self.privileged),
            (b't', self.onecmd),
            (b'u', self.nounset),
            (b'v', self.verbose),
            (b'x', self.xtrace),
            (b'B', !self.no_braceexpand),
            (b'C', self.noclobber),
            (b'E', self.errtrace),
        ];
        for (letter, set) in on {
            if set {
                out.push(letter);
            }
        }
        if self.histexpand {
            out.push(b'H');
        }
        if self.physical {
            out.push(b'P');
        }
        if self.functrace {
            out.push(b'T');
        }
        if self.command_string {
            out.push(b'c');
        } else if self.stdin {
            out.push(b's');
        }
        out
    }
}
