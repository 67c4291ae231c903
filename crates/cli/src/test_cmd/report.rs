//! The readable summary and the JSON report of `switchyard test`.

use serde_json::{json, Value as Json};
use switchyard_app::testing::{CaseResult, Failure, Outcome};

use super::{Problem, Ran};

/// `✓`/`✗` per case, each failure with its differences, then the totals.
pub fn print_human(ran: &[Ran], problems: &[Problem]) {
    let mut cases = 0;
    let mut passed = 0;
    let mut ms = 0.0;
    for r in ran {
        println!("{} ({})", r.result.workflow, r.suite_file.display());
        // Problems of the suite itself; each case's are shown under it.
        let own = |d: &&switchyard_core::Diagnostic| {
            !d.field.as_deref().is_some_and(|f| f.starts_with("cases["))
        };
        for d in r.result.diagnostics.iter().filter(own) {
            let mark = if d.is_error() { "!" } else { "warning:" };
            println!("  {mark} {}: {}", d.code, d.message);
        }
        for c in &r.result.cases {
            print_case(c);
        }
        cases += r.result.cases.len();
        passed += r.result.passed;
        ms += r.result.duration_ms;
    }
    for p in problems {
        if p.file.as_os_str().is_empty() {
            eprintln!("error: {}: {}", p.code, p.message);
        } else {
            eprintln!("{}: {}: {}", p.file.display(), p.code, p.message);
        }
    }
    let failed = cases - passed;
    let suites = ran.len();
    println!(
        "{suites} suite{}, {cases} case{}: {passed} passed, {failed} failed ({:.2} s){}",
        plural(suites),
        plural(cases),
        ms / 1000.0,
        if problems.is_empty() {
            String::new()
        } else {
            format!(
                "; {} file{} could not be used",
                problems.len(),
                plural(problems.len())
            )
        }
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_case(c: &CaseResult) {
    let route = if c.route.summary.is_empty() {
        String::new()
    } else {
        format!("  {}", c.route.summary)
    };
    match (c.passed, c.outcome) {
        (true, _) => println!("  ✓ {}  ({:.1} ms){route}", c.name, c.duration_ms),
        (false, Outcome::Invalid) => {
            println!("  ! {}  (not run: the case has problems)", c.name);
            for d in c.diagnostics.iter().filter(|d| d.is_error()) {
                let at = d
                    .field
                    .as_deref()
                    .map(|f| format!(" [{f}]"))
                    .unwrap_or_default();
                println!("      {}{at}: {}", d.code, d.message);
            }
        }
        (false, _) => {
            println!("  ✗ {}  ({:.1} ms){route}", c.name, c.duration_ms);
            for f in &c.failures {
                print_failure(f);
            }
            if let Some(e) = &c.error {
                if !c
                    .failures
                    .iter()
                    .any(|f| f.check == "status" || f.check == "error")
                {
                    let at = e.node.as_deref().unwrap_or("-");
                    println!("      (the run failed at {at}: {} ({}))", e.message, e.code);
                }
            }
        }
    }
}

fn print_failure(f: &Failure) {
    println!("      {}: {}", f.check, f.message);
    for d in &f.differences {
        let show = |v: &Option<Json>| match v {
            Some(v) => v.to_string(),
            None => "(missing)".into(),
        };
        println!(
            "        {}: expected {}, got {}",
            d.path,
            show(&d.expected),
            show(&d.actual)
        );
    }
}

/// `{"passed", "failed", "suites": [{"file", "workflow_file", ...SuiteResult}], "errors": [...]}`.
pub fn print_json(ran: &[Ran], problems: &[Problem]) {
    let suites: Vec<Json> = ran
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(&r.result).expect("results serialize");
            v["file"] = json!(r.suite_file.display().to_string());
            v["workflow_file"] = json!(r.workflow_file.display().to_string());
            v
        })
        .collect();
    let errors: Vec<Json> = problems
        .iter()
        .map(
            |p| json!({"file": p.file.display().to_string(), "code": p.code, "message": p.message}),
        )
        .collect();
    let passed: usize = ran.iter().map(|r| r.result.passed).sum();
    let failed: usize = ran.iter().map(|r| r.result.failed).sum();
    let out = json!({"passed": passed, "failed": failed, "suites": suites, "errors": errors});
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("JSON prints")
    );
}
