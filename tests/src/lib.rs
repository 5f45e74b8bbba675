//! Helpers shared by the workspace-level tests: the conformance runner,
//! driven through the Rust API or through the `cairn` CLI.

pub mod bindings;
pub mod conformance;
pub mod fixtures;
