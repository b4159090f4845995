//! bash's `select`: a numbered menu of words on standard error, laid out in columns as bash
//! lays it out, then `PS3` and a line read from standard input; the body runs with the chosen
//! word (empty for a choice out of range) and `REPLY` set to the line, until `break` or the
//! end of the input.

use super::compound::{run_body, LoopControl};
use super::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::{Frame, Shell};
use crate::syntax::ast::{List, Word};

pub(super) fn run_select(
    sh: &mut Shell,
    var: &[u8],
    words: Option<&[Word]>,
    body: &List,
    cx: Context,
) -> ExecResult {
    super::compound::check_loop_name(var)?;
    let items = super::compound::loop_items(sh, words)?;
    if items.is_empty() {
        return Ok(0);
    }
    let sh = &mut *sh.push_frame(Frame::Loop);
    let mut status = 0;
    let mut show_menu = true;
    // bash traces the head once, before the first menu.
    super::xtrace::compound(sh, || super::compound::loop_head(b"select ", var, words));
    loop {
        if show_menu {
            let columns = sh
                .get_var(b"COLUMNS")
                .and_then(|c| std::str::from_utf8(c).ok()?.trim().parse::<usize>().ok())
                .filter(|&c| c > 0)
                .unwrap_or(80);
            crate::sys::fd::write_all(2, &menu(&items, columns));
        }
        let prompt = sh
            .get_var(b"PS3")
            .map_or_else(|| b"#? ".to_vec(), <[u8]>::to_vec);
        crate::sys::fd::write_all(2, &prompt);
        let line = crate::builtins::read::read_line(crate::builtins::read::read_byte, true);
        if line.eof && line.bytes.is_empty() {
            // The end of the input ends the menu; bash ends the line on standard output.
            crate::sys::fd::write_all(1, b"\n");
            return Ok(1);
        }
        let reply = line.bytes;
        if let Err(e) = sh.set_var(b"REPLY", reply.clone()) {
            return ShellError::new(ErrorKind::Variable(e)).raise();
        }
        // An empty line shows the menu again.
        show_menu = reply.is_empty();
        if show_menu {
            continue;
        }
        let chosen = std::str::from_utf8(&reply)
            .ok()
            .and_then(|r| r.trim().parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| items.get(i))
            .cloned()
            .unwrap_or_default();
        if let Err(e) = sh.set_var(var, chosen) {
            return ShellError::new(ErrorKind::Variable(e)).raise();
        }
        if let LoopControl::Stop = run_body(sh, body, cx, &mut status)? {
            break;
        }
    }
    Ok(status)
}

/// Decimal digits of `n`.
fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// The menu: `N) word`, down the columns, as many columns as `columns` holds (one per line
/// when they would all fit on one), the gaps made of tabs and spaces as bash makes them.
fn menu(items: &[Vec<u8>], columns: usize) -> Vec<u8> {
    let count = items.len();
    let widest = items.iter().map(|i| display_width(i)).max().unwrap_or(0);
    let index_width = digits(count);
    let cell = widest + index_width + 4; // ") " and two blanks
    let mut cols = (columns / cell).max(1);
    let mut rows = count.div_ceil(cols);
    cols = count.div_ceil(rows);
    if rows == 1 {
        rows = cols;
    }
    let first_index_width = digits(rows);
    let mut out = Vec::new();
    for row in 0..rows {
        let mut index = row;
        let mut pos = 0;
        loop {
            let width = if pos == 0 {
                first_index_width
            } else {
                index_width
            };
            let number = (index + 1).to_string();
            out.resize(out.len() + width.saturating_sub(number.len()), b' ');
            out.extend_from_slice(number.as_bytes());
            out.extend_from_slice(b") ");
            out.extend_from_slice(&items[index]);
            let used = display_width(&items[index]) + width + 2;
            index += rows;
            if index >= count {
                break;
            }
            pad(&mut out, pos + used, pos + cell);
            pos += cell;
        }
        out.push(b'\n');
    }
    out
}

/// Tabs (every 8 columns) then blanks, from column `from` to column `to`.
fn pad(out: &mut Vec<u8>, mut from: usize, to: usize) {
    while from < to {
        if to / 8 > from / 8 {
            out.push(b'\t');
            from += 8 - from % 8;
        } else {
            out.push(b' ');
            from += 1;
        }
    }
}

/// Columns a word takes: its characters (UTF-8 continuation bytes take none).
fn display_width(word: &[u8]) -> usize {
    word.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn few_words_one_per_line() {
        assert_eq!(menu(&words(&["x", "y"]), 80), b"1) x\n2) y\n");
    }

    #[test]
    fn many_words_down_the_columns() {
        let items: Vec<Vec<u8>> = (1..=25).map(|n| n.to_string().into_bytes()).collect();
        let text = String::from_utf8(menu(&items, 40)).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(first, "1) 1\t 6) 6\t11) 11\t16) 16\t21) 21");
        assert_eq!(text.lines().count(), 5);
    }
}
