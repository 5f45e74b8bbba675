//! The transactor: turns tx data (list forms, entity maps, datoms) into
//! datoms on a new database value, with Datahike's semantics: tempids,
//! upsert through `:db.unique/identity` (with retry and conflict errors),
//! lookup refs, card-one replacement, uniqueness, cas, retractEntity with
//! component cascade, composite tuples, purge, transaction metadata.
//!
//! Where the reference version and upstream Datahike differ we follow
//! upstream's fixes: re-asserting a current value is a no-op (nothing
//! written, nothing reported), a card-one overwrite reports the retraction
//! of the old value, and the temporal indexes keep every assertion and
//! retraction, also of a fact added and retracted within one transaction
//! (as-of views fold such a pair so they agree with the current state).

mod check;
mod entity;
mod ops;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::datom::{Datom, Eid, IndexOrder, TX0};
use crate::db::{Components, Db, DbState};
use crate::error::{Error, Result};
use crate::schema::is_schema_attr;
use crate::value::{Keyword, Value, cmp_index};

/// The outcome of a transaction.
#[derive(Clone, Debug)]
pub struct TxReport {
    /// The database before.
    pub db_before: Db,
    /// The database after (not yet committed when produced by [`transact`]).
    pub db_after: Db,
    /// Datoms asserted and retracted, in processing order.
    pub tx_data: Vec<Datom>,
    /// Every tempid (and tx alias) used → its entity id, plus
    /// `:db/current-tx` → the transaction id.
    pub tempids: BTreeMap<Value, Eid>,
    /// The transaction metadata (`{:db/txInstant ...}` merged with the user's).
    pub tx_meta: Value,
}

impl TxReport {
    /// The transaction id.
    pub fn tx(&self) -> i64 {
        self.db_after.max_tx()
    }

    /// The report as an EDN map (`:db-before`/`:db-after` as basis tx ids).
    pub fn to_value(&self) -> Value {
        let kw = Value::kw;
        Value::map([
            (
                kw("db-before"),
                Value::map([(kw("max-tx"), Value::Long(self.db_before.max_tx()))]),
            ),
            (
                kw("db-after"),
                Value::map([(kw("max-tx"), Value::Long(self.db_after.max_tx()))]),
            ),
            (
                kw("tx-data"),
                Value::vector(self.tx_data.iter().map(Datom::to_value).collect()),
            ),
            (
                kw("tempids"),
                Value::map(
                    self.tempids
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::Long(*v))),
                ),
            ),
            (kw("tx-meta"), self.tx_meta.clone()),
        ])
    }
}

/// Why a pass over the tx data stopped.
enum Abort {
    Error(Error),
    /// A tempid allocated earlier upserts to another entity: start again
    /// with `tempid → eid` known from the start.
    Retry {
        tempid: Value,
        eid: Eid,
    },
}

impl From<Error> for Abort {
    fn from(e: Error) -> Abort {
        Abort::Error(e)
    }
}

type TxResult<T> = std::result::Result<T, Abort>;

/// Transaction aliases that name the transaction entity.
pub(crate) fn is_tx_alias(v: &Value) -> bool {
    match v {
        Value::Keyword(k) => k.full() == "db/current-tx",
        Value::Str(s) => matches!(&**s, ":db/current-tx" | "datomic.tx" | "datahike.tx"),
        _ => false,
    }
}

/// Tempids: negative numbers and strings (that are not tx aliases).
pub(crate) fn is_tempid(v: &Value) -> bool {
    match v {
        Value::Long(l) => *l < 0,
        Value::Str(_) => !is_tx_alias(v),
        _ => false,
    }
}

/// Runs `tx_data` against `db` (which must be a current view) and returns
/// the report with an uncommitted `db_after`. `tx_meta` is a map of extra
/// attributes for the transaction entity; `now_ms` its default
/// `:db/txInstant`.
pub fn transact(
    db: &Db,
    tx_data: &Value,
    tx_meta: Option<&Value>,
    now_ms: i64,
) -> Result<TxReport> {
    transact_opts(db, tx_data, tx_meta, now_ms, true)
}

