//! The one error type of the application API: a stable code and a plain message.

use switchyard_store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Stable: `not_found`, `invalid_workflow`, `invalid_request`, `conflict`, `shutting_down`,
    /// `database_error`, `io_error`, `data_dir_locked`, `timeout` ...
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new("not_found", message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}
