//! `report --format html`: one self-contained page (styles inline, nothing fetched).

use super::report::Report;
use super::when::Zone;

/// Text made safe inside HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// The page.
pub fn page(r: &Report, zone: &Zone) -> String {
    let t = &r.totals;
    let mut o = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>auditsh report</title></head><body>\n");
    o.push_str(&format!(
        "<h1>auditsh report</h1><p>{} records, {} sessions, {} commands, {} programs, {} failed commands, {} hosts, {} users</p>\n",
        t.records, t.sessions, t.commands, t.programs, t.failed_commands, t.hosts, t.users
    ));
    o.push_str("<table><tr><th>user</th><th>sessions</th><th>commands</th></tr>\n");
    for u in &r.users {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&u.user),
            u.sessions,
            u.commands
        ));
    }
    o.push_str("</table>\n");
    let _ = zone;
    o.push_str("</body></html>\n");
    o
}
