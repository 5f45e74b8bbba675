//! `metrics`: datom counts of a database value.

use std::collections::BTreeMap;

use crate::datom::IndexOrder;
use crate::db::Db;
use crate::error::Result;
use crate::value::{Keyword, Value};

/// Datom counts of `db`'s indexes (its stored state; time views are
/// ignored):
///
/// `{:count <EAVT size> :per-attr-counts {attr n} :per-entity-counts {eid n}
///   :avet-count n :storage-bytes n :index-counts {:eavt n :aevt n ...}}`
/// plus, when the database keeps history, `:temporal-count` (TEAVT size) and
/// `:temporal-avet-count` (TAVET size). The per-attribute and per-entity
/// counts come from one pass over EAVT; the others are the trees' sizes.
/// A storage failure while reading nodes is an error of kind `storage`.
pub fn metrics(db: &Db) -> Result<Value> {
    let st = db.state();
    let mut per_attr: BTreeMap<Keyword, i64> = BTreeMap::new();
    let mut per_entity: Vec<(i64, i64)> = Vec::new();
    for d in st.indexes.eavt.iter(&st.ns)? {
        let d = d?;
        // EAVT is sorted by entity: counts of one entity are contiguous.
        match per_entity.last_mut() {
            Some((e, n)) if *e == d.e => *n += 1,
            _ => per_entity.push((d.e, 1)),
        }
        match per_attr.get_mut(&d.a) {
            Some(n) => *n += 1,
            None => {
                per_attr.insert(d.a, 1);
            }
        }
    }
    let kw = Value::kw;
    let len = |o: IndexOrder| Value::Long(st.indexes.tree(o).len() as i64);
    let mut m = vec![
        (kw("count"), len(IndexOrder::Eavt)),
        (
            kw("per-attr-counts"),
            Value::map(
                per_attr
                    .into_iter()
                    .map(|(a, n)| (Value::Keyword(a), Value::Long(n))),
            ),
        ),
        (
            kw("per-entity-counts"),
            Value::map(
                per_entity
                    .into_iter()
                    .map(|(e, n)| (Value::Long(e), Value::Long(n))),
            ),
        ),
        (kw("avet-count"), len(IndexOrder::Avet)),
        (
            kw("storage-bytes"),
            Value::Long(st.ns.store().size_bytes()? as i64),
        ),
        (
            kw("index-counts"),
            Value::map(IndexOrder::ALL.iter().map(|o| (kw(o.name()), len(*o)))),
        ),
    ];
    if st.config.keep_history {
        m.push((kw("temporal-count"), len(IndexOrder::TEavt)));
        m.push((kw("temporal-avet-count"), len(IndexOrder::TAvet)));
    }
    Ok(Value::map(m))
}
