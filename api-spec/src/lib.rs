//! Cairn's API specification: `api.edn`, the single declarative source of
//! every public operation, read into a typed, validated model that the
//! `api!` macro, the generators, the CLI and the conformance runner consume.
//! Nothing else parses the spec file.
//!
//! ```
//! let spec = cairn_api_spec::load().expect("the shipped api.edn is valid");
//! let op = spec.op("database-exists?").unwrap();
//! assert_eq!(op.cli_name(), "database-exists");
//! assert_eq!(op.python_name(), "database_exists");
//! assert_eq!(op.camel_name(), "databaseExists");
//! assert_eq!(op.c_name(), "cairn_database_exists");
//! assert_eq!(op.url_path(), "/v1/database-exists");
//! assert!(spec.json_schema("TxReport").is_some());
//! assert_eq!(spec.hash().len(), 32);
//!
//! // Validation reports every problem, one per line.
//! let errs = cairn_api_spec::parse("{:format 1 :doc \"x\" :types [] :errors [] \
//!     :ops [{:name q :doc \"Query.\" :args [{:name query :type Query}] :ret Nope \
//!            :categories [:query] :stability :stable :remote? true :pure? true}]}")
//!     .unwrap_err();
//! assert_eq!(errs.errors().len(), 3);
//! assert!(errs.to_string().contains("op `q` arg `query`: `:doc` is required"));
//! ```
#![warn(missing_docs)]

mod check;
mod error;
mod model;
pub mod naming;
mod openapi;
mod read;
mod schema;

pub use error::{SpecError, SpecErrorKind, SpecErrors};
pub use model::*;
pub use schema::DIALECT;

/// Version of the C ABI (`cairn_call` and friends) and of the JSON envelope
/// it answers with. The cdylib reports it and every generated binding
/// checks it (with [`Spec::hash`]) when it loads the library.
pub const ABI_VERSION: u32 = 1;

/// The text of the crate's own `api.edn`.
pub const API_EDN: &str = include_str!("../api.edn");

/// Reads and validates the crate's own `api.edn`.
pub fn load() -> Result<Spec, SpecErrors> {
    parse(API_EDN)
}

/// Reads and validates a spec from EDN text, reporting every problem.
pub fn parse(text: &str) -> Result<Spec, SpecErrors> {
    let mut errs = SpecErrors::default();
    let spec = read::read_spec(text, &mut errs);
    if let Some(spec) = &spec {
        check::check(spec, &mut errs);
    }
    match spec {
        Some(spec) if errs.is_empty() => Ok(spec),
        _ => Err(errs),
    }
}

impl Spec {
    /// A stable hex hash (xxh3-128) of the canonical serialization of the
    /// model: the same spec gives the same hash on every run and platform;
    /// any change of a name, type, doc or example changes it.
    pub fn hash(&self) -> String {
        let canonical = self.canonical_json();
        format!("{:032x}", xxhash_rust::xxh3::xxh3_128(canonical.as_bytes()))
    }

    /// The model as compact JSON with fields in declaration order: the
    /// input of [`Spec::hash`].
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The JSON Schema (draft 2020-12) of the wire form of the named type
    /// `type_name`, with every type it mentions under `$defs`.
    pub fn json_schema(&self, type_name: &str) -> Option<serde_json::Value> {
        schema::document(self, type_name)
    }

    /// The JSON Schema of every named type, by name.
    pub fn json_schemas(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        self.types
            .iter()
            .filter_map(|t| Some((t.name.clone(), self.json_schema(&t.name)?)))
            .collect()
    }

    /// The JSON Schema of the model itself (what [`Spec`] serializes to).
    pub fn model_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Spec)).unwrap_or_default()
    }
}
