//! bash's `BASH_ALIASES` and `BASH_CMDS`: associative arrays that are views of the alias
//! table and of the command hash table. Reading an element reads the table; assigning one
//! defines an alias or remembers a path. As in bash, `unset` of an element changes nothing,
//! and `unset` of the whole array makes it an ordinary variable.

use super::array::Array;
use super::vars::Key;
use super::Shell;

const ALIASES: &[u8] = b"BASH_ALIASES";
const CMDS: &[u8] = b"BASH_CMDS";

impl Shell {
    /// `name` is `BASH_ALIASES` or `BASH_CMDS` and still stands for its table.
    pub fn is_table_array(&self, name: &[u8]) -> bool {
        (name == ALIASES || name == CMDS)
            && !self.options.posix
            && !self.is_made_ordinary(name)
            && self.vars.var(name).is_none()
    }

    /// The table `name` stands for, as an associative array (entries in name order).
    pub fn table_array(&self, name: &[u8]) -> Option<Array> {
        if !self.is_table_array(name) {
            return None;
        }
        let mut array = Array::assoc();
        if name == ALIASES {
            let mut names: Vec<_> = self.aliases.iter().collect();
            names.sort();
            for (alias, value) in names {
                array.set(Key::Text(alias.clone()), value.clone());
            }
        } else {
            for (command, path, _) in self.hash.sorted() {
                array.set(Key::Text(command.to_vec()), path.to_vec());
            }
        }
        Some(array)
    }

    /// `BASH_ALIASES[key]=value` defines an alias; `BASH_CMDS[key]=value` remembers a path.
    pub fn set_table_element(&mut self, name: &[u8], key: &[u8], value: Vec<u8>) {
        match name == ALIASES {
            true => {
                self.aliases.insert(key.to_vec(), value);
            }
            false => self.hash.insert(key, value, 0),
        }
    }
}
