//! `load-entities`: bulk load of `[e a v tx added]` tuples with fresh ids.

use std::collections::{HashMap, HashSet};

use crate::conn::{Connection, now_ms};
use crate::datom::TX0;
use crate::error::{Error, Result};
use crate::value::{Keyword, Value};

/// One input tuple, checked.
struct In {
    e: i64,
    a: Keyword,
    v: Value,
    tx: i64,
    added: bool,
}

fn parse(i: usize, d: &Value) -> Result<In> {
    let inner = match d {
        Value::Tagged(t) if matches!(t.0.full(), "datahike/Datom" | "cairn/Datom") => &t.1,
        other => other,
    };
    let bad = || {
        Error::syntax(format!(
            "load-entities: datom {i} is {d}, expected [e a v tx added]"
        ))
    };
    let xs = inner.as_seq().filter(|xs| xs.len() >= 4).ok_or_else(bad)?;
    let (Value::Long(e), Value::Keyword(a), Value::Long(tx)) = (&xs[0], &xs[1], &xs[3]) else {
        return Err(bad());
    };
    let added = match xs.get(4) {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad()),
    };
    if *e <= 0 || *tx <= 0 {
        return Err(bad());
    }
    Ok(In {
        e: *e,
        a: a.clone(),
        v: xs[2].clone(),
        tx: *tx,
        added,
    })
}

/// Loads `[e a v tx added]` tuples (vectors or `#datahike/Datom` literals,
/// typically an export of another database) into `conn`, Datahike's
/// `load-entities`:
///
/// * source entity ids are remapped to fresh ids after the target's
///   `max-eid`, in first-seen order; ref values (attributes that are refs in
///   the target schema or declared refs earlier in the input) go through the
///   same map, a ref to a not yet seen entity allocating its id early;
/// * the tuples are grouped by source tx (in first-seen order) and each
///   group is one Cairn transaction; the source tx entity maps to the new
///   transaction, whose `:db/txInstant` is the source's when given;
/// * assertions are `:db/add` (card-one values replace), retractions
///   `:db/retract`; `:db.install/attribute` tuples and values of composite
///   tuple attributes (recomputed from their components) are skipped.
///
/// Values are validated as in any transaction. A malformed tuple is a
/// `syntax` error naming it and loads nothing; a failing transaction stops
/// the load (earlier transactions stay committed) with its error, prefixed
/// by the source tx. Returns `{:tempids {source-eid new-eid} :txs n}`.
pub fn load_entities(conn: &Connection, datoms: &[Value]) -> Result<Value> {
    let input: Vec<In> = datoms
        .iter()
        .enumerate()
        .map(|(i, d)| parse(i, d))
        .collect::<Result<_>>()?;
    // Group by source tx, in first-seen order.
    let mut tx_order: Vec<i64> = Vec::new();
    let mut groups: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, d) in input.iter().enumerate() {
        groups
            .entry(d.tx)
            .or_insert_with(|| {
                tx_order.push(d.tx);
                Vec::new()
            })
            .push(i);
    }
    let source_txs: HashSet<i64> = tx_order.iter().copied().collect();
    let mut eids: HashMap<i64, i64> = HashMap::new();
    let mut order: Vec<i64> = Vec::new();
    let mut tx_map: HashMap<i64, i64> = HashMap::new();
    let mut next = conn.db()?.max_eid() + 1;
    // Source eid → ident, and source eids declared refs (schema in the input).
    let mut idents: HashMap<i64, Keyword> = HashMap::new();
    let mut ref_eids: HashSet<i64> = HashSet::new();
    let mut tuple_eids: HashSet<i64> = HashSet::new();
    let mut txs = 0i64;
    for stx in &tx_order {
        let idx = &groups[stx];
        for &i in idx {
            let d = &input[i];
            if d.added {
                match (d.a.full(), &d.v) {
                    ("db/ident", Value::Keyword(k)) => {
                        idents.insert(d.e, k.clone());
                    }
                    ("db/valueType", Value::Keyword(t)) if t.full() == "db.type/ref" => {
                        ref_eids.insert(d.e);
                    }
                    ("db/tupleAttrs", _) => {
                        tuple_eids.insert(d.e);
                    }
                    _ => {}
                }
            }
        }
        let instant = idx.iter().find_map(|&i| {
            let d = &input[i];
            match &d.v {
                Value::Inst(ms) if d.added && d.e == *stx && d.a.full() == "db/txInstant" => {
                    Some(*ms)
                }
                _ => None,
            }
        });
        let report = conn.transact_with(|before| {
            next = next.max(before.max_eid() + 1);
            let mut map_eid = |e: i64| -> Result<Value> {
                if e == *stx {
                    return Ok(Value::kw("db/current-tx"));
                }
                if let Some(t) = tx_map.get(&e) {
                    return Ok(Value::Long(*t));
                }
                if e > TX0 && source_txs.contains(&e) {
                    return Err(Error::other(format!(
                        "load-entities: transaction {e} is referenced before it is loaded"
                    )));
                }
                if let Some(n) = eids.get(&e) {
                    return Ok(Value::Long(*n));
                }
                if next >= TX0 {
                    return Err(Error::other(
                        "load-entities: entity ids exhausted (would reach the transaction id space)",
                    ));
                }
                let n = next;
                next += 1;
                eids.insert(e, n);
                order.push(e);
                Ok(Value::Long(n))
            };
            let mut items = Vec::with_capacity(idx.len());
            for &i in idx {
                let d = &input[i];
                if d.a.full() == "db.install/attribute" {
                    continue;
                }
                if instant.is_some() && d.e == *stx && d.a.full() == "db/txInstant" {
                    continue;
                }
                // Composite tuples are derived by the transactor.
                let composite = before.schema().attr(&d.a).is_some_and(|x| x.is_composite())
                    || tuple_eids.iter().any(|t| idents.get(t) == Some(&d.a));
                if composite {
                    continue;
                }
                let e = map_eid(d.e)?;
                let is_ref = before.schema().is_ref(&d.a)
                    || ref_eids.iter().any(|r| idents.get(r) == Some(&d.a));
                let v = match (&d.v, is_ref) {
                    (Value::Long(x), true) if *x > 0 => map_eid(*x)?,
                    (v, _) => v.clone(),
                };
                let op = if d.added { "db/add" } else { "db/retract" };
                items.push(Value::vector(vec![
                    Value::kw(op),
                    e,
                    Value::Keyword(d.a.clone()),
                    v,
                ]));
            }
            crate::tx::transact_opts(
                before,
                &Value::vector(items),
                None,
                instant.unwrap_or_else(now_ms),
                false,
            )
            .map_err(|e| {
                Error::new(
                    e.kind,
                    format!(
                        "load-entities: source transaction {stx} failed: {}",
                        e.message
                    ),
                )
            })
        })?;
        tx_map.insert(*stx, report.tx());
        txs += 1;
    }
    Ok(Value::map([
        (
            Value::kw("tempids"),
            Value::map(
                order
                    .iter()
                    .map(|e| (Value::Long(*e), Value::Long(eids[e]))),
            ),
        ),
        (Value::kw("txs"), Value::Long(txs)),
    ]))
}
