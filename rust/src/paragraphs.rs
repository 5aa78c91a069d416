//! Split a text into paragraphs and sentences that remember where they stood.
//!
//! Reports speak of 1-based lines of the original text, so every piece keeps its offsets
//! (in code points, Python's string indices; end exclusive) and the lines of its first and
//! last character. Text is a slice of code points, so lone surrogates are plain characters.

/// A paragraph or a sentence: `text[start..end]`, on lines `line..=end_line`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub end_line: usize,
}

const NEWLINE: u32 = 0x0A;

/// Python's `str.isspace`: Unicode White_Space and the four information separators
/// U+001C-U+001F (what `str.strip` and `str.split` remove).
#[inline]
pub fn is_py_space(c: u32) -> bool {
    (0x1C..=0x1F).contains(&c) || is_white_space(c)
}

/// Unicode White_Space (what `\s` matches in the sentence rule).
#[inline]
fn is_white_space(c: u32) -> bool {
    char::from_u32(c).is_some_and(char::is_whitespace)
}

/// Sentence stops; the CJK ones end a sentence even with no space after them.
#[inline]
fn is_stop(c: u32) -> bool {
    matches!(
        char::from_u32(c),
        Some('.' | '!' | '?' | '。' | '！' | '？')
    )
}

#[inline]
fn is_cjk_stop(c: u32) -> bool {
    matches!(char::from_u32(c), Some('。' | '！' | '？'))
}

/// Quotes and brackets that may close a sentence after its stop.
#[inline]
fn is_closer(c: u32) -> bool {
    matches!(char::from_u32(c), Some('"' | '\'' | '”' | '’' | ')' | ']'))
}

/// Characters that end a line of running text (a hard-wrapped line ends without one).
#[inline]
fn is_final_punct(c: u32) -> bool {
    matches!(
        char::from_u32(c),
        Some('.' | '!' | '?' | ':' | '"' | '”' | '\'' | '’' | ')' | '。' | '！' | '？')
    )
}

/// The bounds of `codes[start..end]` without the whitespace at either end.
fn strip(codes: &[u32], start: usize, end: usize) -> (usize, usize) {
    let mut s = start;
    while s < end && is_py_space(codes[s]) {
        s += 1;
    }
    let mut e = end;
    while e > s && is_py_space(codes[e - 1]) {
        e -= 1;
    }
    (s, e)
}

/// The offset at which each line starts (line 1 first).
pub fn line_starts(codes: &[u32]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            codes
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == NEWLINE)
                .map(|(i, _)| i + 1),
        )
        .collect()
}

/// The 1-based line of an offset.
fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset)
}

/// The `[start, end)` of each line (split on `\n`, which is not part of a line).
fn lines(codes: &[u32]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in codes.iter().enumerate() {
        if c == NEWLINE {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, codes.len()));
    out
}

/// Whether the text is hard-wrapped: paragraphs of several lines separated by blank lines.
///
/// News scraped from HTML has one paragraph a line; text from e-mail or PDFs wraps lines
/// at a fixed width and separates paragraphs by blank lines. A line that ends without
/// closing punctuation and is followed by another non-blank line marks wrapping: half the
/// non-blank lines doing so makes the text wrapped.
fn is_wrapped(codes: &[u32], lines: &[(usize, usize)]) -> bool {
    let stripped: Vec<(usize, usize)> = lines.iter().map(|&(s, e)| strip(codes, s, e)).collect();
    let blank = |k: usize| stripped[k].0 == stripped[k].1;
    if !(0..stripped.len()).any(blank) {
        return false;
    }
    let nonblank: Vec<usize> = (0..stripped.len()).filter(|&k| !blank(k)).collect();
    if nonblank.is_empty() {
        return false;
    }
    let runs_on = nonblank
        .iter()
        .filter(|&&k| {
            k + 1 < stripped.len() && !blank(k + 1) && !is_final_punct(codes[stripped[k].1 - 1])
        })
        .count();
    2 * runs_on >= nonblank.len()
}

/// Return the paragraphs of a text: one a line, or blank-line blocks if hard-wrapped.
///
/// Non-blank paragraphs in order, surrounding whitespace trimmed.
pub fn split_paragraphs(codes: &[u32]) -> Vec<Span> {
    let lines = lines(codes);
    let mut spans = Vec::new();
    if !is_wrapped(codes, &lines) {
        for (k, &(start, end)) in lines.iter().enumerate() {
            let (s, e) = strip(codes, start, end);
            if s < e {
                spans.push(Span {
                    start: s,
                    end: e,
                    line: k + 1,
                    end_line: k + 1,
                });
            }
        }
        return spans;
    }
    let starts = line_starts(codes);
    let trimmed = |start: usize, end: usize| {
        let (s, e) = strip(codes, start, end);
        Span {
            start: s,
            end: e,
            line: line_of(&starts, s),
            end_line: line_of(&starts, s.max(e.saturating_sub(1))),
        }
    };
    let mut block: Option<(usize, usize)> = None;
    for &(start, end) in &lines {
        let (s, e) = strip(codes, start, end);
        if s == e {
            if let Some((bs, be)) = block.take() {
                spans.push(trimmed(bs, be));
            }
            continue;
        }
        block = Some((block.map_or(start, |(bs, _)| bs), end));
    }
    if let Some((bs, be)) = block {
        spans.push(trimmed(bs, be));
    }
    spans
}

