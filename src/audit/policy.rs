//! The failure policy: which sinks must accept a record (`require`), and what a failure means
//! (`on_failure`: warn and go on, or refuse the command).

use super::record::SinkName;
use super::sink::{Delivery, Sinks, ALL};
use crate::config::{OnFailure, Require};

/// Did the required sinks accept the record? `require = "any"`: at least one enabled sink;
/// `"all"`: every enabled sink. With no sink enabled nothing is ever accepted.
pub fn accepted(require: Require, sinks: &Sinks, d: &Delivery) -> bool {
    let mut enabled = ALL.iter().filter(|&&s| sinks.enabled(s)).peekable();
    if enabled.peek().is_none() {
        return false;
    }
    match require {
        Require::Any => enabled.any(|&s| d.ok(s)),
        Require::All => enabled.all(|&s| d.ok(s)),
    }
}

/// The one warning printed when a sink starts failing.
pub fn warning(
    sink: SinkName,
    error: &str,
    others_working: &[SinkName],
    on: OnFailure,
    require: Require,
) -> String {
    let tail = match (others_working.first(), on, require) {
        (Some(other), OnFailure::Warn, _) | (Some(other), OnFailure::Refuse, Require::Any) => {
            format!("records continue to the {}", other.as_str())
        }
        (None, OnFailure::Warn, _) => "no audit sink works: records are lost".to_string(),
        (_, OnFailure::Refuse, _) => "commands are refused until it works again".to_string(),
    };
    format!("auditsh: audit: {}: {error} ({tail})\n", sink.as_str())
}

/// The message of a refused command.
pub fn denied_message(d: &Delivery) -> String {
    let mut why = String::new();
    for s in ALL {
        if let Some(e) = d.error(s) {
            if !why.is_empty() {
                why.push_str("; ");
            }
            why.push_str(s.as_str());
            why.push_str(": ");
            why.push_str(e);
        }
    }
    if why.is_empty() {
        why.push_str("no audit sink is enabled");
    }
    format!("command refused: the audit record could not be written ({why})")
}
