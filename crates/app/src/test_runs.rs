//! Test cases and batch tests for the editor: read and save a workflow's suite (beside its
//! file), run its cases, run a batch of rows. Every run is in test mode and none is recorded
//! in the run history.

use std::path::PathBuf;

use switchyard_core::testsuite::{self, suite_file_name};
use switchyard_core::{TestSuite, WorkflowFile};

use crate::files::write_atomically;
use crate::testing::{
    self, BatchOptions, BatchRequest, BatchResult, RunTestsRequest, SuiteResult, Target, TestsState,
};
use crate::{App, AppError};

impl App {
    /// The suite of workflow `id` (an empty one when it has none yet). A file that cannot be
    /// read is `invalid_test_suite` (the message names its problem, line and column).
    pub fn get_tests(&self, id: &str) -> Result<TestsState, AppError> {
        let (file_name, path, workflow) = self.suite_place(id)?;
        let exists = path.exists();
        let suite = if exists {
            testing::load_suite(&path).map_err(|e| {
                // One code for the UI to branch on; the file's own problem in the message.
                AppError::new("invalid_test_suite", format!("{file_name}: {} {e}", e.code))
            })?
        } else {
            TestSuite::empty(id)
        };
        let diagnostics = match &workflow {
            Some(w) => testsuite::check(&suite, w).diagnostics,
            None => Vec::new(),
        };
        Ok(TestsState {
            suite,
            file: file_name,
            exists,
            diagnostics,
        })
    }

    /// Saves the suite of workflow `id` (canonical text, through a temporary file). A suite
    /// with problems is saved all the same (nothing typed is lost); they come back as
    /// diagnostics.
    pub fn save_tests(&self, id: &str, suite: TestSuite) -> Result<TestsState, AppError> {
        if suite.workflow != id {
            return Err(AppError::new(
                "invalid_request",
                format!(
                    "the suite is for \"{}\", not for the workflow \"{id}\"",
                    suite.workflow
                ),
            ));
        }
        if suite.schema_version != testsuite::TESTS_VERSION {
            return Err(AppError::new(
                "unsupported_version",
                format!(
                    "schema_version {} is not supported (test suites are version {})",
                    suite.schema_version,
                    testsuite::TESTS_VERSION
                ),
            ));
        }
        let (_, path, _) = self.suite_place(id)?;
        write_atomically(&path, &suite.to_canonical_json())?;
        self.get_tests(id)
    }

    /// Runs the test cases of workflow `id`: the saved suite and workflow, or the drafts given.
    pub async fn run_tests(&self, id: &str, req: RunTestsRequest) -> Result<SuiteResult, AppError> {
        let target = Target::new(self.file_to_test(id, req.workflow)?);
        let suite = match req.suite {
            Some(s) => s,
            None => self.get_tests(id)?.suite,
        };
        if let Some(names) = &req.cases {
            let unknown: Vec<&str> = names
                .iter()
                .filter(|n| suite.case(n).is_none())
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                return Err(AppError::not_found(format!(
                    "the suite of \"{id}\" has no case named {}",
                    unknown
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(testing::run_suite(&self.inner.engine, &target, &suite, req.cases.as_deref()).await)
    }

    /// Runs rows (events, or CSV text) through workflow `id` in test mode.
    pub async fn run_batch(&self, id: &str, req: BatchRequest) -> Result<BatchResult, AppError> {
        let target = Target::new(self.file_to_test(id, req.workflow)?);
        let mut rows: testing::Rows = req.rows.into_iter().map(Ok).collect();
        if let Some(csv) = &req.csv {
            rows.extend(testing::rows_from_csv(csv.text.as_bytes(), &csv.map)?);
        }
        let options = BatchOptions {
            trigger: req.trigger,
            vars: req.vars,
            columns: req.columns,
            concurrency: req.concurrency,
        };
        testing::run_batch(&self.inner.engine, &target, rows, &options, &|_, _| {}).await
    }

    /// The suite's file name and path, and the workflow as saved (when it parses).
    fn suite_place(&self, id: &str) -> Result<(String, PathBuf, Option<WorkflowFile>), AppError> {
        let reg = self.registry();
        let e = reg
            .entries
            .get(id)
            .ok_or_else(|| AppError::not_found(format!("there is no workflow \"{id}\"")))?;
        let stem = e.file_name.strip_suffix(".json").unwrap_or(&e.file_name);
        let name = suite_file_name(stem);
        Ok((
            name.clone(),
            self.inner.config.workflows_dir.join(name),
            e.file.clone(),
        ))
    }

    /// The draft when given (it must be workflow `id`), else the saved file.
    fn file_to_test(
        &self,
        id: &str,
        draft: Option<WorkflowFile>,
    ) -> Result<WorkflowFile, AppError> {
        match draft {
            Some(f) if f.id != id => Err(AppError::new(
                "invalid_request",
                format!("the workflow given is \"{}\", not \"{id}\"", f.id),
            )),
            Some(f) => Ok(f),
            None => self.get_workflow(id),
        }
    }
}
