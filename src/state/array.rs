//! Array values (bash): indexed arrays, sparse and ordered by index, and associative arrays.
//!
//! An associative array lists its keys in the order bash does, because scripts print
//! `${!a[@]}` and people compare that output with bash's: bash keeps the keys in a chained
//! hash table of 1024 buckets (32-bit FNV-1 of the key), each new key at the head of its
//! bucket, and the table grows fourfold when it holds twice as many keys as buckets. The
//! table here is that table, so the order is the same.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Array {
    Indexed(BTreeMap<i64, Vec<u8>>),
    Assoc(Assoc),
}

impl Array {
    pub fn indexed() -> Array {
        Array::Indexed(BTreeMap::new())
    }

    pub fn assoc() -> Array {
        Array::Assoc(Assoc::default())
    }

    pub fn is_assoc(&self) -> bool {
        matches!(self, Array::Assoc(_))
    }

    pub fn len(&self) -> usize {
        match self {
            Array::Indexed(m) => m.len(),
            Array::Assoc(a) => a.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in order (index order, or bash's key order).
    pub fn values(&self) -> Vec<Vec<u8>> {
        match self {
            Array::Indexed(m) => m.values().cloned().collect(),
            Array::Assoc(a) => a.iter().map(|(_, v)| v.clone()).collect(),
        }
    }

    /// Change every value in place (the keys and their order stay).
    pub fn map_values(&mut self, mut f: impl FnMut(Vec<u8>) -> Vec<u8>) {
        let values: Box<dyn Iterator<Item = &mut Vec<u8>>> = match self {
            Array::Indexed(m) => Box::new(m.values_mut()),
            Array::Assoc(a) => Box::new(a.values_mut()),
        };
        for v in values {
            *v = f(std::mem::take(v));
        }
    }

    /// The subscripts in order, as text.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        match self {
            Array::Indexed(m) => m.keys().map(|k| k.to_string().into_bytes()).collect(),
            Array::Assoc(a) => a.iter().map(|(k, _)| k.clone()).collect(),
        }
    }

    /// The value at an index (indexed) or under a key (associative).
    pub fn get(&self, key: &Key) -> Option<&[u8]> {
        match (self, key) {
            (Array::Indexed(m), Key::Index(i)) => m.get(i).map(Vec::as_slice),
            (Array::Assoc(a), Key::Text(k)) => a.get(k),
            _ => None,
        }
    }

    pub fn set(&mut self, key: Key, value: Vec<u8>) {
        match (self, key) {
            (Array::Indexed(m), Key::Index(i)) => {
                m.insert(i, value);
            }
            (Array::Assoc(a), Key::Text(k)) => a.insert(k, value),
            _ => {}
        }
    }

    pub fn remove(&mut self, key: &Key) {
        match (self, key) {
            (Array::Indexed(m), Key::Index(i)) => {
                m.remove(i);
            }
            (Array::Assoc(a), Key::Text(k)) => a.remove(k),
            _ => {}
        }
    }

    /// The index after the highest (where `a+=(x)` and `a[${#a[@]}]` append).
    pub fn next_index(&self) -> i64 {
        match self {
            Array::Indexed(m) => m.keys().next_back().map_or(0, |k| k.saturating_add(1)),
            Array::Assoc(_) => 0,
        }
    }

    /// The highest index, for negative subscripts (`a[-1]`).
    pub fn max_index(&self) -> Option<i64> {
        match self {
            Array::Indexed(m) => m.keys().next_back().copied(),
            Array::Assoc(_) => None,
        }
    }

    /// The entries as `declare -p` writes them: `[0]="a" [1]="b"`.
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.keys().into_iter().zip(self.values()).collect()
    }
}

/// A subscript, once evaluated: an index (indexed arrays) or a key (associative ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Index(i64),
    Text(Vec<u8>),
}

const INITIAL_BUCKETS: usize = 1024;