/// [`transact`] for replaying stored datoms (import, load-entities): with
/// `tuples_per_item` false, composite tuples are recomputed once at the end
/// of the transaction instead of after every item, so replaying a
/// transaction's datoms one by one leaves no intermediate tuples in history.
pub fn transact_opts(
    db: &Db,
    tx_data: &Value,
    tx_meta: Option<&Value>,
    now_ms: i64,
    tuples_per_item: bool,
) -> Result<TxReport> {
    if !db.is_current() {
        return Err(Error::other(
            "Cannot transact on a history, as-of or since view; use the connection's current database",
        ));
    }
    let items: Vec<Value> = match tx_data {
        Value::Nil => Vec::new(),
        Value::Vector(v) | Value::List(v) => v.to_vec(),
        other => {
            return Err(Error::syntax(format!(
                "Bad transaction data {other}, expected sequential collection"
            )));
        }
    };
    let meta = match tx_meta {
        None | Some(Value::Nil) => BTreeMap::new(),
        Some(Value::Map(m)) => (**m).clone(),
        Some(other) => {
            return Err(Error::syntax(format!(
                "Bad transaction meta {other}, expected a map"
            )));
        }
    };
    let mut seeded: HashMap<Value, Eid> = HashMap::new();
    let mut next_eid = db.max_eid() + 1;
    for _ in 0..1000 {
        let mut tx = Tx::new(db, seeded.clone(), next_eid);
        tx.tuples_per_item = tuples_per_item;
        match tx.run(&items, &meta, now_ms) {
            Ok(()) => return tx.finish(db, meta, now_ms),
            Err(Abort::Error(e)) => return Err(e),
            Err(Abort::Retry { tempid, eid }) => {
                next_eid = tx.next_eid;
                let mut learned = tx.tempids;
                learned.insert(tempid, eid);
                seeded = learned;
            }
        }
    }
    Err(Error::unique(
        "Conflicting upserts: the transaction did not settle after 1000 retries",
    ))
}

/// One pass over the tx data.
pub(crate) struct Tx {
    st: DbState,
    tx: i64,
    write_mode: bool,
    keep_history: bool,
    tempids: HashMap<Value, Eid>,
    seeded: HashMap<Value, Eid>,
    aliases: Vec<Value>,
    next_eid: Eid,
    tx_data: Vec<Datom>,
    /// Composite tuples to recompute after the current top-level item.
    tuple_queue: BTreeMap<(Eid, Keyword), Vec<Value>>,
    /// Set while writing derived composite tuples.
    internal: bool,
    /// Purges done in this transaction (removed straight from every index).
    purged: bool,
    /// Recompute composite tuples after every top-level item (Datahike);
    /// otherwise once at the end.
    tuples_per_item: bool,
    /// (entity, attribute) pairs asserted or retracted by this transaction,
    /// redundant assertions included (what `:db/ensure` checks).
    touched: std::collections::HashSet<(Eid, Keyword)>,
}

impl Tx {
    fn new(db: &Db, seeded: HashMap<Value, Eid>, next_eid: Eid) -> Tx {
        let st = db.state().clone();
        let cfg = st.config.clone();
        Tx {
            tx: st.max_tx + 1,
            st,
            write_mode: cfg.schema_write,
            keep_history: cfg.keep_history,
            tempids: seeded.clone(),
            seeded,
            aliases: Vec::new(),
            next_eid,
            tx_data: Vec::new(),
            tuple_queue: BTreeMap::new(),
            internal: false,
            purged: false,
            tuples_per_item: true,
            touched: Default::default(),
        }
    }

    fn run(&mut self, items: &[Value], meta: &BTreeMap<Value, Value>, now_ms: i64) -> TxResult<()> {
        if self.keep_history {
            let mut m = meta.clone();
            m.entry(Value::kw("db/txInstant"))
                .or_insert(Value::Inst(now_ms));
            for (k, v) in &m {
                let a = match k {
                    Value::Keyword(a) => a.clone(),
                    other => {
                        return Err(Error::syntax(format!(
                            "Bad transaction meta attribute {other}, expected a keyword"
                        ))
                        .into());
                    }
                };
                if self.write_mode && !self.st.schema.is_known(&a) {
                    return Err(Error::schema(format!(
                        "Bad transaction meta attribute {a}, not defined in system or current schema"
                    ))
                    .into());
                }
                let op = Value::vector(vec![
                    Value::kw("db/add"),
                    Value::Long(self.tx),
                    k.clone(),
                    v.clone(),
                ]);
                self.op(&op)?;
            }
        }
        for item in items {
            self.item(item)?;
            if self.tuples_per_item {
                self.flush_tuples()?;
            }
        }
        self.flush_tuples()?;
        Ok(())
    }

