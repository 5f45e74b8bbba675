//! Cairn: a durable Datalog database compatible with Datahike.
#![warn(missing_docs)]

pub mod config;
pub mod conn;
pub mod datom;
pub mod db;
pub mod edn;
pub mod entity;
pub mod error;
pub mod maint;
pub mod pull;
pub mod query;
pub mod schema;
pub mod source;
pub mod store;
pub mod tree;
pub mod tx;
pub mod value;

pub use config::Config;
pub use conn::{Connection, connect, create_database, database_exists, delete_database};
pub use datom::{Datom, Eid, IndexOrder, TX0};
pub use db::Db;
pub use error::{Error, ErrorKind, Result};
pub use tx::TxReport;
pub use value::{Keyword, Symbol, Value};
