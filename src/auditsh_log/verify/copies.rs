//! What is checked across files once all are read: cut syslog lines settled against the spool
//! files that hold their records, the hosts a spool tree's files belong to, and spool files
//! that a session's syslog copy shows should exist but were not among those read.

use super::*;

impl Verifier {
    /// The cut syslog lines: read the spool files that hold their records again (the one
    /// seen holding it, else the session's last) for the records in question.
    pub(super) fn settle_cuts_from_files(&mut self) {
        let mut by_file: BTreeMap<usize, Vec<(String, u64)>> = BTreeMap::new();
        for (session, seq) in self.cuts.keys() {
            let id = (session.clone(), *seq);
            let file = self.cut_copies.get(&id).copied().or_else(|| {
                self.sessions
                    .get(&(session.clone(), Copy::Spool))
                    .map(|s| s.last_line.file)
            });
            if let Some(file) = file {
                by_file.entry(file).or_default().push(id);
            }
        }
        for (file, wanted) in by_file {
            let Some((path, format)) = self.paths.get(file).cloned() else {
                continue;
            };
            let Ok(mut reader) = input::open(&path) else {
                continue;
            };
            let mut buf = Vec::new();
            let mut line_no = 0u64;
            while let Ok(Some((line, Line::Text { .. }))) = reader.next_line(&mut buf) {
                line_no += 1;
                let Classified::Record { json, .. } = classify(line, format) else {
                    continue;
                };
                let Some(id) = torn_event_id(json) else {
                    continue;
                };
                if !wanted.contains(&id) {
                    continue;
                }
                let Some(cut) = self.cuts.remove(&id) else {
                    continue;
                };
                let at = Loc {
                    file,
                    line: line_no,
                };
                self.settle(cut, id.1, at, json);
            }
        }
        // No spool copy to tell: what the line looks like is all there is.
        let mut rest: Vec<Cut> = self.cuts.drain().map(|(_, c)| c).collect();
        rest.sort_by_key(|c| c.at);
        for c in rest {
            let (kind, what) = c.otherwise;
            self.finding(c.at, Some(&c.key), kind, what);
        }
    }

    /// The host of a spool file's records belongs to the spool tree the file is in (the
    /// parent of its day directory).
    pub(super) fn note_tree_host(&mut self, file: usize, host: String) {
        let Some(root) = self
            .paths
            .get(file)
            .and_then(|(p, _)| p.parent())
            .and_then(|day| day.parent())
        else {
            return;
        };
        self.tree_hosts
            .entry(root.to_path_buf())
            .or_default()
            .insert(host);
    }

    /// Sessions the syslog copy shows starting on a day whose spool directory was read, with
    /// no spool file there.
    pub(super) fn missing_spool_files(&mut self) {
        let mut missing: Vec<(Loc, Key, String)> = Vec::new();
        let trees: HashSet<&Path> = self
            .spool_days
            .values()
            .flatten()
            .filter_map(|d| d.parent())
            .collect();
        let one_tree = trees.len() <= 1;
        // Each day's directories with the hosts of their trees, looked up once.
        let days: HashMap<&str, Vec<DayDir>> = self
            .spool_days
            .iter()
            .map(|(day, dirs)| {
                let dirs = dirs
                    .iter()
                    .map(|d| (d, d.parent().and_then(|root| self.tree_hosts.get(root))))
                    .collect();
                (day.as_str(), dirs)
            })
            .collect();
        for ((session, copy), s) in self.sessions.iter() {
            if *copy != Copy::Syslog
                || self.empty_spool.contains(session)
                || self.sessions.contains_key(&(session.clone(), Copy::Spool))
            {
                continue;
            }
            let start = s.start.as_deref();
            let Some(dirs) = start
                .and_then(|st| st.day.as_deref())
                .and_then(|d| days.get(d))
            else {
                continue;
            };
            // The day directory of this host's tree. A tree whose files are another host's
            // is not expected to hold the session; one with no file to tell is, when it is
            // the only tree read (one host's spool beside its syslog).
            let Some((dir, _)) = dirs.iter().find(|(_, hosts)| {
                match (start.and_then(|st| st.host.as_ref()), hosts) {
                    (Some(h), Some(hosts)) => hosts.contains(h),
                    (_, None) => one_tree,
                    (None, Some(_)) => false,
                }
            }) else {
                continue;
            };
            let dir = printable::path(dir);
            missing.push((
                s.first_line,
                (session.clone(), Copy::Syslog),
                format!(
                    "no spool file for this session ({dir}/{}.jsonl): removed, or the spool failed",
                    printable::value(session)
                ),
            ));
        }
        missing.sort_by_key(|m| m.0);
        for (at, key, what) in missing {
            self.finding(at, Some(&key), Kind::Misplaced, what);
        }
    }
}