/// bash's associative table: buckets of (key, value), each bucket stored oldest first (the
/// head of bash's list is the end of the vector).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assoc {
    buckets: Vec<Vec<(Vec<u8>, Vec<u8>)>>,
    len: usize,
}

fn fnv1(key: &[u8]) -> u32 {
    key.iter().fold(2_166_136_261u32, |h, &c| {
        h.wrapping_mul(16_777_619) ^ u32::from(c)
    })
}

impl Assoc {
    fn bucket_of(&self, key: &[u8]) -> usize {
        fnv1(key) as usize & (self.buckets.len() - 1)
    }

    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        if self.buckets.is_empty() {
            return None;
        }
        self.buckets[self.bucket_of(key)]
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); INITIAL_BUCKETS];
        }
        let b = self.bucket_of(&key);
        if let Some(slot) = self.buckets[b].iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
            return;
        }
        if self.len >= self.buckets.len() * 2 {
            self.grow();
        }
        let b = self.bucket_of(&key);
        self.buckets[b].push((key, value));
        self.len += 1;
    }

    /// Four times the buckets, the keys moved bucket by bucket from each list's head, each
    /// to the head of its new bucket (as bash rehashes).
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        self.buckets = vec![Vec::new(); old.len() * 4];
        for bucket in old {
            for (k, v) in bucket.into_iter().rev() {
                let b = self.bucket_of(&k);
                self.buckets[b].push((k, v));
            }
        }
    }

    pub fn remove(&mut self, key: &[u8]) {
        if self.buckets.is_empty() {
            return;
        }
        let b = self.bucket_of(key);
        if let Some(i) = self.buckets[b].iter().position(|(k, _)| k == key) {
            self.buckets[b].remove(i);
            self.len -= 1;
        }
    }

    /// Bucket by bucket, each from its head: bash's order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.buckets
            .iter()
            .flat_map(|b| b.iter().rev().map(|(k, v)| (k, v)))
    }

    /// The values, to change in place (the keys and their order stay).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Vec<u8>> {
        self.buckets
            .iter_mut()
            .flat_map(|b| b.iter_mut().map(|(_, v)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(keys: &[&str]) -> Vec<String> {
        let mut a = Assoc::default();
        for k in keys {
            a.insert(k.as_bytes().to_vec(), b"1".to_vec());
        }
        a.iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect()
    }

    #[test]
    fn keys_come_in_bashs_order() {
        // bash 5.2: declare -A a; for k in ...; do a[$k]=1; done; echo "${!a[@]}"
        let keys = [
            "x", "y", "z", "apple", "banana", "k1", "k2", "k3", "k10", "hello", "world", "foo",
            "bar", "baz",
        ];
        assert_eq!(
            order(&keys).join(" "),
            "z y hello x k1 k2 k3 foo bar baz world apple k10 banana"
        );
    }

    #[test]
    fn reassigning_keeps_the_place_and_removing_keeps_the_rest() {
        let mut a = Assoc::default();
        for k in ["k1", "k2", "k3"] {
            a.insert(k.as_bytes().to_vec(), b"1".to_vec());
        }
        a.insert(b"k1".to_vec(), b"2".to_vec());
        assert_eq!(a.get(b"k1"), Some(&b"2"[..]));
        a.remove(b"k2");
        assert_eq!(a.len, 2);
        let keys: Vec<_> = a.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(keys, vec![b"k1".to_vec(), b"k3".to_vec()]);
    }

    #[test]
    fn a_grown_table_keeps_every_key() {
        let mut a = Assoc::default();
        for i in 0..5000 {
            a.insert(format!("k{i}").into_bytes(), i.to_string().into_bytes());
        }
        assert_eq!(a.len, 5000);
        assert_eq!(a.buckets.len(), 4096);
        assert_eq!(a.get(b"k4999"), Some(&b"4999"[..]));
        assert_eq!(a.iter().count(), 5000);
    }
}
