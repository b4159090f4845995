//! The command line of the shell (product spec, Invocation): options, login detection, modes.
