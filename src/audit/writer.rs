//! Writing a record: under the session's lock, build it (`record`), seal it (`mac`), chain
//! it (`chain`), hand it to the sinks, advance the shared sequence and chain head, then record
//! what the delivery shows of the sinks' health (failure and recovery notices, as the policy
//! says), and send the syslog copies held back for the batch.

use super::record::{self, Action, Fixed, Header, Mode, SinkName};
use super::sink::{self, Delivery, Sinks, ALL};
use super::{budget, chain, clock, mac, policy, say, shared, Identity};
use crate::config::{Config, SpoolSync};

/// What building and writing a record needs (everything but the shared state).
pub(super) struct Writer {
    pub(super) config: Config,
    pub(super) identity: Identity,
    pub(super) mode: Mode,
    /// The parts of every record that the session does not change, serialized once.
    pub(super) fixed: Fixed,
    pub(super) sinks: Sinks,
    /// The line being written, reused across records.
    pub(super) buf: Vec<u8>,
    /// The records' MAC key (`mac`), held only in this process's memory; `None`: records go
    /// out without a MAC.
    pub(super) sealer: Option<mac::Sealer>,
    /// The byte budgets (`limits`).
    pub(super) budgets: budget::Budgets,
    /// A budget the last record passed first: its notice is written next.
    pub(super) budget_notice: Option<(&'static str, u64)>,
    /// The sequence numbers of the records whose syslog copies wait in the syslog sink's
    /// batch, in order.
    pub(super) deferred: Vec<u64>,
    /// Syslog copies may wait for the batch (not once the session is ending).
    pub(super) defer_syslog: bool,
    /// Records written along with the last one (a `key-rollover` before it, a budget notice
    /// after it) and what became of them: for `handle_failures`, which is given the record's
    /// own delivery. Empty (no allocation) but on those rare records.
    pub(super) side_records: Vec<(u64, Delivery)>,
}

impl Writer {
    /// Build, write and chain one record under the lock. The sequence and the chain advance
    /// whether or not a sink took the line, so that a lost record shows as a gap.
    pub(super) fn write_one(
        &mut self,
        state: &mut shared::State,
        action: &Action<'_>,
        try_sink: impl Fn(SinkName) -> bool,
    ) -> (u64, Delivery) {
        let sequence = state.next_sequence;
        if !self.sinks.any_enabled() {
            // Auditing is off: there is nowhere to write, so nothing to build.
            return (sequence, Delivery::default());
        }
        let (secs, nanos) = clock::realtime();
        let day = mac::day_of(secs);
        if let Some(sealer) = self.sealer.as_mut() {
            if day > sealer.epoch() && sequence > 0 {
                // The key moves on (a session past midnight). Before any record is sealed
                // with the new key, one sealed with the old key says so: whoever takes the host
                // later holds only the new key, and cannot continue an earlier day's session
                // with records of their own.
                let old = sealer.epoch();
                let rollover = Action::KeyRollover {
                    next_epoch: day.min(mac::MAX_EPOCH),
                };
                let written =
                    self.write_sealed(state, &rollover, (secs, nanos), Some(old), &try_sink);
                self.side_records.push(written);
            }
        }
        let key_epoch = self.sealer.as_mut().map(|k| k.epoch_for(day));
        let written = self.write_sealed(state, action, (secs, nanos), key_epoch, &try_sink);
        if let Some((budget, bytes)) = self.budget_notice.take() {
            // Once per budget and session: later records are cut without a word.
            let failed = state.failed;
            let notice = Action::OverBudget { budget, bytes };
            let side = self.write_sealed(state, &notice, (secs, nanos), key_epoch, &|o| {
                failed[sink::index(o)] == 0
            });
            self.side_records.push(side);
        }
        written
    }

