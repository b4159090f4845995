//! bash's `shopt` options: every name bash 5.2 knows, with its default in a non-interactive
//! shell, so listings read as bash's. Those the shell acts on: `extglob`, `nullglob`,
//! `failglob`, `dotglob`, `nocaseglob`, `nocasematch`, `globstar`, `xpg_echo`,
//! `globskipdots`, `execfail`, `cdable_vars` and more (each has its constant below); the others
//! are kept and listed.

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

/// One option, its position in [`NAMES`] found at compile time: the shell asks some of
/// them for every word or `case`, where a search by name would show in a loop's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt(u32);

impl Opt {
    /// The option of a name bash has; an unknown name stops the build.
    pub const fn named(name: &str) -> Opt {
        let mut i = 0;
        while i < NAMES.len() {
            if same(NAMES[i].0.as_bytes(), name.as_bytes()) {
                return Opt(i as u32);
            }
            i += 1;
        }
        panic!("not a shopt option")
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

pub const AUTOCD: Opt = Opt::named("autocd");
pub const DOTGLOB: Opt = Opt::named("dotglob");
pub const EXTDEBUG: Opt = Opt::named("extdebug");
pub const INHERIT_ERREXIT: Opt = Opt::named("inherit_errexit");
pub const EXPAND_ALIASES: Opt = Opt::named("expand_aliases");
pub const EXECFAIL: Opt = Opt::named("execfail");
pub const CDABLE_VARS: Opt = Opt::named("cdable_vars");
pub const EXTGLOB: Opt = Opt::named("extglob");
pub const FAILGLOB: Opt = Opt::named("failglob");
pub const GLOBSTAR: Opt = Opt::named("globstar");
pub const GLOBSKIPDOTS: Opt = Opt::named("globskipdots");
pub const XPG_ECHO: Opt = Opt::named("xpg_echo");
pub const LASTPIPE: Opt = Opt::named("lastpipe");
pub const LOGIN_SHELL: Opt = Opt::named("login_shell");
pub const NOCASEGLOB: Opt = Opt::named("nocaseglob");
pub const NOCASEMATCH: Opt = Opt::named("nocasematch");
pub const PATSUB_REPLACEMENT: Opt = Opt::named("patsub_replacement");
pub const LOCALVAR_INHERIT: Opt = Opt::named("localvar_inherit");
pub const ASSOC_EXPAND_ONCE: Opt = Opt::named("assoc_expand_once");
pub const CHECKHASH: Opt = Opt::named("checkhash");
pub const HISTAPPEND: Opt = Opt::named("histappend");
/// `shopt -s cmdhist` (on by default): a command of several lines is one history entry.
pub const CMDHIST: Opt = Opt::named("cmdhist");
/// `shopt -s lithist`: that entry keeps the command's newlines.
pub const LITHIST: Opt = Opt::named("lithist");
pub const SOURCEPATH: Opt = Opt::named("sourcepath");
pub const GNU_ERRFMT: Opt = Opt::named("gnu_errfmt");
/// `shopt -s varredir_close`: a `{name}>` redirection on a command is closed when the
/// command ends, as any other redirection is.
pub const VARREDIR_CLOSE: Opt = Opt::named("varredir_close");
/// `shopt -s localvar_unset`: `unset` of a caller's local leaves it local and unset, instead
/// of showing the variable it hid.
pub const LOCALVAR_UNSET: Opt = Opt::named("localvar_unset");
pub const NULLGLOB: Opt = Opt::named("nullglob");
pub const PROMPTVARS: Opt = Opt::named("promptvars");

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

    /// The value of an option by name (false for a name bash does not have).
    pub fn is(&self, name: &str) -> bool {
        self.get(name).unwrap_or(false)
    }

    /// The value of an option named at compile time.
    #[inline]
    pub fn on(&self, opt: Opt) -> bool {
        self.0 & (1 << opt.0) != 0
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
