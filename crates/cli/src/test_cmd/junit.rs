//! The JUnit XML report (the format CI systems read: Jenkins, GitLab, GitHub actions ...): one
//! `<testsuite>` per suite, one `<testcase>` per case; a broken expectation is a `<failure>`
//! (its message is the first difference, its text all of them), a case that could not run an
//! `<error>`; files that could not be used are suites with one `<error>` each.

use std::fmt::Write;

use switchyard_app::testing::{CaseResult, Outcome};

use super::{Problem, Ran};

pub fn xml(ran: &[Ran], problems: &[Problem]) -> String {
    let tests: usize = ran.iter().map(|r| r.result.cases.len()).sum::<usize>() + problems.len();
    let failed: usize = ran.iter().map(|r| failures(&r.result.cases)).sum();
    let broken: usize = ran.iter().map(|r| errors(&r.result.cases)).sum::<usize>() + problems.len();
    let time: f64 = ran.iter().map(|r| r.result.duration_ms).sum::<f64>() / 1000.0;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"switchyard\" tests=\"{tests}\" failures=\"{failed}\" errors=\"{broken}\" time=\"{time:.3}\">"
    );
    for r in ran {
        let cases = &r.result.cases;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3}\" file=\"{}\">",
            esc(&r.result.workflow),
            cases.len(),
            failures(cases),
            errors(cases),
            r.result.duration_ms / 1000.0,
            esc(&r.suite_file.display().to_string()),
        );
        for c in cases {
            case(&mut out, &r.result.workflow, c);
        }
        out.push_str("  </testsuite>\n");
    }
    for p in problems {
        let file = p.file.display().to_string();
        let name = if file.is_empty() {
            "switchyard".to_string()
        } else {
            file
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0\">\n    <testcase name=\"load {0}\" classname=\"{0}\" time=\"0\">\n      <error type=\"{1}\" message=\"{2}\">{2}</error>\n    </testcase>\n  </testsuite>",
            esc(&name),
            esc(&p.code),
            esc(&p.message)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

fn failures(cases: &[CaseResult]) -> usize {
    cases
        .iter()
        .filter(|c| !c.passed && c.outcome != Outcome::Invalid)
        .count()
}

fn errors(cases: &[CaseResult]) -> usize {
    cases
        .iter()
        .filter(|c| c.outcome == Outcome::Invalid)
        .count()
}

fn case(out: &mut String, suite: &str, c: &CaseResult) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        esc(&c.name),
        esc(suite),
        c.duration_ms / 1000.0
    );
    if c.passed {
        let _ = writeln!(
            out,
            ">\n      <system-out>route: {}</system-out>\n    </testcase>",
            esc(&c.route.summary)
        );
        return;
    }
    out.push_str(">\n");
    if c.outcome == Outcome::Invalid {
        let lines: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                format!(
                    "{} [{}]: {}",
                    d.code,
                    d.field.as_deref().unwrap_or("-"),
                    d.message
                )
            })
            .collect();
        let first = c.diagnostics.iter().find(|d| d.is_error());
        let _ = writeln!(
            out,
            "      <error type=\"{}\" message=\"{}\">{}</error>",
            esc(first.map(|d| d.code.as_str()).unwrap_or("invalid")),
            esc(first
                .map(|d| d.message.as_str())
                .unwrap_or("the case cannot run")),
            esc(&lines.join("\n"))
        );
    } else {
        let mut text = Vec::new();
        for f in &c.failures {
            text.push(format!("{}: {}", f.check, f.message));
            for d in &f.differences {
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref()
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "(missing)".into())
                };
                text.push(format!(
                    "  {}: expected {}, got {}",
                    d.path,
                    show(&d.expected),
                    show(&d.actual)
                ));
            }
        }
        let first = c.failures.first();
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            esc(first.map(|f| f.check.as_str()).unwrap_or("failed")),
            esc(first
                .map(|f| f.message.as_str())
                .unwrap_or("the case failed")),
            esc(&text.join("\n"))
        );
    }
    let _ = writeln!(
        out,
        "      <system-out>route: {}</system-out>\n    </testcase>",
        esc(&c.route.summary)
    );
}

/// Text for an XML attribute or element: the five entities escaped, characters XML cannot
/// hold left out.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>\u{1}\nx"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;x"
        );
    }
}
