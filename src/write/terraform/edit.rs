//! One edit of a `.tf` file's text, made line by line so that the `=` signs and trailing
//! comments `terraform fmt` aligns stay aligned, and returned as the smallest text edits.

use std::borrow::Cow;

use super::align;
use crate::model::TextEdit;
use crate::source::FileId;

/// A file's text split into lines (without their `\n`), with where each line starts: the
/// whole file's, or a window of it ([`Lines::window`]) whose line numbers count from the
/// window's first line and whose offsets are the file's.
pub struct Lines<'a> {
    pub text: &'a str,
    pub lines: Vec<&'a str>,
    starts: Vec<usize>,
    /// Where the window ends (the file's length for the whole file).
    end: usize,
}

impl<'a> Lines<'a> {
    #[cfg(test)]
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines::window(text, 0..text.len())
    }

    /// The whole lines that `range` touches: splitting the whole file for each change of a
    /// module with many fixes made fixing quadratic.
    pub fn window(text: &'a str, range: std::ops::Range<usize>) -> Lines<'a> {
        let (lo, hi) = whole_lines(text, range.start, range.end);
        let lines: Vec<&str> = text[lo..hi].split('\n').collect();
        let mut starts = Vec::with_capacity(lines.len());
        let mut at = lo;
        for line in &lines {
            starts.push(at);
            at += line.len() + 1;
        }
        Lines {
            text,
            lines,
            starts,
            end: hi,
        }
    }

    /// The line an offset is on.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    pub fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.end)
    }

    /// The whitespace a line starts with.
    pub fn indent(&self, line: usize) -> &'a str {
        let text = self.lines.get(line).copied().unwrap_or("");
        &text[..text.len() - text.trim_start().len()]
    }

    /// Whether only whitespace comes before `offset` on its line.
    pub fn starts_line(&self, offset: usize) -> bool {
        self.text[self.start(self.line_of(offset))..offset]
            .trim()
            .is_empty()
    }
}

/// From the start of the line of `start` to past the line break of the line of `end` (or the
/// end of the text). Lines here are split at `\n` alone, so a lone `\r` starts no line.
fn whole_lines(text: &str, start: usize, end: usize) -> (usize, usize) {
    let lo = text[..start].rfind('\n').map_or(0, |at| at + 1);
    (lo, crate::write::next_line_start(text, end))
}

/// [`replace`], looking only at the whole lines of `region` (the top-level block the edit is
/// in: `terraform fmt` aligns nothing across top-level blocks). Aligning the whole file for
/// each edit made a module with many fixes quadratic.
pub fn replace_within(
    file: FileId,
    text: &str,
    region: std::ops::Range<usize>,
    start: usize,
    end: usize,
    with: &str,
) -> Vec<TextEdit> {
    let window = Lines::window(text, region.start.min(start)..region.end.max(end));
    replace_lines(file, &window, start, end, with)
}

/// Replaces `start..end` of the file with `with`, then gives the lines whose alignment chains
/// the edit touches the spacing `terraform fmt` would give them, where those chains were
/// formatted before the edit. Returns the edits that turn the file into the result.
#[cfg(test)]
pub fn replace(file: FileId, text: &str, start: usize, end: usize, with: &str) -> Vec<TextEdit> {
    replace_lines(file, &Lines::new(text), start, end, with)
}

