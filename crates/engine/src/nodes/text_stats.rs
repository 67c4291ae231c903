//! The Text stats node: word, character, sentence and paragraph counts and a reading time.
//!
//! The rules, chosen to match what people (and word processors) count:
//! - **Words**: Unicode word boundaries (UAX #29). "don't", "e.g." and "3.5" are one word each;
//!   "state-of-the-art" is four. Chinese and Japanese characters count one word each, as in
//!   word processors; punctuation and emoji are not words.
//! - **Characters**: user-perceived characters (grapheme clusters): "é" is one character whether
//!   typed as one code point or two, a flag emoji is one.
//!   `characters_without_spaces` leaves out spaces, tabs and line breaks.
//! - **Sentences**: a sentence ends with `.` `!` `?` `…` (or a run of them, such as `?!` or
//!   `...`), optionally followed by closing quotes or brackets, then a space or the end of the
//!   text; the full-width `。！？` end a sentence even without a space. A period does not end a
//!   sentence after a common abbreviation (Mr., Dr., vs. ...), after a single letter (the "J."
//!   of "J. Smith"), after a word with a dot inside ("e.g.", "U.S."), or when the next word
//!   starts with a small letter or a digit. Text after the last ending counts as a sentence when
//!   it holds a letter or digit.
//! - **Paragraphs**: blocks of text separated by one or more empty lines.
//! - **Reading time**: words ÷ words per minute; minutes rounded to one decimal, seconds to the
//!   nearest second.

use serde_json::{json, Value as Json};
use unicode_segmentation::UnicodeSegmentation;

use super::{NodeCx, NodeOutput};
use crate::events::NodeError;

pub(super) fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let text = match cx.eval("text")? {
        Some(Json::String(s)) => s,
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let wpm = match cx.eval("words_per_minute")? {
        None | Some(Json::Null) => 200.0,
        Some(v) => v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|x: &f64| x.is_finite() && *x > 0.0)
            .ok_or_else(|| {
                NodeError::new(
                    "invalid_value",
                    format!("the reading speed must be a number of words above 0, not {v}"),
                )
                .in_field("words_per_minute")
            })?,
    };
    Ok(NodeOutput::out(stats(&text, wpm)))
}

/// The counts of `text` at `wpm` words per minute.
pub(crate) fn stats(text: &str, wpm: f64) -> Json {
    let words = text.unicode_words().count();
    let characters = text.graphemes(true).count();
    let spaces = text
        .graphemes(true)
        .filter(|g| g.chars().all(char::is_whitespace))
        .count();
    let minutes = words as f64 / wpm;
    json!({
        "words": words,
        "characters": characters,
        "characters_without_spaces": characters - spaces,
        "sentences": sentences(text),
        "paragraphs": paragraphs(text),
        "reading_time_minutes": (minutes * 10.0).round() / 10.0,
        "reading_time_seconds": (minutes * 60.0).round() as u64,
    })
}

const ENDINGS: &[char] = &['.', '!', '?', '…', '。', '！', '？', '‼', '⁇', '⁈', '⁉'];
const FULL_WIDTH_ENDINGS: &[char] = &['。', '！', '？'];
const CLOSERS: &[char] = &['"', '\'', '”', '’', '»', ')', ']', '}', '」', '』', '）'];
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "no", "fig", "approx", "inc", "ltd",
    "co", "corp", "dept", "mt", "ave", "rd", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
];

fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut count = 0;
    let mut has_content = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !ENDINGS.contains(&c) {
            has_content |= c.is_alphanumeric();
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && ENDINGS.contains(&chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        while i < chars.len() && CLOSERS.contains(&chars[i]) {
            i += 1;
        }
        let at_break = chars.get(i).is_none_or(|c| c.is_whitespace());
        let ends = if run.iter().any(|c| FULL_WIDTH_ENDINGS.contains(c)) {
            true
        } else if !at_break {
            false
        } else if run == ['.'] || run == ['…'] || run == ['.', '.', '.'] {
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            let continues = next.is_some_and(|c| c.is_lowercase() || c.is_numeric());
            let abbreviation = run == ['.'] && is_abbreviation(&chars[..start]);
            !(continues || abbreviation)
        } else {
            true
        };
        if ends && has_content {
            count += 1;
            has_content = false;
        }
    }
    count + usize::from(has_content)
}