    fn item(&mut self, item: &Value) -> TxResult<()> {
        match item {
            Value::Nil => Ok(()),
            Value::Map(m) => self.entity_map(m).map(|_| ()),
            Value::Vector(_) | Value::List(_) => self.op(item),
            Value::Tagged(t) if t.0.full() == "datahike/Datom" || t.0.full() == "cairn/Datom" => {
                self.datom_item(&t.1)
            }
            other => Err(Error::syntax(format!(
                "Bad entity type at {other}, expected map or vector"
            ))
            .into()),
        }
    }

    /// A datom literal `[e a v tx added]` as a tx item: keeps its tx.
    fn datom_item(&mut self, v: &Value) -> TxResult<()> {
        let Some(items) = v.as_seq().filter(|xs| xs.len() == 5) else {
            return Err(Error::syntax(format!("Bad datom {v}, expected [e a v tx added]")).into());
        };
        let op = if items[4] == Value::Bool(false) {
            "db/retract"
        } else {
            "db/add"
        };
        let mut parts = vec![
            Value::kw(op),
            items[0].clone(),
            items[1].clone(),
            items[2].clone(),
        ];
        if op == "db/add" {
            parts.push(items[3].clone());
        }
        self.op(&Value::vector(parts))
    }

    // ----- ids ---------------------------------------------------------

    fn alloc(&mut self) -> Eid {
        let e = self.next_eid;
        self.next_eid += 1;
        e
    }

    fn note_explicit(&mut self, e: Eid) {
        if e < TX0 && e >= self.next_eid {
            self.next_eid = e + 1;
        }
    }

    /// The id of tempid `t`, allocating one on first sight.
    fn tempid(&mut self, t: &Value) -> Eid {
        if let Some(e) = self.tempids.get(t) {
            return *e;
        }
        let e = self.alloc();
        self.tempids.insert(t.clone(), e);
        e
    }

    /// Binds tempid `t` to `e` found by upsert.
    fn bind_upsert(&mut self, t: &Value, e: Eid) -> TxResult<()> {
        match self.tempids.get(t) {
            Some(x) if *x == e => Ok(()),
            Some(x) => {
                if self.seeded.get(t).is_some_and(|s| *s != e) {
                    Err(Error::unique(format!(
                        "Conflicting upsert: {t} resolves both to {x} and {e}"
                    ))
                    .into())
                } else {
                    Err(Abort::Retry {
                        tempid: t.clone(),
                        eid: e,
                    })
                }
            }
            None => {
                self.tempids.insert(t.clone(), e);
                Ok(())
            }
        }
    }

    fn tx_alias(&mut self, v: &Value) -> Eid {
        if !self.aliases.contains(v) {
            self.aliases.push(v.clone());
        }
        self.tx
    }

    /// Resolves an entity reference against the in-progress database.
    fn entid(&self, v: &Value) -> Result<Option<Eid>> {
        self.st.entid(v)
    }

    fn entid_strict(&self, v: &Value) -> Result<Eid> {
        self.entid(v)?
            .ok_or_else(|| Error::lookup(format!("Nothing found for entity id {v}")))
    }

    /// Resolves the value of a ref attribute: tx alias, tempid (allocated),
    /// number, ident or lookup ref (must exist).
    fn ref_value(&mut self, v: &Value) -> Result<Eid> {
        if is_tx_alias(v) {
            return Ok(self.tx_alias(v));
        }
        if is_tempid(v) {
            return Ok(self.tempid(v));
        }
        match v {
            Value::Long(e) if *e > 0 => Ok(*e),
            Value::Long(_) => Err(Error::syntax(format!(
                "Expected number or lookup ref for entity id, got {v}"
            ))),
            _ => self.entid_strict(v),
        }
    }

    // ----- primitive writes --------------------------------------------

    fn current(&self, e: Eid, a: &Keyword) -> Result<Vec<Datom>> {
        self.st
            .scan_current(IndexOrder::Eavt, &Components::ea(e, a.clone()))
    }