/// [`replace`] within the lines of `old` (a window of the file whose lines hold `start..end`,
/// which a writer that has split them already passes on rather than splitting them again).
pub fn replace_lines(
    file: FileId,
    old: &Lines<'_>,
    start: usize,
    end: usize,
    with: &str,
) -> Vec<TextEdit> {
    let text = old.text;
    let (first, last) = (old.line_of(start), old.line_of(end));
    let edited = format!(
        "{}{with}{}",
        &text[old.start(first)..start],
        &text[end..old.start(last + 1)]
    );
    let edited = edited.strip_suffix('\n').unwrap_or(&edited);
    // The lines after the edit, borrowed from the old text and the edited region.
    let mut lines: Vec<&str> = old.lines[..first].to_vec();
    let replaced_from = lines.len();
    lines.extend(edited.split('\n'));
    let replaced_to = lines.len();
    lines.extend(&old.lines[last + 1..]);

    // The lines around the edit too: a line removed at the end of a group changes the
    // alignment of the group above it.
    let touched: Vec<usize> = (replaced_from.saturating_sub(1)..=replaced_to)
        .filter(|&i| i < lines.len())
        .collect();
    let before = aligned_before(&text[old.start(0)..old.end], &old.lines);
    let final_lines = if formatted_around(&before, old.lines.len(), first..last + 1) {
        realign(&lines, &touched, &before, replaced_from)
    } else {
        lines.iter().map(|l| Cow::Borrowed(*l)).collect()
    };

    let mut edits = Vec::new();
    let shift = replaced_to as isize - (last + 1) as isize;
    for (i, line) in final_lines.iter().enumerate() {
        let in_edit = (replaced_from..replaced_to).contains(&i);
        if in_edit {
            continue;
        }
        let orig = if i < replaced_from {
            i
        } else {
            (i as isize - shift) as usize
        };
        if *line != old.lines[orig] {
            edits.extend(smallest(file, old.start(orig), old.lines[orig], line));
        }
    }
    let region_old = &text[old.start(first)..old.start(last + 1)];
    let mut region_new = final_lines[replaced_from..replaced_to].join("\n");
    if last + 1 < old.lines.len() {
        region_new.push('\n');
    }
    edits.extend(smallest(file, old.start(first), region_old, &region_new));
    edits.sort_by_key(|e| e.start);
    edits
}

/// Whether the chains of lines around `range` (and the lines themselves) are as `terraform
/// fmt` aligns them; `before` is the alignment of the `count` lines.
fn formatted_around(before: &align::Aligned, count: usize, range: std::ops::Range<usize>) -> bool {
    let around: Vec<usize> = (range.start.saturating_sub(1)..=range.end)
        .filter(|&i| i < count)
        .collect();
    before.formatted_around(&around)
}

/// Regions whose alignment this thread read last, most recent last.
const ALIGNED_KEPT: usize = 8;