/// The end of the sentence stop that starts at `p`, if one does, within `codes[..limit]`.
///
/// The rule: a run of stops not preceded by a stop, then closing quotes or brackets, then
/// whitespace (not taken); or else a run of CJK stops, which need no space after them.
/// Both runs are taken whole (no backtracking into them), so the cost is linear.
fn stop_at(codes: &[u32], p: usize, limit: usize) -> Option<usize> {
    if !is_stop(codes[p]) {
        return None;
    }
    if p == 0 || !is_stop(codes[p - 1]) {
        let mut q = p;
        while q < limit && is_stop(codes[q]) {
            q += 1;
        }
        while q < limit && is_closer(codes[q]) {
            q += 1;
        }
        if q < limit && is_white_space(codes[q]) {
            return Some(q);
        }
    }
    if is_cjk_stop(codes[p]) {
        let mut q = p;
        while q < limit && is_cjk_stop(codes[q]) {
            q += 1;
        }
        return Some(q);
    }
    None
}

/// Return the sentences of each paragraph, never crossing a paragraph's bounds.
///
/// A sentence ends after its stop (and closing quotes); its leading whitespace is trimmed,
/// and the paragraph's text after the last stop is a sentence of its own unless blank.
pub fn sentences(codes: &[u32], paragraphs: &[Span]) -> Vec<Vec<Span>> {
    let mut starts: Option<Vec<usize>> = None;
    let mut out = Vec::with_capacity(paragraphs.len());
    for para in paragraphs {
        let mut pieces = Vec::new();
        let mut cursor = para.start;
        let mut p = para.start;
        while p < para.end {
            match stop_at(codes, p, para.end) {
                Some(end) => {
                    if end > cursor {
                        pieces.push((cursor, end));
                        cursor = end;
                    }
                    p = end;
                }
                None => p += 1,
            }
        }
        let (tail_start, tail_end) = strip(codes, cursor, para.end);
        if tail_start < tail_end {
            pieces.push((cursor, tail_end));
        }
        let single = para.line == para.end_line;
        if !single && starts.is_none() {
            starts = Some(line_starts(codes));
        }
        let rows = pieces
            .into_iter()
            .map(|(start, end)| {
                let (s, _) = strip(codes, start, end);
                let (line, end_line) = match (&starts, single) {
                    (Some(starts), false) => (line_of(starts, s), line_of(starts, end - 1)),
                    _ => (para.line, para.line),
                };
                Span {
                    start: s,
                    end,
                    line,
                    end_line,
                }
            })
            .collect();
        out.push(rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<u32> {
        text.chars().map(u32::from).collect()
    }

    fn spans(text: &str) -> Vec<(String, usize, usize)> {
        let c = codes(text);
        split_paragraphs(&c)
            .iter()
            .map(|s| {
                (
                    text.chars().skip(s.start).take(s.end - s.start).collect(),
                    s.line,
                    s.end_line,
                )
            })
            .collect()
    }

    #[test]
    fn one_paragraph_a_line_unless_wrapped() {
        assert_eq!(
            spans("Title\n\nBody one.\nBody two.\n"),
            vec![
                ("Title".into(), 1, 1),
                ("Body one.".into(), 3, 3),
                ("Body two.".into(), 4, 4)
            ]
        );
        assert_eq!(
            spans("a line that runs on\nand wraps\n\nnext block\nwraps too"),
            vec![
                ("a line that runs on\nand wraps".into(), 1, 2),
                ("next block\nwraps too".into(), 4, 5)
            ]
        );
        assert!(spans("").is_empty());
        assert!(spans("\n \n\x1c").is_empty());
    }

    #[test]
    fn sentences_end_at_stops_followed_by_space() {
        let text = "He said “no.” Then left! Why?\nNext line. Dots... here.x";
        let c = codes(text);
        let paragraphs = split_paragraphs(&c);
        let got: Vec<Vec<String>> = sentences(&c, &paragraphs)
            .iter()
            .map(|rows| {
                rows.iter()
                    .map(|s| text.chars().skip(s.start).take(s.end - s.start).collect())
                    .collect()
            })
            .collect();
        assert_eq!(
            got,
            vec![
                vec!["He said “no.”", "Then left!", "Why?"],
                vec!["Next line.", "Dots...", "here.x"]
            ]
        );
    }

    #[test]
    fn cjk_stops_need_no_space() {
        let c = codes("东京。今天！好");
        let rows = sentences(&c, &split_paragraphs(&c));
        let bounds: Vec<(usize, usize)> = rows[0].iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(bounds, vec![(0, 3), (3, 6), (6, 7)]);
    }
}
