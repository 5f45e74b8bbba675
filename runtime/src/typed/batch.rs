//! One transaction of typed writes: [`Batch`], written with
//! [`Connection::transact_batch`], whose entities of different structs may
//! reference each other before any of them has an id.

use std::collections::BTreeSet;

use super::Entity;
use super::id::{EntityId, Ref};
use super::ops::Transacted;
use super::schema::AttrDef;
use crate::conn::{Connection, now_ms};
use crate::datom::{Eid, IndexOrder};
use crate::db::{Components, Db};
use crate::error::{Error, Result};
use crate::schema::{Unique, ValueType};
use crate::tx::TxReport;
use crate::value::{Keyword, Value};

/// The prefix of the tempids a [`Batch`] makes up.
const TEMPID_PREFIX: &str = "cairn.batch/";

/// Typed writes for one transaction, in order: entities of any
/// `#[derive(Entity)]` struct, and retractions. Each entity added gets a
/// [`Ref`] that later (or, for cycles, earlier: [`Batch::reserve`])
/// entities of the batch can hold before the transaction gives it an id.
///
/// ```
/// use cairn::typed::Batch;
/// use cairn::{Config, Entity, EntityId, Ref};
///
/// #[derive(Entity)]
/// struct Person {
///     #[entity(unique = "identity")]
///     email: String,
///     manager: Option<Ref<Person>>,
/// }
///
/// #[derive(Entity)]
/// struct Team {
///     #[entity(unique = "identity")]
///     name: String,
///     lead: Ref<Person>,
///     members: Vec<Ref<Person>>,
/// }
///
/// # fn main() -> cairn::Result<()> {
/// # let config = Config::memory("batch-doc");
/// # cairn::create_database(&config)?;
/// # let conn = cairn::connect(&config)?;
/// conn.transact_schema::<Person>()?;
/// conn.transact_schema::<Team>()?;
///
/// let mut batch = Batch::new();
/// let ada = batch.add(&Person { email: "ada@example.com".into(), manager: None });
/// let bob = batch.add(&Person { email: "bob@example.com".into(), manager: Some(ada.clone()) });
/// let team = batch.add(&Team {
///     name: "engines".into(),
///     lead: ada.clone(),
///     members: vec![ada.clone(), bob.clone()],
/// });
/// let written = conn.transact_batch(&batch)?;
///
/// let db = conn.db()?;
/// let team: Team = db.pull_entity(written.id(&team)?)?;
/// assert_eq!(team.lead.id(), Some(written.id(&ada)?));
/// assert_eq!(team.members.len(), 2);
/// # conn.release();
/// # cairn::delete_database(&config)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Batch {
    data: Vec<Value>,
    next: u64,
    /// Tempids [`Batch::reserve`] handed out that no entity was put under.
    pending: BTreeSet<String>,
    /// The items written by [`Batch::replace`]: their index in `data` and
    /// the attributes their struct owns.
    replacing: Vec<(usize, Vec<AttrDef>)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// A reference to an entity this batch will write with
    /// [`Batch::put`], for entities that reference each other in a cycle.
    /// [`Connection::transact_batch`] refuses the batch (`syntax`) while
    /// a reserved reference has no entity put under it.
    pub fn reserve<T>(&mut self) -> Ref<T> {
        let name = format!("{TEMPID_PREFIX}{}", self.next);
        self.next += 1;
        self.pending.insert(name.clone());
        Ref::tempid(name)
    }

    /// Adds `item` as an entity map: under its `#[entity(id)]` when set,
    /// else under a new tempid (so an identity attribute upserts). Returns
    /// the reference other entities of the batch may hold.
    pub fn add<T: Entity>(&mut self, item: &T) -> Ref<T> {
        let at = match item.entity_id() {
            Some(id) => Ref::new(id),
            None => self.reserve(),
        };
        self.put(&at, item);
        at
    }

    /// Adds `item` as the entity `at` refers to: a reference from
    /// [`Batch::reserve`] or [`Ref::tempid`], an existing id, or a lookup
    /// ref (which then writes the entity it names). The item's own
    /// `#[entity(id)]` is not consulted.
    pub fn put<T: Entity>(&mut self, at: &Ref<T>, item: &T) {
        if let Some(t) = at.tempid_name() {
            self.pending.remove(t);
        }
        self.data.push(item.to_tx_map(Some(at.to_value())));
    }

    /// Adds `item` like [`Batch::add`], but as the whole truth about the
    /// struct's attributes: when the entity exists (its `#[entity(id)]`,
    /// or an identity attribute of `item` names it), each value of the
    /// struct's attributes that `item` no longer holds is retracted in the
    /// same transaction (a `None` field, a value removed from a
    /// collection, a reference dropped). A component that is dropped, or
    /// replaced by one without an `#[entity(id)]`, is retracted with
    /// `:db/retractEntity`. Attributes of other structs on the same entity
    /// are left alone. The retractions are computed under the writer lock
    /// from the database the transaction applies to.
    pub fn replace<T: Entity>(&mut self, item: &T) -> Ref<T> {
        let at = self.add(item);
        self.replacing.push((self.data.len() - 1, T::attributes()));
        at
    }

    /// [`Batch::replace`] for the entity `at` refers to (see
    /// [`Batch::put`]).
    pub fn replace_at<T: Entity>(&mut self, at: &Ref<T>, item: &T) {
        self.put(at, item);
        self.replacing.push((self.data.len() - 1, T::attributes()));
    }

    /// Retracts the entity `at` refers to, with its components and the
    /// references to it (`:db/retractEntity`).
    pub fn retract_entity<T>(&mut self, at: &Ref<T>) {
        self.data.push(Value::vector(vec![
            Value::kw("db/retractEntity"),
            at.to_value(),
        ]));
    }

    /// Adds raw transaction data (an entity map or a `[:db/add ...]`-style
    /// vector); it may mention the batch's tempids ([`Ref::to_value`]).
    pub fn push(&mut self, tx_item: Value) {
        self.data.push(tx_item);
    }

    /// How many items the batch holds.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the batch holds nothing.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The transaction data, as [`Connection::transact`] takes it.
    pub fn tx_data(&self) -> Value {
        Value::vector(self.data.clone())
    }
}