thread_local! {
    static ALIGNED: std::cell::RefCell<Vec<(String, std::rc::Rc<align::Aligned>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The alignment of a region's lines before an edit, read once for all the edits of one
/// block: each fix of a mapping edits the same unedited text of its block, and reading the
/// block's alignment again for each was a few percent of a Terraform lint. Kept by the
/// region's text, so an edited or other text is read afresh.
fn aligned_before(text: &str, lines: &[&str]) -> std::rc::Rc<align::Aligned> {
    ALIGNED.with_borrow_mut(|kept| {
        if let Some(at) = kept.iter().position(|(kept, _)| kept == text) {
            let entry = kept.remove(at);
            let aligned = entry.1.clone();
            kept.push(entry);
            return aligned;
        }
        let aligned = std::rc::Rc::new(align::Aligned::of(lines));
        if kept.len() == ALIGNED_KEPT {
            kept.remove(0);
        }
        kept.push((text.to_string(), aligned.clone()));
        aligned
    })
}

/// The lines, with those in a chain with a `touched` line aligned as `terraform fmt` would;
/// the first `unchanged` are those `before` was read from.
fn realign<'a>(
    lines: &[&'a str],
    touched: &[usize],
    before: &align::Aligned,
    unchanged: usize,
) -> Vec<Cow<'a, str>> {
    let (formatted, chained) = before.format_and_chains_edited(lines, unchanged, touched);
    formatted
        .into_iter()
        .zip(lines)
        .enumerate()
        .map(|(i, (formatted, line))| {
            if chained.binary_search(&i).is_ok() {
                formatted
            } else {
                Cow::Borrowed(*line)
            }
        })
        .collect()
}

/// The smallest edit turning `old` (at `base` in the file) into `new`, widened to whole words
/// so that a number or name is replaced whole; none when they are equal.
fn smallest(file: FileId, base: usize, old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .char_indices()
        .zip(new.chars())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, a), _)| i + a.len_utf8());
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while suffix > 0 && !old.is_char_boundary(old.len() - suffix) {
        suffix -= 1;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    while prefix > 0
        && word(old[..prefix].chars().next_back())
        && (word(old[prefix..].chars().next()) || word(new[prefix..].chars().next()))
    {
        prefix -= old[..prefix].chars().next_back().map_or(1, char::len_utf8);
    }
    while suffix > 0
        && word(old[old.len() - suffix..].chars().next())
        && (word(old[..old.len() - suffix].chars().next_back())
            || word(new[..new.len() - suffix].chars().next_back()))
    {
        suffix -= old[old.len() - suffix..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
    }
    let suffix = suffix.min(old.len() - prefix).min(new.len() - prefix);
    Some(TextEdit {
        file,
        start: (base + prefix) as u32,
        end: (base + old.len() - suffix) as u32,
        text: new[prefix..new.len() - suffix].to_string(),
    })
}

/// Applies edits to a text (the tests' view of the result).
#[cfg(test)]
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        out.push_str(&text[at..edit.start as usize]);
        out.push_str(&edit.text);
        at = edit.end as usize;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, start: usize, end: usize, with: &str) -> (String, Vec<TextEdit>) {
        let edits = replace(FileId(0), text, start, end, with);
        (apply(text, &edits), edits)
    }

    #[test]
    fn a_replaced_number_is_one_edit_of_the_whole_number() {
        let text = "a {\n  batch_size = 100\n}\n";
        let at = text.find("100").unwrap();
        let (out, edits) = run(text, at, at + 3, "10");
        assert_eq!(out, "a {\n  batch_size = 10\n}\n");
        assert_eq!(edits.len(), 1);
        assert_eq!(
            (edits[0].start as usize, edits[0].end as usize),
            (at, at + 3)
        );
        assert_eq!(edits[0].text, "10");
    }

    #[test]
    fn an_inserted_longer_key_realigns_its_formatted_group() {
        let text = "a {\n  arn  = x\n  size = 1 # c\n\n  other = 2\n}\n";
        let at = text.find("\n\n").unwrap() + 1;
        let (out, edits) = run(text, at, at, "  window_seconds = 1\n");
        assert_eq!(
            out,
            "a {\n  arn            = x\n  size           = 1 # c\n  window_seconds = 1\n\n  other = 2\n}\n"
        );
        assert_eq!(edits.len(), 3, "{edits:?}");
    }

    #[test]
    fn a_group_that_was_not_aligned_is_left_as_written() {
        let text = "a {\n  arn = x\n  size  = 1\n}\n";
        let at = text.find("}").unwrap();
        let (out, _) = run(text, at, at, "  window = 1\n");
        assert_eq!(out, "a {\n  arn = x\n  size  = 1\n  window = 1\n}\n");
    }

    #[test]
    fn removing_the_longest_key_realigns_the_rest() {
        let text = "a {\n  arn         = x\n  long_key_ab = 1\n  size        = 2\n}\n";
        let start = text.find("  long").unwrap();
        let end = text.find("  size").unwrap();
        let (out, _) = run(text, start, end, "");
        assert_eq!(out, "a {\n  arn  = x\n  size = 2\n}\n");
    }

    #[test]
    fn removing_the_last_line_of_a_group_realigns_the_lines_above() {
        let text = "a {\n  size = 1\n  long_key_ab = 2\n}\n";
        let text = &text.replace("  size = 1", "  size        = 1");
        let start = text.find("  long").unwrap();
        let end = text.find("}").unwrap();
        let (out, _) = run(text, start, end, "");
        assert_eq!(out, "a {\n  size = 1\n}\n");
    }

    #[test]
    fn crlf_lines_keep_their_endings() {
        let text = "a {\r\n  x = 1\r\n}\r\n";
        let at = text.find("1").unwrap();
        let (out, _) = run(text, at, at + 1, "2");
        assert_eq!(out, "a {\r\n  x = 2\r\n}\r\n");
    }
}
