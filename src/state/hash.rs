//! The command hash table (`hash`): where a PATH search found each name, and how often the
//! name has been run from there since (bash's "hits").

use super::vars::NameMap;

#[derive(Debug, Default)]
pub struct HashTable {
    entries: NameMap<Entry>,
    /// Something was remembered once (bash makes its table then, and `hash -d` of an unknown
    /// name is an error only from then on).
    used: bool,
}

#[derive(Debug)]
struct Entry {
    path: Vec<u8>,
    hits: u32,
}

impl HashTable {
    /// The path remembered for `name`.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.entries.get(name).map(|e| &e.path[..])
    }

    /// The path remembered for `name`, counted as one more use of it.
    pub fn hit(&mut self, name: &[u8]) -> Option<&[u8]> {
        let e = self.entries.get_mut(name)?;
        e.hits = e.hits.saturating_add(1);
        Some(&e.path)
    }

    /// Remember `path` for `name`, with `hits` uses so far.
    pub fn insert(&mut self, name: &[u8], path: Vec<u8>, hits: u32) {
        self.used = true;
        self.entries.insert(name.to_vec(), Entry { path, hits });
    }

    /// Anything was ever remembered.
    pub fn was_used(&self) -> bool {
        self.used
    }

    pub fn remove(&mut self, name: &[u8]) -> bool {
        self.entries.remove(name).is_some()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry as (name, path, hits), sorted by name.
    pub fn sorted(&self) -> Vec<(&[u8], &[u8], u32)> {
        let mut all: Vec<_> = self
            .entries
            .iter()
            .map(|(n, e)| (&n[..], &e.path[..], e.hits))
            .collect();
        all.sort();
        all
    }
}