/// The outcome of [`Connection::transact_batch`]: the report, and the ids
/// the batch's references were given.
#[derive(Clone, Debug)]
pub struct Written {
    /// The transaction report.
    pub report: TxReport,
}

impl Written {
    /// The id of the entity `r` refers to: its id, the id the transaction
    /// gave its tempid, or the entity its lookup ref names after the
    /// transaction. Errors (`not-found`) for a tempid the transaction did
    /// not use or a lookup ref that names nothing.
    pub fn id<T>(&self, r: &Ref<T>) -> Result<EntityId> {
        if let Some(id) = r.id() {
            return Ok(id);
        }
        let v = r.to_value();
        let found = match r.tempid_name() {
            Some(_) => self.report.tempids.get(&v).copied(),
            None => self.report.db_after.entid(&v)?,
        };
        found
            .map(EntityId)
            .ok_or_else(|| Error::not_found(format!("The transaction wrote no entity for {v}")))
    }
}

impl Connection {
    /// Transacts `batch` in one transaction. Errors are those of
    /// [`Connection::transact`], and `syntax` for a reference from
    /// [`Batch::reserve`] that no entity was put under; nothing is written
    /// then. (A [`Ref::tempid`] of your own that no entity carries follows
    /// Datahike: the transaction allocates an empty entity for it.)
    pub fn transact_batch(&self, batch: &Batch) -> Result<Written> {
        if let Some(t) = batch.pending.first() {
            return Err(Error::syntax(format!(
                "The batch reserved the reference {t:?} but put no entity under it"
            )));
        }
        if batch.replacing.is_empty() {
            let report = self.transact(&batch.tx_data(), None)?;
            return Ok(Written { report });
        }
        let report = self.transact_with(|before| {
            let mut data = batch.data.clone();
            for (i, attrs) in &batch.replacing {
                if let Some(item) = batch.data.get(*i) {
                    data.extend(stale_values(before, item, attrs)?);
                }
            }
            crate::tx::transact(before, &Value::vector(data), None, now_ms())
        })?;
        Ok(Written { report })
    }