    /// `write_one` for a record sealed with the key of `key_epoch` (when there is a key).
    fn write_sealed(
        &mut self,
        state: &mut shared::State,
        action: &Action<'_>,
        (secs, nanos): (i64, u32),
        key_epoch: Option<u64>,
        try_sink: &impl Fn(SinkName) -> bool,
    ) -> (u64, Delivery) {
        let sequence = state.next_sequence;
        let prev = chain::hex64(&state.prev);
        let ts = clock::timestamp(secs, nanos);
        let header = Header {
            timestamp: clock::as_str(&ts),
            sequence,
            prev: std::str::from_utf8(&prev).unwrap_or(""),
            key_epoch,
        };
        // Past a budget the session stays past it: cut every record at once.
        let over_cap = budget::OVER_BUDGET_RECORD_BYTES.min(self.config.max_record_bytes);
        let cap = if state.over_budget != 0 {
            over_cap
        } else {
            self.config.max_record_bytes
        };
        record::encode(&mut self.buf, &self.fixed, &header, action, cap);
        // `session-end` is small and last: it never trips a budget, whose notice would
        // follow it (nothing may follow a session's end).
        let ends = matches!(action, Action::SessionEnd { .. });
        if state.over_budget == 0 && !ends {
            if let Some((budget, bytes)) =
                budget::passed(&self.budgets, state.session_bytes, self.buf.len())
            {
                // The first record past a budget: the fixed fields, and the long text as its
                // SHA-256 and length; a notice follows it.
                record::encode(&mut self.buf, &self.fixed, &header, action, over_cap);
                state.over_budget = if budget == "session_bytes" { 1 } else { 2 };
                self.budget_notice = Some((budget, bytes));
            }
        }
        if let Some(sealer) = &self.sealer {
            sealer.seal(&mut self.buf);
        }
        let hash = chain::line_hash(&self.buf);
        self.buf.push(b'\n');
        let len = self.buf.len() as u64;
        state.session_bytes = state.session_bytes.saturating_add(len);
        if let Some(user) = &self.budgets.user {
            user.add_day_bytes(len);
        }
        let warning = matches!(action, Action::AuditFailure { .. } | Action::Denied { .. });
        let healthy = [state.failed[0] == 0, state.failed[1] == 0];
        // With `require = "any"` a record the spool takes is in the trail: its syslog copy can
        // wait for the batch the shell sends when it is about to block, off the exec path.
        let defer =
            self.defer_syslog && self.config.require == crate::config::Require::Any && healthy[0];
        if !defer && !self.deferred.is_empty() {
            // A copy sent now must not pass the ones still waiting.
            self.flush_syslog(state);
        }
        let d = self.sinks.write(
            &self.buf,
            warning,
            healthy,
            &mut state.spool_partial,
            defer,
            try_sink,
        );
        if defer && d.results[1].is_none() && self.sinks.syslog_queued() > self.deferred.len() {
            self.deferred.push(sequence);
        }
        if d.ok(SinkName::Spool) && self.config.spool.sync == SpoolSync::Record {
            if let Some(spool) = &mut self.sinks.spool {
                let _ = spool.sync();
            }
        }
        // Taken or not, the record keeps its place: a record no sink took is a gap in the
        // sequence, and the next one chains to the lost line.
        state.next_sequence = sequence + 1;
        state.prev = hash;
        (sequence, d)
    }

    /// Start and end failure episodes: a sink that failed for the first time gets one warning
    /// on stderr and an `audit-failure` record on the sinks that still work; a failed sink that
    /// took a record again gets a recovery record saying what it lost. `sequence`: the record
    /// `d` is about.
    pub(super) fn handle_failures(
        &mut self,
        state: &mut shared::State,
        sequence: u64,
        d: &Delivery,
    ) {
        let mut notices: Vec<(SinkName, Notice)> = Vec::new();
        self.note_with_side_records(state, sequence, d, &mut notices);
        self.write_notices(state, notices);
    }

