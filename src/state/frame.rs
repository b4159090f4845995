//! Scopes the evaluator enters and leaves: a loop (for `break` and `continue`), a function
//! call (its positional parameters, its `local` variables and options), a text run by `eval`,
//! `.` or a trap (its nesting), a trap action or prompt that leaves `$?` alone, a startup file
//! or prompt its programs' records name. [`Shell::push_frame`] enters one and returns a guard that is
//! the shell for the scope's duration; dropping it leaves the scope, however the body ended
//! (a status, `break`, `return`, an error), so no exit path can forget to undo it.

use super::Shell;

/// A scope to enter.
pub enum Frame {
    /// A `while`, `until` or `for` loop.
    Loop,
    /// A function call with these positional parameters (`$1`...).
    Function { positional: Vec<Vec<u8>> },
    /// Commands of `eval`, `.` or a trap action.
    Text,
    /// A scope that leaves `$?` as it found it (a trap action, a prompt's expansion).
    KeepStatus,
    /// Commands whose programs' records say they came from `name` (a startup file, a prompt
    /// variable), counting lines from `line`.
    Origin { name: Vec<u8>, line: u32 },
}

/// What leaving a frame puts back.
enum Saved {
    Loop,
    Function {
        positional: Vec<Vec<u8>>,
        loop_depth: u32,
    },
    Text,
    KeepStatus(i32),
    Origin {
        origin: Option<Vec<u8>>,
        line: u32,
    },
}

/// The shell inside a frame (it dereferences to [`Shell`]); dropping it leaves the frame.
pub struct InFrame<'a> {
    sh: &'a mut Shell,
    saved: Option<Saved>,
}

impl Shell {
    /// Enter `frame`. Nesting limits are the caller's to check first.
    pub fn push_frame(&mut self, frame: Frame) -> InFrame<'_> {
        let saved = match frame {
            Frame::Loop => {
                self.loop_depth += 1;
                Saved::Loop
            }
            Frame::Function { positional } => {
                let positional = std::mem::replace(&mut self.positional, positional);
                // `break` in a function does not reach a loop of its caller.
                let loop_depth = std::mem::replace(&mut self.loop_depth, 0);
                self.vars.push_frame();
                self.local_options.push(None);
                self.depth += 1;
                Saved::Function {
                    positional,
                    loop_depth,
                }
            }
            Frame::Text => {
                self.depth += 1;
                Saved::Text
            }
            Frame::KeepStatus => Saved::KeepStatus(self.last_status),
            Frame::Origin { name, line } => Saved::Origin {
                origin: self.origin.replace(name),
                line: std::mem::replace(&mut self.lineno, line),
            },
        };
        InFrame {
            sh: self,
            saved: Some(saved),
        }
    }
}

impl Drop for InFrame<'_> {
    fn drop(&mut self) {
        let sh = &mut *self.sh;
        match self.saved.take() {
            Some(Saved::Loop) => sh.loop_depth -= 1,
            Some(Saved::Function {
                positional,
                loop_depth,
            }) => {
                sh.depth -= 1;
                // `local -` saved the `set` options; `shopt`'s are not among them (bash).
                if let Some(Some(mut options)) = sh.local_options.pop() {
                    options.shopt = sh.options.shopt;
                    sh.options = options;
                }
                sh.vars.pop_frame();
                sh.loop_depth = loop_depth;
                sh.positional = positional;
            }
            Some(Saved::Text) => sh.depth -= 1,
            Some(Saved::KeepStatus(status)) => sh.last_status = status,
            Some(Saved::Origin { origin, line }) => {
                sh.origin = origin;
                sh.lineno = line;
            }
            None => {}
        }
    }
}

impl std::ops::Deref for InFrame<'_> {
    type Target = Shell;
    fn deref(&self) -> &Shell {
        self.sh
    }
}

impl std::ops::DerefMut for InFrame<'_> {
    fn deref_mut(&mut self) -> &mut Shell {
        self.sh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Session;

    #[test]
    fn leaving_a_frame_puts_back_what_entering_changed() {
        let mut sh = Shell::new(b"sh".to_vec(), Session::disabled());
        sh.positional = vec![b"outer".to_vec()];
        sh.set_var(b"x", b"global".to_vec()).unwrap();
        {
            let mut in_loop = sh.push_frame(Frame::Loop);
            assert_eq!(in_loop.loop_depth, 1);
            let mut call = in_loop.push_frame(Frame::Function {
                positional: vec![b"a".to_vec(), b"b".to_vec()],
            });
            // A function's body sees its own arguments and no enclosing loop.
            assert_eq!(call.positional.len(), 2);
            assert_eq!((call.loop_depth(), call.nesting()), (0, 1));
            assert!(call.vars.make_local(b"x"));
            call.set_var(b"x", b"local".to_vec()).unwrap();
            let saved = call.options.clone();
            call.local_options.last_mut().unwrap().replace(saved);
            call.options.errexit = !call.options.errexit;
            let text = call.push_frame(Frame::Text);
            assert_eq!(text.depth, 2);
        }
        assert_eq!(sh.positional, vec![b"outer".to_vec()]);
        assert_eq!(sh.get_var(b"x"), Some(&b"global"[..]));
        assert_eq!((sh.loop_depth, sh.depth), (0, 0));
        assert!(!sh.options.errexit, "`local -` options restored");
        assert!(sh.local_options.is_empty());
    }

    #[test]
    fn status_and_origin_frames_put_back_what_they_found() {
        let mut sh = Shell::new(b"sh".to_vec(), Session::disabled());
        sh.set_last_status(3);
        sh.lineno = 7;
        {
            let mut keeping = sh.push_frame(Frame::KeepStatus);
            let mut from_file = keeping.push_frame(Frame::Origin {
                name: b"/etc/profile".to_vec(),
                line: 1,
            });
            assert_eq!(from_file.lineno, 1);
            assert_eq!(from_file.origin.as_deref(), Some(&b"/etc/profile"[..]));
            from_file.set_last_status(9);
            from_file.lineno = 4;
        }
        assert_eq!((sh.last_status(), sh.lineno), (3, 7));
        assert!(sh.origin.is_none());
    }
}