    /// Writes `items` with [`Batch::replace`] semantics in one
    /// transaction: values of the structs' attributes the items no longer
    /// hold are retracted. Returns the report and each item's id.
    pub fn replace_entities<T: Entity>(&self, items: &[T]) -> Result<Transacted> {
        self.transact_items(items, Batch::replace)
    }

    /// Writes `items` in one batch, each with `write` ([`Batch::add`] or
    /// [`Batch::replace`]), and gives each its id.
    pub(crate) fn transact_items<T: Entity>(
        &self,
        items: &[T],
        write: fn(&mut Batch, &T) -> Ref<T>,
    ) -> Result<Transacted> {
        let mut batch = Batch::new();
        let refs: Vec<Ref<T>> = items.iter().map(|item| write(&mut batch, item)).collect();
        let written = self.transact_batch(&batch)?;
        let ids = refs
            .iter()
            .map(|r| written.id(r))
            .collect::<Result<Vec<_>>>()?;
        Ok(Transacted {
            report: written.report,
            ids,
        })
    }
}

/// The entity an entity map written by a batch stands for in `db`, if it
/// exists: its `:db/id` (an id or a lookup ref), else the entity one of
/// its identity attributes names.
fn existing_entity(db: &Db, map: &Value, attrs: &[AttrDef]) -> Result<Option<Eid>> {
    match map.get_kw("db/id") {
        Some(Value::Long(e)) => return Ok(Some(*e)),
        Some(v @ Value::Vector(_)) => return db.entid(v),
        _ => {}
    }
    for def in attrs {
        if def.unique != Some(Unique::Identity) || def.tuple_attrs.is_some() {
            continue;
        }
        if let Some(v) = map.get_kw(def.ident) {
            let lookup = Value::vector(vec![Value::kw(def.ident), v.clone()]);
            if let Some(e) = db.entid(&lookup)? {
                return Ok(Some(e));
            }
        }
    }
    Ok(None)
}

/// The id a reference value written in an entity map names in `db`, when
/// it names an existing entity (an id, a lookup ref, a nested map with an
/// id); `None` for a new entity (a tempid, a nested map without an id).
fn referenced(db: &Db, v: &Value) -> Result<Option<Eid>> {
    match v {
        Value::Long(e) => Ok(Some(*e)),
        Value::Vector(_) | Value::Keyword(_) => db.entid(v),
        Value::Map(_) => match v.get_kw("db/id") {
            Some(id) => referenced(db, id),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// The retractions that make the entity `map` writes hold, for each of
/// `attrs`, only the values `map` gives it.
fn stale_values(db: &Db, map: &Value, attrs: &[AttrDef]) -> Result<Vec<Value>> {
    let Some(e) = existing_entity(db, map, attrs)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for def in attrs {
        // Composite tuples are the database's to maintain.
        if def.tuple_attrs.is_some() {
            continue;
        }
        let a = Keyword::new(def.ident);
        let current = db
            .state()
            .scan_current(IndexOrder::Eavt, &Components::ea(e, a.clone()))?;
        if current.is_empty() {
            continue;
        }
        let written: Vec<&Value> = match map.get_kw(def.ident) {
            None => Vec::new(),
            Some(v) if def.many => match v {
                Value::Vector(xs) | Value::List(xs) => xs.iter().collect(),
                Value::Set(xs) => xs.iter().collect(),
                v => vec![v],
            },
            Some(v) => vec![v],
        };
        let reference = def.value_type == ValueType::Ref;
        let kept: Vec<Value> = if reference {
            let mut ids = Vec::new();
            for v in &written {
                if let Some(id) = referenced(db, v)? {
                    ids.push(Value::Long(id));
                }
            }
            ids
        } else {
            written.iter().map(|v| (*v).clone()).collect()
        };
        // A cardinality-one value that is written replaces the old one by
        // itself; a component it replaces is retracted.
        if !def.many && !written.is_empty() && !def.component {
            continue;
        }
        for d in current {
            if kept.contains(&d.v) {
                continue;
            }
            out.push(if def.component {
                Value::vector(vec![Value::kw("db/retractEntity"), d.v])
            } else {
                Value::vector(vec![
                    Value::kw("db/retract"),
                    Value::Long(e),
                    Value::kw(def.ident),
                    d.v,
                ])
            });
        }
    }
    Ok(out)
}
