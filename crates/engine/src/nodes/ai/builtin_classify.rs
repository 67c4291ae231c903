//! The built-in classifier: multinomial naive Bayes over lower-cased words, learned from each
//! label's examples and description, plus keyword rules. Deterministic and offline.

use std::collections::{HashMap, HashSet};

use super::classify::Label;

/// Evidence (in nats) that one matched keyword adds: about twenty times more likely.
const KEYWORD_WEIGHT: f64 = 3.0;
/// Laplace smoothing.
const ALPHA: f64 = 1.0;

/// Words too common to say anything about a label.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "at", "is", "are", "be", "it",
    "we", "i", "you", "our", "my", "your", "this", "that", "with", "me", "us", "can", "would",
    "will", "do", "just", "so", "some", "any", "about", "from", "by", "as", "was", "am", "have",
    "has", "please", "hi", "hello", "thanks",
];

pub(crate) struct Decision {
    pub label: usize,
    pub confidence: f64,
    pub reason: String,
}

/// A token and the word it came from (numbers become a bucket by their digit count).
pub(crate) fn tokens(text: &str) -> Vec<(String, String)> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for word in lower.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | ',' | '\''))) {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        if word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            if let Some(n) = super::patterns::number(word) {
                let digits = (n.abs().trunc() as u64).to_string().len();
                out.push((format!("<num:{digits}digits>"), word.to_string()));
                continue;
            }
        }
        for part in word.split(['.', ',', '\'']) {
            if !part.is_empty() && !STOPWORDS.contains(&part) {
                out.push((stem(part), part.to_string()));
            }
        }
    }
    out
}

/// A crude English stem, so that "prices", "pricing" and "price" count as one word.
fn stem(word: &str) -> String {
    if word.chars().count() > 4 {
        for suffix in ["ing", "ed", "es", "s", "e", "ly"] {
            if let Some(rest) = word.strip_suffix(suffix) {
                if rest.chars().count() >= 3 && !(suffix == "s" && rest.ends_with('s')) {
                    return rest.to_string();
                }
            }
        }
    }
    word.to_string()
}

/// Where the words of `phrase` appear one after another in `words`: the words of the text.
fn find_phrase(words: &[(String, String)], phrase: &[(String, String)]) -> Option<String> {
    if phrase.is_empty() {
        return None;
    }
    words
        .windows(phrase.len())
        .find(|w| w.iter().zip(phrase).all(|(a, b)| a.0 == b.0))
        .map(|w| {
            w.iter()
                .map(|(_, original)| original.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
}

/// All lower-cased words (stem, word), stopwords included, for keyword phrases ("no budget").
fn words(text: &str) -> Vec<(String, String)> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| (stem(w), w.to_string()))
        .collect()
}

pub(crate) fn classify(labels: &[Label], text: &str) -> Decision {
    let mut counts: Vec<HashMap<String, f64>> = vec![HashMap::new(); labels.len()];
    let mut vocabulary: HashSet<String> = HashSet::new();
    for (i, label) in labels.iter().enumerate() {
        let docs = label
            .examples
            .iter()
            .map(String::as_str)
            .chain(label.description.as_deref())
            .chain(label.keywords.iter().map(String::as_str));
        for doc in docs {
            for (t, _) in tokens(doc) {
                *counts[i].entry(t.clone()).or_default() += 1.0;
                vocabulary.insert(t);
            }
        }
    }
    let v = vocabulary.len().max(1) as f64;
    let totals: Vec<f64> = counts.iter().map(|c| c.values().sum()).collect();
    let log_p = |i: usize, t: &str| {
        ((counts[i].get(t).copied().unwrap_or(0.0) + ALPHA) / (totals[i] + ALPHA * v)).ln()
    };

    let text_tokens: Vec<(String, String)> = tokens(text)
        .into_iter()
        .filter(|(t, _)| vocabulary.contains(t))
        .collect();
    let text_words = words(text);
    let mut scores = vec![0.0; labels.len()];
    let mut keyword_hits: Vec<Vec<String>> = vec![Vec::new(); labels.len()];
    for (i, label) in labels.iter().enumerate() {
        for (t, _) in &text_tokens {
            scores[i] += log_p(i, t);
        }
        for k in &label.keywords {
            if let Some(hit) = find_phrase(&text_words, &words(k)) {
                scores[i] += KEYWORD_WEIGHT;
                if !keyword_hits[i].contains(&hit) {
                    keyword_hits[i].push(hit);
                }
            }
        }
    }

    // Ties go to the label listed first.
    let best = (0..labels.len()).fold(0, |b, i| if scores[i] > scores[b] { i } else { b });
    let max = scores[best];
    let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
    let confidence = (1.0 / sum * 1000.0).round() / 1000.0;

    let reason = if text_tokens.is_empty() && keyword_hits[best].is_empty() {
        format!(
            "no word of the text appears in the labels' examples, so the first label ({}) was chosen",
            labels[best].name
        )
    } else {
        // The words that favour the winner most over the other labels.
        let mut evidence: Vec<(f64, &str)> = Vec::new();
        for (t, word) in &text_tokens {
            let others = (0..labels.len())
                .filter(|&j| j != best)
                .map(|j| log_p(j, t))
                .fold(f64::NEG_INFINITY, f64::max);
            let gain = log_p(best, t) - others;
            if gain > 0.0 && !evidence.iter().any(|(_, w)| w == word) {
                evidence.push((gain, word));
            }
        }
        evidence.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut named: Vec<String> = keyword_hits[best]
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect();
        for (_, w) in evidence {
            let in_keyword = keyword_hits[best]
                .iter()
                .any(|k| k.split(' ').any(|part| part == w));
            let w = format!("\"{w}\"");
            if named.len() < 4 && !in_keyword && !named.contains(&w) {
                named.push(w);
            }
        }
        if named.is_empty() {
            format!(
                "no word points clearly to a label; {} fits the text slightly better",
                labels[best].name
            )
        } else {
            format!("matched {}", named.join(", "))
        }
    };
    Decision {
        label: best,
        confidence,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, examples: &[&str], keywords: &[&str]) -> Label {
        Label {
            name: name.into(),
            description: None,
            examples: examples.iter().map(|s| s.to_string()).collect(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn word_forms_share_a_stem() {
        for (a, b) in [
            ("prices", "pricing"),
            ("price", "priced"),
            ("browsing", "browse"),
            ("students", "student"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("business"), "business");
        assert_eq!(stem("need"), "need");
    }

    #[test]
    fn numbers_are_bucketed_by_their_digits() {
        let t: Vec<String> = tokens("Budget 80,000 for 200 seats")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(t, ["budget", "<num:5digits>", "<num:3digits>", "seat"]);
    }

    #[test]
    fn words_and_keywords_decide_and_are_named() {
        let labels = [
            label(
                "billing",
                &["my invoice is wrong", "refund my payment"],
                &["invoice"],
            ),
            label("bug", &["the app crashes", "error when saving"], &["crash"]),
        ];
        let d = classify(&labels, "The app shows an error on save");
        assert_eq!(d.label, 1);
        assert!(d.confidence > 0.5 && d.confidence <= 1.0);
        assert!(d.reason.contains("\"error\""), "{}", d.reason);
        let d = classify(&labels, "Question about an invoice");
        assert_eq!(d.label, 0);
        assert!(d.reason.starts_with("matched \"invoice\""), "{}", d.reason);
        let d = classify(&labels, "zzz");
        assert_eq!((d.label, d.confidence), (0, 0.5));
    }
}
