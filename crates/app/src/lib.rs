//! The application API: one function per thing a user can do. The desktop shell's commands, the
//! HTTP server's handlers and the CLI's verbs are thin adapters over it.

pub mod api;
