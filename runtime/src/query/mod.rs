//! The query engine.

pub mod builtins;
