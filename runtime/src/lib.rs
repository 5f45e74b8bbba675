//! Cairn: a durable Datalog database compatible with Datahike.
#![warn(missing_docs)]

pub mod datom;
pub mod edn;
pub mod entity;
pub mod error;
pub mod pull;
pub mod query;
pub mod schema;
pub mod source;
pub mod value;

pub use datom::{Datom, Eid, IndexOrder, TX0};
pub use error::{Error, ErrorKind, Result};
pub use value::{Keyword, Symbol, Value};
