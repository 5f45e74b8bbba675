//! Database values: an immutable root of the six indexes plus the schema,
//! `max-eid`, `max-tx` and the configuration, optionally seen through a time
//! view (history, as-of, since). Holding a `Db` costs nothing and it never
//! changes under a reader.

mod index;
mod view;

use std::sync::Arc;

pub use index::{Components, IndexRange};
pub use view::{TimePoint, View};

use crate::config::Config;
use crate::datom::{Datom, Eid, IndexOrder, TX0};
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::store::Addr;
use crate::tree::{NodeStore, Tree};
use crate::value::{Keyword, Value};

/// The six index trees of one database value.
#[derive(Clone, Debug)]
pub struct Indexes {
    /// Current datoms, by entity.
    pub eavt: Tree,
    /// Current datoms, by attribute.
    pub aevt: Tree,
    /// Current datoms of indexed, unique and ref attributes, by value.
    pub avet: Tree,
    /// Every assertion and retraction, by entity (history on).
    pub teavt: Tree,
    /// Every assertion and retraction, by attribute (history on).
    pub taevt: Tree,
    /// Every assertion and retraction of AVET attributes, by value.
    pub tavet: Tree,
}

impl Indexes {
    /// Six empty trees.
    pub fn empty() -> Indexes {
        Indexes {
            eavt: Tree::new(IndexOrder::Eavt),
            aevt: Tree::new(IndexOrder::Aevt),
            avet: Tree::new(IndexOrder::Avet),
            teavt: Tree::new(IndexOrder::TEavt),
            taevt: Tree::new(IndexOrder::TAevt),
            tavet: Tree::new(IndexOrder::TAvet),
        }
    }

    /// The tree of `order`.
    pub fn tree(&self, order: IndexOrder) -> &Tree {
        match order {
            IndexOrder::Eavt => &self.eavt,
            IndexOrder::Aevt => &self.aevt,
            IndexOrder::Avet => &self.avet,
            IndexOrder::TEavt => &self.teavt,
            IndexOrder::TAevt => &self.taevt,
            IndexOrder::TAvet => &self.tavet,
        }
    }

    /// The tree of `order`, mutably.
    pub fn tree_mut(&mut self, order: IndexOrder) -> &mut Tree {
        match order {
            IndexOrder::Eavt => &mut self.eavt,
            IndexOrder::Aevt => &mut self.aevt,
            IndexOrder::Avet => &mut self.avet,
            IndexOrder::TEavt => &mut self.teavt,
            IndexOrder::TAevt => &mut self.taevt,
            IndexOrder::TAvet => &mut self.tavet,
        }
    }
}

/// The state behind a database value.
#[derive(Clone, Debug)]
pub struct DbState {
    /// Node storage and cache shared by every value of this database.
    pub ns: Arc<NodeStore>,
    /// The configuration the database was created with.
    pub config: Arc<Config>,
    /// The index trees.
    pub indexes: Indexes,
    /// The schema.
    pub schema: Schema,
    /// Largest user entity id in use.
    pub max_eid: Eid,
    /// Largest transaction id.
    pub max_tx: i64,
    /// The commit this value was loaded from or committed as.
    pub commit: Option<Addr>,
    /// For a speculative value (`with`, `db-with`): the commit it grew from
    /// and the transactions applied on top, so its handle can re-open it.
    pub speculative: Option<Arc<Speculative>>,
}

/// How a speculative database value came to be: transactions applied to a
/// committed value without committing them. Its handle carries this, and
/// re-opening the handle replays them (with their original instants, so the
/// result is the same value).
#[derive(Clone, Debug, PartialEq)]
pub struct Speculative {
    /// The committed value the transactions apply to.
    pub base_commit: Option<Addr>,
    /// Each transaction: `{:tx-data [..] :tx-meta {..} :instant ms}`.
    pub txs: Vec<crate::value::Value>,
}

/// An immutable database value, possibly seen through a time view.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) state: Arc<DbState>,
    pub(crate) view: View,
}

impl Db {
    /// A database value over `state` with no time view.
    pub fn new(state: DbState) -> Db {
        Db {
            state: Arc::new(state),
            view: View::default(),
        }
    }

