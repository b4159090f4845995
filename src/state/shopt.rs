//! bash's `shopt` options: every name bash 5.2 knows, with its default in a non-interactive
//! shell, so listings read as bash's. Those the shell acts on: `extglob`, `nullglob`,
//! `failglob`, `dotglob`, `nocaseglob`, `nocasematch`, `globstar`, `xpg_echo`,
//! `globskipdots`; the others are kept and listed.

/// The names, sorted as bash lists them, with their defaults.
pub const NAMES: &[(&str, bool)] = &[
    ("autocd", false),
    ("assoc_expand_once", false),
    ("cdable_vars", false),
    ("cdspell", false),
    ("checkhash", false),
    ("checkjobs", false),
    ("checkwinsize", true),
    ("cmdhist", true),
    ("compat31", false),
    ("compat32", false),
    ("compat40", false),
    ("compat41", false),
    ("compat42", false),
    ("compat43", false),
    ("compat44", false),
    ("complete_fullquote", true),
    ("direxpand", false),
    ("dirspell", false),
    ("dotglob", false),
    ("execfail", false),
    ("expand_aliases", false),
    ("extdebug", false),
    ("extglob", false),
    ("extquote", true),
    ("failglob", false),
    ("force_fignore", true),
    ("globasciiranges", true),
    ("globskipdots", true),
    ("globstar", false),
    ("gnu_errfmt", false),
    ("histappend", false),
    ("histreedit", false),
    ("histverify", false),
    ("hostcomplete", true),
    ("huponexit", false),
    ("inherit_errexit", false),
    ("interactive_comments", true),
    ("lastpipe", false),
    ("lithist", false),
    ("localvar_inherit", false),
    ("localvar_unset", false),
    ("login_shell", false),
    ("mailwarn", false),
    ("no_empty_cmd_completion", false),
    ("nocaseglob", false),
    ("nocasematch", false),
    ("noexpand_translation", false),
    ("nullglob", false),
    ("patsub_replacement", true),
    ("progcomp", true),
    ("progcomp_alias", false),
    ("promptvars", true),
    ("restricted_shell", false),
    ("shift_verbose", false),
    ("sourcepath", true),
    ("varredir_close", false),
    ("xpg_echo", false),
];

/// The options' values, one bit per name of [`NAMES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shopt(u64);

impl Default for Shopt {
    fn default() -> Shopt {
        let mut bits = 0u64;
        for (i, (_, on)) in NAMES.iter().enumerate() {
            if *on {
                bits |= 1 << i;
            }
        }
        Shopt(bits)
    }
}

fn index(name: &str) -> Option<usize> {
    NAMES.iter().position(|(n, _)| *n == name)
}

impl Shopt {
    /// The value of a known option; None for a name bash does not have.
    pub fn get(&self, name: &str) -> Option<bool> {
        index(name).map(|i| self.0 & (1 << i) != 0)
    }

    /// Set a known option; false for an unknown name.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        match index(name) {
            Some(i) => {
                if on {
                    self.0 |= 1 << i;
                } else {
                    self.0 &= !(1 << i);
                }
                true
            }
            None => false,
        }
    }

    pub fn is(&self, name: &str) -> bool {
        self.get(name).unwrap_or(false)
    }

    /// bash's `$BASHOPTS`: the names of the options that are on, sorted, `:` between.
    pub fn enabled_names(&self) -> Vec<u8> {
        let mut on: Vec<&str> = NAMES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| self.is(name))
            .collect();
        on.sort_unstable();
        on.join(":").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_changes() {
        let mut s = Shopt::default();
        assert_eq!(s.get("extglob"), Some(false));
        assert_eq!(s.get("sourcepath"), Some(true));
        assert_eq!(s.get("nosuch"), None);
        assert!(s.set("extglob", true));
        assert!(s.is("extglob"));
        assert!(!s.set("nosuch", true));
        assert!(NAMES.len() <= 64);
    }
}