    /// Send the syslog copies waiting in the batch, in one go, and record what that shows of
    /// the sink's health: the copies before the first that failed reached syslog; that one
    /// and those after it are lost (the failure's notice says from where).
    pub(super) fn flush_syslog(&mut self, state: &mut shared::State) {
        let Some(syslog) = self.sinks.syslog.as_mut() else {
            self.deferred.clear();
            return;
        };
        if self.deferred.is_empty() {
            return;
        }
        let sequences = std::mem::take(&mut self.deferred);
        let (sent, error) = syslog.flush(state.failed[1] == 0);
        let mut notices: Vec<(SinkName, Notice)> = Vec::new();
        for (i, &sequence) in sequences.iter().enumerate() {
            let result = match &error {
                _ if i < sent => Ok(()),
                Some(e) => Err(e.clone()),
                None => break,
            };
            let failed = result.is_err();
            let d = Delivery {
                results: [None, Some(result)],
            };
            note_changes(state, sequence, &d, &mut notices);
            if failed {
                break;
            }
        }
        self.write_notices(state, notices);
    }

    /// Write the notices of sinks that failed or recovered (and of what those records show
    /// in turn).
    fn write_notices(&mut self, state: &mut shared::State, mut notices: Vec<(SinkName, Notice)>) {
        // A sink starts failing at most once per episode and no notice is sent to a failed
        // sink, so this ends; the bound is a second guarantee.
        let mut rounds = 0;
        while !notices.is_empty() && rounds < 8 {
            rounds += 1;
            let (s, notice) = notices.remove(0);
            let located;
            let action = match &notice {
                Notice::Failed(e) => {
                    let working: Vec<SinkName> = ALL
                        .iter()
                        .copied()
                        .filter(|&o| {
                            o != s && self.sinks.enabled(o) && state.failed[sink::index(o)] == 0
                        })
                        .collect();
                    say(&policy::warning(
                        s,
                        e,
                        &working,
                        self.config.on_failure,
                        self.config.require,
                    ));
                    // The record names the file; the user's terminal does not.
                    located = match (s, &self.sinks.spool) {
                        (SinkName::Spool, Some(spool)) => {
                            format!("{}: {e}", spool.path().display())
                        }
                        _ => e.clone(),
                    };
                    Action::AuditFailure {
                        sink: s,
                        error: &located,
                    }
                }
                Notice::Recovered(lost) => Action::AuditRecovery {
                    sink: s,
                    lost: *lost,
                },
            };
            let failed = state.failed;
            let (seq, d2) = self.write_one(state, &action, |o| failed[sink::index(o)] == 0);
            self.note_with_side_records(state, seq, &d2, &mut notices);
        }
    }
}

impl Writer {
    /// `note_changes` for record `sequence` and the records written along with it, in
    /// sequence order.
    fn note_with_side_records(
        &mut self,
        state: &mut shared::State,
        sequence: u64,
        d: &Delivery,
        notices: &mut Vec<(SinkName, Notice)>,
    ) {
        if self.side_records.is_empty() {
            note_changes(state, sequence, d, notices);
            return;
        }
        let side = std::mem::take(&mut self.side_records);
        for (q, sd) in side.iter().filter(|(q, _)| *q < sequence) {
            note_changes(state, *q, sd, notices);
        }
        note_changes(state, sequence, d, notices);
        for (q, sd) in side.iter().filter(|(q, _)| *q > sequence) {
            note_changes(state, *q, sd, notices);
        }
    }
}

/// A change in a sink's health, to be recorded.
enum Notice {
    /// The sink failed (the error).
    Failed(String),
    /// The sink took a record again, after losing these.
    Recovered(record::Lost),
}

/// Failures and recoveries shown by the delivery of record `sequence`, recorded in the shared
/// state.
fn note_changes(
    state: &mut shared::State,
    sequence: u64,
    d: &Delivery,
    notices: &mut Vec<(SinkName, Notice)>,
) {
    for s in ALL {
        let i = sink::index(s);
        match (&d.results[i], state.failed[i]) {
            (Some(Err(e)), 0) => {
                state.failed[i] = 1;
                state.lost_from[i] = sequence;
                notices.push((s, Notice::Failed(e.clone())));
            }
            (Some(Ok(())), f) if f != 0 => {
                state.failed[i] = 0;
                let lost = record::Lost {
                    count: sequence.saturating_sub(state.lost_from[i]),
                    first_sequence: state.lost_from[i],
                };
                notices.push((s, Notice::Recovered(lost)));
            }
            _ => {}
        }
    }
}
