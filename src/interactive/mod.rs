//! The interactive front end: line editing (rustyline), prompts, history, completion.
