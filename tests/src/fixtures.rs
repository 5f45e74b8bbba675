//! The example fixture: the data the spec's examples (`api-spec/api.edn`)
//! assume, shared by the Rust example runner and the binding script.

/// The fixture schema.
pub const SCHEMA: &str = r#"[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :email :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 {:db/ident :source :db/valueType :db.type/string :db/cardinality :db.cardinality/one}]"#;

/// Fixture data.
pub const DATA: &str = r#"[{:db/id -1 :name "Ivan" :email "ivan@example.com" :age 18 :friend -2}
 {:db/id -2 :name "Petr" :age 25}]"#;

/// Datoms for the `load-entities` example.
pub const ENTITIES: &str = r#"[[1 :name "Anna" 536870913 true] [2 :name "Boris" 536870913 true]]"#;
