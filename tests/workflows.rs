//! Every file in workflows/ compiles without errors and is stored in canonical form.

mod common;

use switchyard_core::{compile, WorkflowFile};

#[test]
fn example_workflows_compile_and_are_canonical() {
    let mut count = 0;
    for entry in std::fs::read_dir(common::root().join("workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        count += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let file =
            WorkflowFile::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            file.id,
            stem,
            "{}: the id matches the file name",
            path.display()
        );
        let plan = compile(&file).unwrap_or_else(|d| panic!("{}: {d:#?}", path.display()));
        assert!(
            plan.warnings.is_empty(),
            "{}: {:#?}",
            path.display(),
            plan.warnings
        );
        assert_eq!(
            file.to_canonical_json(),
            text,
            "{} is not canonical: run `switchyard fmt`",
            path.display()
        );
    }
    assert!(count >= 3);
}
