//! Typed schemas, reads and writes: `#[derive(Entity)]` on a struct with
//! named fields declares one attribute per field, and the struct is
//! transacted, pulled, found and queried as a value.
//!
//! ```
//! use cairn::{Config, Entity, EntityId, Ref};
//!
//! #[derive(Entity, Debug, PartialEq)]
//! #[entity(ns = "person")]
//! struct Person {
//!     #[entity(id)]
//!     id: Option<EntityId>,
//!     #[entity(unique = "identity", doc = "Login e-mail")]
//!     email: String,
//!     name: String,
//!     age: Option<i64>,
//!     tags: Vec<String>,
//!     #[entity(component)]
//!     address: Option<Address>,
//!     friends: Vec<Ref<Person>>,
//! }
//!
//! #[derive(Entity, Debug, PartialEq)]
//! struct Address {       // namespace `address`, from the struct name
//!     city: String,
//! }
//!
//! # fn main() -> cairn::Result<()> {
//! let config = Config::memory("typed-doc");
//! cairn::create_database(&config)?;
//! let conn = cairn::connect(&config)?;
//! conn.transact_schema::<Person>()?;               // and Address's, a component
//!
//! let ada = Person {
//!     id: None,
//!     email: "ada@example.com".into(),
//!     name: "Ada".into(),
//!     age: Some(36),
//!     tags: vec!["math".into()],
//!     address: Some(Address { city: "London".into() }),
//!     friends: vec![],
//! };
//! let ids = conn.transact_entities(&[ada])?.ids;
//!
//! let db = conn.db()?;
//! let back: Person = db.pull_entity(ids[0])?;
//! assert_eq!(back.name, "Ada");
//! assert_eq!(back.id, Some(ids[0]));
//! let found = db.find::<Person>(Person::EMAIL, "ada@example.com".to_string())?;
//! assert_eq!(found, Some(back));
//!
//! // Attribute constants display as keywords, for writing queries.
//! let query = format!("[:find ?e :where [?e {} ?a] [(> ?a 30)]]", Person::AGE);
//! let older: Vec<Person> = db.query_entities(&cairn::edn::read(&query)?, &[])?;
//! assert_eq!(older.len(), 1);
//! # conn.release();
//! # cairn::delete_database(&config)?;
//! # Ok(())
//! # }
//! ```
//!
//! Field types map to value types through [`FieldValue`]; `Option<T>` is an
//! optional attribute, `Vec<T>`/`BTreeSet<T>`/`HashSet<T>` cardinality many
//! (but `Vec<u8>` is bytes), [`Ref<T>`] and [`EntityId`] references, and a
//! struct marked `#[entity(component)]` a nested component entity. See the
//! derive's documentation ([`cairn_macros::Entity`]) for every option.
//!
//! [`Connection::transact_entities`](crate::Connection::transact_entities)
//! writes structs of one type; a [`Batch`] writes entities of several
//! structs in one transaction, referencing each other by [`Ref`]s before
//! they have ids, and retracts entities.
//!
//! Writes use map form: a field that is `None` or empty asserts nothing
//! and retracts nothing, and re-transacting an entity whose struct has an
//! identity attribute upserts it.
//! [`Connection::replace_entities`](crate::Connection::replace_entities)
//! (and [`Batch::replace`]) write a struct as the whole truth about its
//! attributes instead, retracting what it no longer holds.

mod batch;
mod codec;
mod id;
mod ops;
mod schema;
mod value;

pub use batch::{Batch, Written};
pub use codec::{MapReader, MapWriter, PatternBuilder};
pub use id::{EntityId, IdField, Ref};
pub use ops::Transacted;
pub use schema::{Attr, AttrDef, SchemaBuilder};
pub use value::{FieldValue, Tuple, mismatch};

pub use crate::schema::{Unique, ValueType};
pub use bigdecimal::BigDecimal;
pub use num_bigint::BigInt;

use crate::error::Result;
use crate::value::Value;

/// A struct stored as an entity: one attribute per field. Derive it with
/// `#[derive(Entity)]` rather than implementing it by hand.
pub trait Entity: Sized {
    /// The namespace of the struct's attributes (`person` in `:person/name`).
    const NAMESPACE: &'static str;

    /// The struct's own attributes, in field order.
    fn attributes() -> Vec<AttrDef>;

    /// Adds the struct's attributes, then those of the structs it embeds as
    /// components, to `out` (each struct once).
    fn collect_schema(out: &mut SchemaBuilder) {
        if out.enter::<Self>() {
            out.add(Self::attributes());
        }
    }

    /// The schema to transact: a vector of attribute maps, this struct's
    /// and its components'. Transacting it again is a no-op.
    fn schema() -> Value {
        let mut b = SchemaBuilder::new();
        Self::collect_schema(&mut b);
        b.to_value()
    }

    /// The pull pattern that reads the struct back.
    fn pull_pattern() -> Value {
        Self::write_pattern(&mut Vec::new())
    }

    /// The pull pattern, nested inside the structs named on `stack`.
    fn write_pattern(stack: &mut Vec<&'static str>) -> Value;

    /// The entity's id, from the `#[entity(id)]` field; `None` when there
    /// is none or it is not set.
    fn entity_id(&self) -> Option<EntityId>;

    /// The entity map to transact, with `:db/id id` (none for a nested
    /// component).
    fn to_tx_map(&self, id: Option<Value>) -> Value;

    /// Reads the struct from a map pulled with [`Entity::pull_pattern`]
    /// (or `(pull ?e pattern)` in a query). Errors name the field and its
    /// attribute.
    fn from_pull(v: &Value) -> Result<Self>;

    /// Reads the struct from a lazy [`crate::entity::Entity`].
    fn from_entity(e: &crate::entity::Entity) -> Result<Self> {
        let v = crate::pull::pull(&**e.source(), &Self::pull_pattern(), &Value::Long(e.id()))?;
        Self::from_pull(&v)
    }
}
