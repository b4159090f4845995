//! Signal names and numbers, as `kill -l` and `trap` spell them.