    fn exists(&self, e: Eid, a: &Keyword, v: &Value) -> Result<Option<Datom>> {
        self.st
            .first_current(IndexOrder::Eavt, &Components::eav(e, a.clone(), v.clone()))
    }

    /// Asserts `[e a v]` (value already resolved and validated).
    fn add(&mut self, e: Eid, a: &Keyword, v: Value, tx: i64) -> Result<()> {
        self.note_explicit(e);
        if !self.internal {
            self.touched.insert((e, a.clone()));
        }
        // One schema lookup serves the cardinality, uniqueness and AVET checks.
        let attr = self.st.schema.attr(a);
        let unique = attr.as_ref().is_some_and(|x| x.unique.is_some());
        let in_avet = attr.as_ref().is_some_and(|x| x.in_avet());
        if attr.as_ref().is_some_and(|x| x.many) {
            if self.exists(e, a, &v)?.is_some() {
                return Ok(());
            }
            if unique {
                self.check_unique(e, a, &v)?;
            }
        } else {
            let cur = self.current(e, a)?;
            // Re-asserting the current value is a no-op.
            if cur.len() == 1
                && cmp_index(&cur[0].v, &v) == std::cmp::Ordering::Equal
                && cur[0].v == v
            {
                return Ok(());
            }
            if unique {
                self.check_unique(e, a, &v)?;
            }
            for old in cur {
                self.remove(old)?;
            }
        }
        self.insert(Datom::new(e, a.clone(), v, tx), in_avet)
    }

    /// Fails if another entity holds value `v` of unique attribute `a`.
    fn check_unique(&self, e: Eid, a: &Keyword, v: &Value) -> Result<()> {
        if let Some(other) = self
            .st
            .first_current(IndexOrder::Avet, &Components::av(a.clone(), v.clone()))?
        {
            if other.e != e {
                if a.full() == "db/ident" {
                    return Err(Error::schema(format!(
                        "Schema with attribute {v} already exists"
                    )));
                }
                return Err(Error::unique(format!(
                    "Cannot add [{e} {a} {v}] because of unique constraint: [{} {} {}] already exists",
                    other.e, other.a, other.v
                ))
                .with_data(Value::map([(Value::kw("error"), Value::kw("transact/unique"))])));
            }
        }
        Ok(())
    }

    fn insert(&mut self, d: Datom, in_avet: bool) -> Result<()> {
        let ns = self.st.ns.clone();
        if is_schema_attr(&d.a) {
            self.st.schema.apply(d.e, &d.a, &d.v, true)?;
        }
        self.st.indexes.eavt.insert(&ns, d.clone())?;
        self.st.indexes.aevt.insert(&ns, d.clone())?;
        if in_avet {
            self.st.indexes.avet.insert(&ns, d.clone())?;
        }
        self.queue_tuples(d.e, &d.a, d.v.clone());
        self.tx_data.push(d);
        Ok(())
    }

    /// Retracts a current datom.
    fn remove(&mut self, d: Datom) -> Result<()> {
        let ns = self.st.ns.clone();
        if !self.internal {
            self.touched.insert((d.e, d.a.clone()));
        }
        if is_schema_attr(&d.a) {
            self.st.schema.apply(d.e, &d.a, &d.v, false)?;
        }
        self.st.indexes.eavt.remove(&ns, &d)?;
        self.st.indexes.aevt.remove(&ns, &d)?;
        self.st.indexes.avet.remove(&ns, &d)?;
        self.queue_tuples(d.e, &d.a, Value::Nil);
        self.tx_data
            .push(Datom::with_added(d.e, d.a, d.v, self.tx, false));
        Ok(())
    }

    // ----- composite tuples --------------------------------------------

