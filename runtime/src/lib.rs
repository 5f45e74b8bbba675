//! Cairn: a durable Datalog database compatible with Datahike.
//!
//! ```
//! use std::sync::Arc;
//! use cairn::edn::read;
//! use cairn::query::{Input, q};
//! use cairn::{Config, Value};
//!
//! # fn main() -> cairn::Result<()> {
//! let config = Config::memory("doc-example");   // or Config::redb("people.redb")
//! cairn::create_database(&config)?;
//! let conn = cairn::connect(&config)?;
//! conn.transact(&read("[{:db/ident :name :db/valueType :db.type/string
//!                        :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
//!                       {:db/ident :friend :db/valueType :db.type/ref
//!                        :db/cardinality :db.cardinality/many}]")?, None)?;
//! let report = conn.transact(&read(r#"[{:db/id -1 :name "Ivan" :friend -2} {:db/id -2 :name "Petr"}]"#)?, None)?;
//! let db = conn.db()?;
//! let friends = q(&read("[:find [?fn ...] :in $ ?n :where [?e :name ?n] [?e :friend ?f] [?f :name ?fn]]")?,
//!                 &[Input::Db(Arc::new(db.clone())), Input::Value(Value::str("Ivan"))])?;
//! assert_eq!(friends, read(r#"["Petr"]"#)?);
//! let ivan = cairn::pull::pull(&db, &read("[:name {:friend [:name]}]")?, &read(r#"[:name "Ivan"]"#)?)?;
//! assert_eq!(ivan, read(r#"{:name "Ivan" :friend [{:name "Petr"}]}"#)?);
//! // Time travel: the database as of the first data transaction.
//! let then = db.as_of(&Value::Long(report.tx()))?;
//! assert_eq!(then.max_tx(), db.max_tx());
//! conn.release();
//! cairn::delete_database(&config)?;
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod api;
pub mod cli;
pub mod config;
pub mod conn;
pub mod datom;
pub use cairn_edn::{edn, error, value};
pub mod db;
pub mod entity;
pub mod maint;
pub mod pull;
pub mod query;
pub mod schema;
pub mod server;
pub mod source;
pub mod store;
pub mod tree;
pub mod tx;

pub use config::Config;
pub use conn::{Connection, connect, create_database, database_exists, delete_database};
pub use datom::{Datom, Eid, IndexOrder, TX0};
pub use db::Db;
pub use error::{Error, ErrorKind, Result};
pub use tx::TxReport;
pub use value::{Keyword, Symbol, Value};
