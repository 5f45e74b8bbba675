//! Cairn's data: [`Value`] (with Datahike's index order), the EDN reader and
//! printer, and the [`Error`] type whose kind crosses every boundary. A
//! crate of its own so that the API spec, the macros and the generators can
//! read EDN without depending on the database.
//!
//! ```
//! use cairn_edn::edn::{read, to_string};
//! use cairn_edn::Value;
//!
//! let v = read(r#"{:person/name "Ivan" :tags #{:a :b} :born #inst "1990-01-01"}"#).unwrap();
//! assert_eq!(v.get_kw("person/name"), Some(&Value::str("Ivan")));
//! assert_eq!(read(&to_string(&v)).unwrap(), v);
//! ```
#![warn(missing_docs)]

pub mod edn;
pub mod error;
pub mod value;

pub use error::{Error, ErrorKind, Pos, Result};
pub use value::{Keyword, Symbol, Value};