    /// The underlying state (indexes, schema, counters).
    pub fn state(&self) -> &DbState {
        &self.state
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.state.schema
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Largest user entity id in use.
    pub fn max_eid(&self) -> Eid {
        self.state.max_eid
    }

    /// Largest transaction id (the basis of this value).
    pub fn max_tx(&self) -> i64 {
        self.state.max_tx
    }

    /// The commit address this value was loaded from, if any.
    pub fn commit(&self) -> Option<Addr> {
        self.state.commit
    }

    /// The speculative transactions behind this value, if it is not committed.
    pub fn speculative(&self) -> Option<&Speculative> {
        self.state.speculative.as_deref()
    }

    /// This value with `tx` (`{:tx-data .. :tx-meta .. :instant ..}`)
    /// recorded as one more speculative transaction over `base`, the value
    /// it was applied to.
    pub fn with_speculative(&self, base: &Db, tx: crate::value::Value) -> Db {
        let mut spec = match base.speculative() {
            Some(s) => s.clone(),
            None => Speculative {
                base_commit: base.commit(),
                txs: Vec::new(),
            },
        };
        spec.txs.push(tx);
        let mut state = (*self.state).clone();
        state.speculative = Some(Arc::new(spec));
        Db {
            state: Arc::new(state),
            view: self.view.clone(),
        }
    }

    /// The time view.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// Is this the plain current value (no time view)?
    pub fn is_current(&self) -> bool {
        self.view.is_current()
    }

    fn require_history(&self, what: &str) -> Result<()> {
        if self.state.config.keep_history {
            Ok(())
        } else {
            Err(Error::other(format!(
                "{what} is only allowed on temporal indexed databases (created with :keep-history? true)."
            )))
        }
    }

    /// The history view: every assertion and retraction.
    pub fn history(&self) -> Result<Db> {
        self.require_history("history")?;
        let mut view = self.view.clone();
        view.history = true;
        Ok(Db {
            state: self.state.clone(),
            view,
        })
    }

    /// The database as of time point `t` (inclusive).
    pub fn as_of(&self, t: &Value) -> Result<Db> {
        self.time_view("as-of", t, true)
    }

    /// The database since time point `t` (exclusive).
    pub fn since(&self, t: &Value) -> Result<Db> {
        self.time_view("since", t, false)
    }

    fn time_view(&self, what: &str, t: &Value, as_of: bool) -> Result<Db> {
        self.require_history(what)?;
        let tp = TimePoint::parse(t)?;
        let mut view = self.view.clone();
        view.add_filter(self, tp, as_of)?;
        Ok(Db {
            state: self.state.clone(),
            view,
        })
    }

    /// Resolves an entity reference (number, lookup ref, ident keyword) in
    /// this view. `Ok(None)` when a lookup ref or ident matches nothing.
    pub fn entid(&self, v: &Value) -> Result<Option<Eid>> {
        resolve_entid(&self.state.schema, v, &|a, v| self.lookup_av(a, v))
    }

    /// Like [`Db::entid`] but an unresolvable reference is an error.
    pub fn entid_strict(&self, v: &Value) -> Result<Eid> {
        self.entid(v)?
            .ok_or_else(|| Error::lookup(format!("Nothing found for entity id {v}")))
    }

    /// The entity holding value `v` for unique attribute `a` in this view.
    fn lookup_av(&self, a: &Keyword, v: &Value) -> Result<Option<Eid>> {
        let mut it = self.scan(IndexOrder::Avet, &Components::av(a.clone(), v.clone()))?;
        match it.next() {
            Some(d) => Ok(Some(d?.e)),
            None => Ok(None),
        }
    }

    /// Is `e` a transaction id?
    pub fn is_tx(e: Eid) -> bool {
        e > TX0
    }
}

/// An iterator of datoms.
pub type Datoms<'a> = Box<dyn Iterator<Item = Result<Datom>> + 'a>;

/// Resolves an entity reference with `lookup(a, v)` finding the entity that
/// holds unique value `v` of `a`: positive numbers are themselves, ident
/// keywords go through `:db/ident`, lookup refs `[a v]` through `a`.
pub fn resolve_entid(
    schema: &Schema,
    v: &Value,
    lookup: &dyn Fn(&Keyword, &Value) -> Result<Option<Eid>>,
) -> Result<Option<Eid>> {
    match v {
        Value::Long(e) if *e > 0 => Ok(Some(*e)),
        Value::Keyword(_) => lookup(&Keyword::new("db/ident"), v),
        Value::Vector(items) | Value::List(items) => {
            if items.len() != 2 {
                return Err(Error::syntax(format!(
                    "Lookup ref should contain 2 elements: {v}"
                )));
            }
            let a = Keyword::from_value(&items[0]).ok_or_else(|| {
                Error::syntax(format!(
                    "Lookup ref attribute should be a keyword, got {} in {v}",
                    items[0]
                ))
            })?;
            match schema.attr(&a) {
                Some(attr) if attr.unique.is_some() => {}
                _ => {
                    return Err(Error::lookup(format!(
                        "Lookup ref attribute should be marked as :db/unique: {v}"
                    )));
                }
            }
            if items[1].is_nil() {
                return Ok(None);
            }
            lookup(&a, &items[1])
        }
        _ => Err(Error::syntax(format!(
            "Expected number or lookup ref for entity id, got {v}"
        ))),
    }
}

impl DbState {
    /// Current datoms of `order` matching prefix `c` (no time view).
    pub fn scan_current(&self, order: IndexOrder, c: &Components) -> Result<Vec<Datom>> {
        let order = order.current();
        let mut out = Vec::new();
        for d in self
            .indexes
            .tree(order)
            .seek(&self.ns, |d| c.cmp(order, d))?
        {
            let d = d?;
            if c.cmp(order, &d) != std::cmp::Ordering::Equal {
                break;
            }
            out.push(d);
        }
        Ok(out)
    }

    /// The first current datom of `order` matching prefix `c`.
    pub fn first_current(&self, order: IndexOrder, c: &Components) -> Result<Option<Datom>> {
        let order = order.current();
        let mut it = self
            .indexes
            .tree(order)
            .seek(&self.ns, |d| c.cmp(order, d))?;
        match it.next() {
            Some(d) => {
                let d = d?;
                Ok((c.cmp(order, &d) == std::cmp::Ordering::Equal).then_some(d))
            }
            None => Ok(None),
        }
    }

    /// Resolves an entity reference against the current indexes.
    pub fn entid(&self, v: &Value) -> Result<Option<Eid>> {
        resolve_entid(&self.schema, v, &|a, v| {
            Ok(self
                .first_current(IndexOrder::Avet, &Components::av(a.clone(), v.clone()))?
                .map(|d| d.e))
        })
    }
}
