//! Entity ids and typed references: [`EntityId`] (`:db/id`), [`Ref<T>`]
//! (a `:db.type/ref` value pointing at a `T`), and [`IdField`], what an
//! `#[entity(id)]` field may be.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use super::value::{FieldValue, mismatch};
use crate::datom::Eid;
use crate::error::Result;
use crate::schema::ValueType;
use crate::value::Value;

/// An entity id (`:db/id`). As a field type it is a reference
/// (`:db.type/ref`); as an `#[entity(id)]` field it carries the entity's
/// own id, where [`EntityId::NEW`] (0) means "not transacted yet".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub Eid);

impl EntityId {
    /// The id of an entity that has not been transacted yet.
    pub const NEW: EntityId = EntityId(0);

    /// The raw id.
    pub fn get(self) -> Eid {
        self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<EntityId> for Value {
    fn from(id: EntityId) -> Value {
        Value::Long(id.0)
    }
}

/// Reads a reference value: an id, or a pulled `{:db/id n ...}` map.
fn ref_id(v: &Value) -> Result<EntityId> {
    match v {
        Value::Long(e) => Ok(EntityId(*e)),
        Value::Map(_) => match v.get_kw("db/id") {
            Some(Value::Long(e)) => Ok(EntityId(*e)),
            _ => Err(mismatch("an entity reference", v)),
        },
        _ => Err(mismatch("an entity reference", v)),
    }
}

impl FieldValue for EntityId {
    const VALUE_TYPE: ValueType = ValueType::Ref;
    fn to_value(&self) -> Value {
        Value::Long(self.0)
    }
    fn from_value(v: &Value) -> Result<Self> {
        ref_id(v)
    }
}

/// What a [`Ref`] points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    Id(EntityId),
    /// `[attr value]`, resolved by the transactor.
    Lookup(Value),
    /// A tempid naming an entity of the same transaction.
    Tempid(String),
}

/// A reference to an entity of type `T` (`:db.type/ref`). Read back, it
/// always holds an id; written, it may also be a lookup ref on a unique
/// attribute ([`Ref::lookup`]) or a tempid naming an entity written in the
/// same transaction ([`Ref::tempid`], [`super::Batch::add`]).
pub struct Ref<T> {
    target: Target,
    _to: PhantomData<fn() -> T>,
}

impl<T> Ref<T> {
    /// A reference to the entity `id`.
    pub fn new(id: EntityId) -> Ref<T> {
        Ref {
            target: Target::Id(id),
            _to: PhantomData,
        }
    }

    /// A reference by lookup ref `[attr value]`, where `attr` is unique
    /// (`Ref::<Person>::lookup(Person::EMAIL, "ada@example.com")`).
    pub fn lookup(attr: super::Attr, value: impl FieldValue) -> Ref<T> {
        Ref {
            target: Target::Lookup(Value::vector(vec![attr.value(), value.to_value()])),
            _to: PhantomData,
        }
    }

    /// A reference to the entity that the tempid `name` stands for in the
    /// transaction that writes it (see [`super::Batch`]). The transaction
    /// fails (`tempid`) when no entity of it carries that tempid.
    pub fn tempid(name: impl Into<String>) -> Ref<T> {
        Ref {
            target: Target::Tempid(name.into()),
            _to: PhantomData,
        }
    }

    /// The id, unless this is an unresolved lookup ref or a tempid.
    pub fn id(&self) -> Option<EntityId> {
        match &self.target {
            Target::Id(id) => Some(*id),
            Target::Lookup(_) | Target::Tempid(_) => None,
        }
    }

    /// The tempid, when this is one.
    pub fn tempid_name(&self) -> Option<&str> {
        match &self.target {
            Target::Tempid(t) => Some(t),
            Target::Id(_) | Target::Lookup(_) => None,
        }
    }

    /// The reference as a transactable value (an id, a lookup ref or a
    /// tempid string).
    pub fn to_value(&self) -> Value {
        match &self.target {
            Target::Id(id) => Value::Long(id.0),
            Target::Lookup(v) => v.clone(),
            Target::Tempid(t) => Value::str(t),
        }
    }

    /// The same reference, typed as pointing at a `U`.
    pub fn cast<U>(&self) -> Ref<U> {
        Ref {
            target: self.target.clone(),
            _to: PhantomData,
        }
    }
}

impl<T: super::Entity> Ref<T> {
    /// Pulls the referenced entity from `db`.
    pub fn get(&self, db: &crate::Db) -> Result<T> {
        db.pull_entity::<T>(self.to_value())
    }
}

impl<T> From<EntityId> for Ref<T> {
    fn from(id: EntityId) -> Ref<T> {
        Ref::new(id)
    }
}

impl<T> From<Ref<T>> for Value {
    fn from(r: Ref<T>) -> Value {
        r.to_value()
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Ref {
            target: self.target.clone(),
            _to: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Ref<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = std::any::type_name::<T>();
        let short = name.rsplit("::").next().unwrap_or(name);
        match &self.target {
            Target::Id(id) => write!(f, "Ref<{short}>({id})"),
            Target::Lookup(v) => write!(f, "Ref<{short}>({v})"),
            Target::Tempid(t) => write!(f, "Ref<{short}>(tempid {t:?})"),
        }
    }
}

impl<T> PartialEq for Ref<T> {
    fn eq(&self, other: &Self) -> bool {
        self.target == other.target
    }
}
impl<T> Eq for Ref<T> {}
impl<T> Hash for Ref<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.target.hash(state)
    }
}
impl<T> PartialOrd for Ref<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ref<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.target.cmp(&other.target)
    }
}

impl<T> FieldValue for Ref<T> {
    const VALUE_TYPE: ValueType = ValueType::Ref;
    fn to_value(&self) -> Value {
        Ref::to_value(self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        ref_id(v).map(Ref::new)
    }
}

/// The type of an `#[entity(id)]` field: [`EntityId`] (with
/// [`EntityId::NEW`] for a new entity) or `Option<EntityId>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold an entity id",
    label = "an `#[entity(id)]` field must be `EntityId` or `Option<EntityId>`"
)]
pub trait IdField: Sized {
    /// The id to transact under, `None` for a new entity.
    fn id(&self) -> Option<EntityId>;
    /// The field's value for the id read back.
    fn from_id(id: EntityId) -> Self;
}

impl IdField for EntityId {
    fn id(&self) -> Option<EntityId> {
        (self.0 > 0).then_some(*self)
    }
    fn from_id(id: EntityId) -> Self {
        id
    }
}

impl IdField for Option<EntityId> {
    fn id(&self) -> Option<EntityId> {
        self.filter(|id| id.0 > 0)
    }
    fn from_id(id: EntityId) -> Self {
        Some(id)
    }
}