/// Whether the word just before a period is an abbreviation.
fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| c.is_alphanumeric() || **c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    (word.contains('.') && letters > 0)
        || (letters == 1 && word.chars().count() == 1)
        || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

fn paragraphs(text: &str) -> usize {
    let mut count = 0;
    let mut in_paragraph = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            in_paragraph = false;
        } else if !in_paragraph {
            in_paragraph = true;
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_known_paragraph() {
        let text = "Dr. Smith arrived at 9.30 a.m. on Monday. He said: \"We ship today!\" \
                    Did the café order 3 crates, e.g. apples and pears?\n\n\
                    Yes… and no.\n";
        let s = stats(text, 200.0);
        // Words: Dr Smith arrived at 9.30 a.m on Monday (8), He said We ship today (5),
        // Did the café order 3 crates e.g apples and pears (10), Yes and no (3): 26.
        assert_eq!(s["words"], 26);
        // Sentences: "Dr." and "a.m." are abbreviations; "…" before "and" continues.
        assert_eq!(s["sentences"], 4);
        assert_eq!(s["paragraphs"], 2);
        // 134 characters (the é is one, … is one), 27 of them spaces and line breaks.
        assert_eq!(s["characters"], 134);
        assert_eq!(s["characters_without_spaces"], 107);
        // 26 words at 200 wpm = 0.13 min = 7.8 s.
        assert_eq!(s["reading_time_minutes"], 0.1);
        assert_eq!(s["reading_time_seconds"], 8);
    }

    #[test]
    fn exact_character_counts_with_accents_and_combining_marks() {
        // "Crème brûlée" typed with combining accents (e + U+0300, u + U+0302, e + U+0301).
        let text = "Cre\u{300}me bru\u{302}le\u{301}e.";
        let s = stats(text, 200.0);
        assert_eq!(s["characters"], 13);
        assert_eq!(s["characters_without_spaces"], 12);
        assert_eq!(s["words"], 2);
        assert_eq!(s["sentences"], 1);
    }

    #[test]
    fn cjk_characters_are_words_and_full_width_stops_end_sentences() {
        let s = stats("我们明天发货。你好吗？", 200.0);
        assert_eq!(s["words"], 9);
        assert_eq!(s["characters"], 11);
        assert_eq!(s["sentences"], 2);
        assert_eq!(s["paragraphs"], 1);
    }

    #[test]
    fn sentence_rules() {
        assert_eq!(sentences(""), 0);
        assert_eq!(sentences("no ending"), 1);
        assert_eq!(sentences("Really?! Yes. \"Quoted.\" (Aside.) End"), 5);
        assert_eq!(sentences("See J. Smith in the U.S. office. Then go."), 2);
        assert_eq!(sentences("Pi is 3.14. It is e.g. fine... Well... Ok"), 4);
        assert_eq!(sentences("... !!! ?"), 0);
    }

    #[test]
    fn empty_text_and_reading_time_rounding() {
        let s = stats("  \n\n ", 200.0);
        assert_eq!(s["words"], 0);
        assert_eq!(s["paragraphs"], 0);
        assert_eq!(s["sentences"], 0);
        assert_eq!(s["reading_time_seconds"], 0);
        let words = vec!["word"; 450].join(" ");
        let s = stats(&words, 200.0);
        assert_eq!(
            s["reading_time_minutes"], 2.3,
            "450 / 200 = 2.25, rounded up"
        );
        assert_eq!(s["reading_time_seconds"], 135);
    }
}
