//! One transaction of typed writes: [`Batch`], written with
//! [`Connection::transact_batch`], whose entities of different structs may
//! reference each other before any of them has an id.

use std::collections::BTreeSet;

use super::Entity;
use super::id::{EntityId, Ref};
use crate::conn::Connection;
use crate::error::{Error, Result};
use crate::tx::TxReport;
use crate::value::Value;

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
        let report = self.transact(&batch.tx_data(), None)?;
        Ok(Written { report })
    }
}