    fn queue_tuples(&mut self, e: Eid, a: &Keyword, v: Value) {
        if self.internal {
            return;
        }
        let targets: Vec<(Keyword, usize)> = self.st.schema.composites_of(a).to_vec();
        for (t, pos) in targets {
            let key = (e, t.clone());
            if !self.tuple_queue.contains_key(&key) {
                let n = self
                    .st
                    .schema
                    .attr(&t)
                    .and_then(|x| x.tuple_attrs.as_ref().map(Vec::len))
                    .unwrap_or(0);
                let stored = self
                    .current(e, &t)
                    .ok()
                    .and_then(|ds| ds.into_iter().next())
                    .and_then(|d| d.v.as_seq().map(<[Value]>::to_vec))
                    .filter(|xs| xs.len() == n)
                    .unwrap_or_else(|| vec![Value::Nil; n]);
                self.tuple_queue.insert(key.clone(), stored);
            }
            if let Some(slot) = self
                .tuple_queue
                .get_mut(&key)
                .and_then(|xs| xs.get_mut(pos))
            {
                *slot = v.clone();
            }
        }
    }

    fn flush_tuples(&mut self) -> Result<()> {
        if self.tuple_queue.is_empty() {
            return Ok(());
        }
        let queue = std::mem::take(&mut self.tuple_queue);
        self.internal = true;
        let r = (|| {
            for ((e, t), tuple) in queue {
                let stored = self.current(e, &t)?.into_iter().next();
                if tuple.iter().all(Value::is_nil) {
                    if let Some(d) = stored {
                        self.remove(d)?;
                    }
                } else {
                    let v = Value::vector(tuple);
                    if stored.as_ref().is_none_or(|d| d.v != v) {
                        self.add(e, &t, v, self.tx)?;
                    }
                }
            }
            Ok(())
        })();
        self.internal = false;
        r
    }

    // ----- finishing ---------------------------------------------------

    fn finish(mut self, db: &Db, meta: BTreeMap<Value, Value>, now_ms: i64) -> Result<TxReport> {
        if self.keep_history {
            self.write_history()?;
        }
        let tx = self.tx;
        self.st.max_tx = tx;
        self.st.max_eid = self.st.max_eid.max(self.next_eid - 1).min(TX0 - 1);
        self.st.commit = None;
        let mut tempids: BTreeMap<Value, Eid> = self.tempids.into_iter().collect();
        for a in self.aliases {
            tempids.insert(a, tx);
        }
        tempids.insert(Value::kw("db/current-tx"), tx);
        let mut m = meta;
        m.entry(Value::kw("db/txInstant"))
            .or_insert(Value::Inst(now_ms));
        Ok(TxReport {
            db_before: db.clone(),
            db_after: Db::new(self.st),
            tx_data: self.tx_data,
            tempids,
            tx_meta: Value::Map(Arc::new(m)),
        })
    }

    /// Writes this transaction's assertions and retractions to the temporal
    /// indexes, every one of them (as upstream Datahike: values that come
    /// and go within one transaction, e.g. a card-one value replaced twice,
    /// stay visible in history). `:db/noHistory` attributes keep only their
    /// current values: a retraction forgets the fact.
    fn write_history(&mut self) -> Result<()> {
        let ns = self.st.ns.clone();
        let st = &mut self.st;
        for d in &self.tx_data {
            let attr = st.schema.attr(&d.a);
            let in_avet = attr.as_ref().is_some_and(|x| x.in_avet());
            let no_history = attr.as_ref().is_some_and(|x| x.no_history);
            let idx = &mut st.indexes;
            if no_history && !d.added {
                let c = Components::eav(d.e, d.a.clone(), d.v.clone());
                for old in collect_prefix(&idx.teavt, &ns, &c, IndexOrder::TEavt)? {
                    idx.teavt.remove(&ns, &old)?;
                    idx.taevt.remove(&ns, &old)?;
                    idx.tavet.remove(&ns, &old)?;
                }
                continue;
            }
            idx.teavt.insert(&ns, d.clone())?;
            idx.taevt.insert(&ns, d.clone())?;
            if in_avet {
                idx.tavet.insert(&ns, d.clone())?;
            }
        }
        Ok(())
    }
}

/// Datoms of a tree matching a prefix.
pub(crate) fn collect_prefix(
    tree: &crate::tree::Tree,
    ns: &Arc<crate::tree::NodeStore>,
    c: &Components,
    order: IndexOrder,
) -> Result<Vec<Datom>> {
    let mut out = Vec::new();
    for d in tree.seek(ns, |d| c.cmp(order, d))? {
        let d = d?;
        if c.cmp(order, &d) != std::cmp::Ordering::Equal {
            break;
        }
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
