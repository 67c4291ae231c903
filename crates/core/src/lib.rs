//! Switchyard's core: the workflow file format, the node catalog, the expression language and
//! the compiler that turns a [`WorkflowFile`] into an immutable, executable [`Plan`].
//!
//! Pure: no IO, no async runtime, no SQL. Everything else depends on this crate.

pub mod catalog;
pub mod compile;
pub mod diagnostic;
pub mod expr;
pub mod file;
pub mod kind;
pub mod plan;
pub mod schedule;
pub mod testsuite;
pub mod workspace;

pub use compile::compile;
pub use diagnostic::{Diagnostic, Severity};
pub use file::{Edge, LoadError, Node, Pinned, Position, RetryPolicy, WorkflowFile};
pub use kind::NodeKind;
pub use plan::{Pin, Plan};
pub use testsuite::TestSuite;
pub use workspace::Workspace;
