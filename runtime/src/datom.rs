//! Datoms `(e a v tx added)` and the orders of the six indexes.

use std::cmp::Ordering;
use std::fmt;

use crate::value::{Keyword, Value, cmp_index};

/// An entity id. User entities are `1 .. TX0-1`, transactions `TX0+1 ..`.
pub type Eid = i64;

/// The first transaction id: `2^29`. The first transaction is `TX0 + 1`.
pub const TX0: i64 = 536_870_912;
/// The largest entity or transaction id.
pub const EMAX: i64 = 0x7FFF_FFFF;

/// One fact. `added` is false for a retraction (only in history views).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Datom {
    /// Entity id.
    pub e: Eid,
    /// Attribute.
    pub a: Keyword,
    /// Value.
    pub v: Value,
    /// Transaction id (always positive).
    pub tx: i64,
    /// Assertion (true) or retraction (false).
    pub added: bool,
}

impl Datom {
    /// An assertion.
    pub fn new(e: Eid, a: Keyword, v: Value, tx: i64) -> Datom {
        Datom {
            e,
            a,
            v,
            tx,
            added: true,
        }
    }
    /// A datom with an explicit `added` flag.
    pub fn with_added(e: Eid, a: Keyword, v: Value, tx: i64, added: bool) -> Datom {
        Datom { e, a, v, tx, added }
    }
    /// The `[e a v tx added]` vector form.
    pub fn to_value(&self) -> Value {
        Value::vector(vec![
            Value::Long(self.e),
            Value::Keyword(self.a.clone()),
            self.v.clone(),
            Value::Long(self.tx),
            Value::Bool(self.added),
        ])
    }
}

impl fmt::Debug for Datom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#datom [{} {} {} {} {}]",
            self.e, self.a, self.v, self.tx, self.added
        )
    }
}

/// The six index orders. The current indexes (EAVT, AEVT, AVET) hold at most
/// one datom per (e, a, v): their order ignores tx. The temporal ones hold
/// every assertion and retraction and order by all five fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexOrder {
    /// entity, attribute, value
    Eavt,
    /// attribute, entity, value
    Aevt,
    /// attribute, value, entity
    Avet,
    /// temporal EAVT: e, a, v, tx, added
    TEavt,
    /// temporal AEVT: a, e, v, tx, added
    TAevt,
    /// temporal AVET: a, v, e, tx, added
    TAvet,
}

impl IndexOrder {
    /// All six, in storage order.
    pub const ALL: [IndexOrder; 6] = [
        IndexOrder::Eavt,
        IndexOrder::Aevt,
        IndexOrder::Avet,
        IndexOrder::TEavt,
        IndexOrder::TAevt,
        IndexOrder::TAvet,
    ];

    /// Compares two datoms in this index's order.
    pub fn cmp(self, x: &Datom, y: &Datom) -> Ordering {
        match self {
            IndexOrder::Eavt => cmp_eavt(x, y),
            IndexOrder::Aevt => cmp_aevt(x, y),
            IndexOrder::Avet => cmp_avet(x, y),
            IndexOrder::TEavt => cmp_eavt(x, y).then_with(|| cmp_tx(x, y)),
            IndexOrder::TAevt => cmp_aevt(x, y).then_with(|| cmp_tx(x, y)),
            IndexOrder::TAvet => cmp_avet(x, y).then_with(|| cmp_tx(x, y)),
        }
    }

    /// The temporal twin of a current index (identity for temporal ones).
    pub fn temporal(self) -> IndexOrder {
        match self {
            IndexOrder::Eavt | IndexOrder::TEavt => IndexOrder::TEavt,
            IndexOrder::Aevt | IndexOrder::TAevt => IndexOrder::TAevt,
            IndexOrder::Avet | IndexOrder::TAvet => IndexOrder::TAvet,
        }
    }

    /// The current twin of a temporal index (identity for current ones).
    pub fn current(self) -> IndexOrder {
        match self {
            IndexOrder::Eavt | IndexOrder::TEavt => IndexOrder::Eavt,
            IndexOrder::Aevt | IndexOrder::TAevt => IndexOrder::Aevt,
            IndexOrder::Avet | IndexOrder::TAvet => IndexOrder::Avet,
        }
    }

    /// Is this one of the temporal indexes?
    pub fn is_temporal(self) -> bool {
        matches!(
            self,
            IndexOrder::TEavt | IndexOrder::TAevt | IndexOrder::TAvet
        )
    }

    /// Stable numeric tag used in the storage format.
    pub fn tag(self) -> u8 {
        self as u8
    }

    /// Inverse of [`IndexOrder::tag`].
    pub fn from_tag(tag: u8) -> Option<IndexOrder> {
        IndexOrder::ALL.get(tag as usize).copied()
    }

    /// The index's name: `eavt`, `aevt`, `avet`, `teavt`, `taevt`, `tavet`.
    pub fn name(self) -> &'static str {
        match self {
            IndexOrder::Eavt => "eavt",
            IndexOrder::Aevt => "aevt",
            IndexOrder::Avet => "avet",
            IndexOrder::TEavt => "teavt",
            IndexOrder::TAevt => "taevt",
            IndexOrder::TAvet => "tavet",
        }
    }

    /// `:eavt` → `Eavt`, for the three user-visible names.
    pub fn from_name(name: &str) -> Option<IndexOrder> {
        match name.strip_prefix(':').unwrap_or(name) {
            "eavt" => Some(IndexOrder::Eavt),
            "aevt" => Some(IndexOrder::Aevt),
            "avet" => Some(IndexOrder::Avet),
            _ => None,
        }
    }
}

fn cmp_tx(x: &Datom, y: &Datom) -> Ordering {
    x.tx.cmp(&y.tx).then(x.added.cmp(&y.added))
}

fn cmp_eavt(x: &Datom, y: &Datom) -> Ordering {
    x.e.cmp(&y.e)
        .then_with(|| x.a.cmp(&y.a))
        .then_with(|| cmp_index(&x.v, &y.v))
}

fn cmp_aevt(x: &Datom, y: &Datom) -> Ordering {
    x.a.cmp(&y.a)
        .then_with(|| x.e.cmp(&y.e))
        .then_with(|| cmp_index(&x.v, &y.v))
}

fn cmp_avet(x: &Datom, y: &Datom) -> Ordering {
    x.a.cmp(&y.a)
        .then_with(|| cmp_index(&x.v, &y.v))
        .then_with(|| x.e.cmp(&y.e))
}
