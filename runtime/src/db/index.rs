//! Index access: prefix scans, seeks and ranges over the current or the
//! temporal indexes, with time views applied (history filtering, as-of and
//! since assembly).

use std::cmp::Ordering;

use super::{Datoms, Db};
use crate::datom::{Datom, Eid, IndexOrder};
use crate::error::{Error, Result};
use crate::schema::ValueType;
use crate::source::{DatomIter, Source};
use crate::value::{Keyword, Value, cmp_index};

/// Resolved index components: a prefix of the index's key order (e, a, v,
/// tx in the order of the index); fields after the first missing one are
/// ignored.
#[derive(Clone, Debug, Default)]
pub struct Components {
    /// Entity.
    pub e: Option<Eid>,
    /// Attribute.
    pub a: Option<Keyword>,
    /// Value.
    pub v: Option<Value>,
    /// Transaction.
    pub tx: Option<i64>,
}

impl Components {
    /// Only an attribute.
    pub fn a(a: Keyword) -> Components {
        Components {
            a: Some(a),
            ..Default::default()
        }
    }
    /// Attribute and value (AVET prefix).
    pub fn av(a: Keyword, v: Value) -> Components {
        Components {
            a: Some(a),
            v: Some(v),
            ..Default::default()
        }
    }
    /// Entity (EAVT prefix).
    pub fn e(e: Eid) -> Components {
        Components {
            e: Some(e),
            ..Default::default()
        }
    }
    /// Entity and attribute (EAVT prefix).
    pub fn ea(e: Eid, a: Keyword) -> Components {
        Components {
            e: Some(e),
            a: Some(a),
            ..Default::default()
        }
    }
    /// Entity, attribute and value (EAVT prefix).
    pub fn eav(e: Eid, a: Keyword, v: Value) -> Components {
        Components {
            e: Some(e),
            a: Some(a),
            v: Some(v),
            tx: None,
        }
    }

    /// Compares datom `d` with this prefix in the key order of `order`.
    pub fn cmp(&self, order: IndexOrder, d: &Datom) -> Ordering {
        macro_rules! step {
            ($field:expr, $cmp:expr) => {
                match $field {
                    Some(x) => {
                        let o = $cmp(x);
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    None => return Ordering::Equal,
                }
            };
        }
        let e = |x: &Eid| d.e.cmp(x);
        let a = |x: &Keyword| d.a.cmp(x);
        let v = |x: &Value| cmp_index(&d.v, x);
        let t = |x: &i64| d.tx.cmp(x);
        match order.current() {
            IndexOrder::Eavt => {
                step!(&self.e, e);
                step!(&self.a, a);
                step!(&self.v, v);
            }
            IndexOrder::Aevt => {
                step!(&self.a, a);
                step!(&self.e, e);
                step!(&self.v, v);
            }
            _ => {
                step!(&self.a, a);
                step!(&self.v, v);
                step!(&self.e, e);
            }
        }
        step!(&self.tx, t);
        Ordering::Equal
    }
}

/// Bounds of an AVET value range (`None` = open).
#[derive(Clone, Debug)]
pub struct IndexRange {
    /// The attribute.
    pub attr: Keyword,
    /// Lowest value (inclusive).
    pub start: Option<Value>,
    /// Highest value (inclusive).
    pub end: Option<Value>,
}

/// Folds the temporal datoms of each (e, a, v) group into the state the
/// view sees. Within the group, datoms are taken transaction by
/// transaction: a lone assertion makes the fact present, a lone retraction
/// absent; an assertion and a retraction in the same transaction (a fact
/// that came and went, or went and came back) leave the state as it was
/// before that transaction. The fact is returned (as its latest assertion)
/// when it ends up present.
struct Assemble<I: Iterator<Item = Result<Datom>>> {
    inner: std::iter::Peekable<I>,
    reverse: bool,
}

impl<I: Iterator<Item = Result<Datom>>> Iterator for Assemble<I> {
    type Item = Result<Datom>;
    fn next(&mut self) -> Option<Result<Datom>> {
        loop {
            let first = match self.inner.next()? {
                Ok(d) => d,
                Err(e) => return Some(Err(e)),
            };
            let mut group = vec![first];
            loop {
                let same = match self.inner.peek() {
                    Some(Ok(n)) => {
                        let last = &group[group.len() - 1];
                        n.e == last.e
                            && n.a == last.a
                            && cmp_index(&n.v, &last.v) == Ordering::Equal
                    }
                    _ => false,
                };
                if !same {
                    break;
                }
                match self.inner.next() {
                    Some(Ok(n)) => group.push(n),
                    _ => break,
                }
            }
            if self.reverse {
                group.reverse();
            }
            // Forward order: by tx, retraction before assertion within a tx.
            let mut present: Option<Datom> = None;
            let mut i = 0;
            while i < group.len() {
                let tx = group[i].tx;
                let mut j = i;
                while j < group.len() && group[j].tx == tx {
                    j += 1;
                }
                let block = &group[i..j];
                let adds = block.iter().filter(|d| d.added).count();
                let retracts = block.len() - adds;
                if retracts == 0 {
                    present = block.last().cloned();
                } else if adds == 0 {
                    present = None;
                } else if present.is_some() {
                    // Retracted and asserted again in this tx.
                    present = block.iter().rev().find(|d| d.added).cloned();
                }
                i = j;
            }
            if let Some(d) = present {
                return Some(Ok(d));
            }
        }
    }
}

impl Db {
    /// Datoms of index `order` (current twin: Eavt/Aevt/Avet) matching the
    /// resolved prefix `c`, in this view.
    pub(crate) fn scan(&self, order: IndexOrder, c: &Components) -> Result<Datoms<'static>> {
        let c1 = c.clone();
        let order = order.current();
        let matches = move |d: &Datom| c1.cmp(order, d) == Ordering::Equal;
        let it = self.seek_in(order, c, false)?;
        Ok(Box::new(TakeWhileOk {
            inner: it,
            pred: Box::new(matches),
            done: false,
        }))
    }

    /// Datoms of `order` from the first one at or after `c` to the end
    /// (`reverse`: from the last one at or before `c` back to the start).
    pub(crate) fn seek_in(
        &self,
        order: IndexOrder,
        c: &Components,
        reverse: bool,
    ) -> Result<Datoms<'static>> {
        let order = order.current();
        let st = &self.state;
        let c2 = c.clone();
        let probe = move |d: &Datom| c2.cmp(order, d);
        if !self.view.is_temporal() {
            let tree = st.indexes.tree(order);
            return Ok(if reverse {
                Box::new(tree.seek_rev(&st.ns, probe)?)
            } else {
                Box::new(tree.seek(&st.ns, probe)?)
            });
        }
        let t = order.temporal();
        let tree = st.indexes.tree(t);
        let raw: Datoms<'static> = if reverse {
            Box::new(tree.seek_rev(&st.ns, probe)?)
        } else {
            Box::new(tree.seek(&st.ns, probe)?)
        };
        let view = self.view.clone();
        let filtered = raw.filter(move |d| match d {
            Ok(d) => view.admits(d.tx),
            Err(_) => true,
        });
        if self.view.history {
            Ok(Box::new(filtered))
        } else {
            Ok(Box::new(Assemble {
                inner: filtered.peekable(),
                reverse,
            }))
        }
    }

    /// Resolves user-given components for `order` (Eavt/Aevt/Avet): entity
    /// references and ref values through [`Db::entid`]. `Ok(None)` when a
    /// reference matches nothing. With `validate`, an attribute unknown to a
    /// write-mode schema is an error.
    pub fn components(
        &self,
        order: IndexOrder,
        comps: &[Value],
        validate: bool,
    ) -> Result<Option<Components>> {
        if comps.len() > 4 {
            return Err(Error::syntax(format!(
                "Too many index components: {}",
                Value::vector(comps.to_vec())
            )));
        }
        let (ei, ai, vi) = match order.current() {
            IndexOrder::Eavt => (0, 1, 2),
            IndexOrder::Aevt => (1, 0, 2),
            _ => (2, 0, 1),
        };
        let mut c = Components::default();
        if let Some(a) = comps.get(ai).filter(|x| !x.is_nil()) {
            let k = Keyword::from_value(a).ok_or_else(|| {
                Error::syntax(format!(
                    "Expected an attribute keyword as index component, got {a}"
                ))
            })?;
            if validate && self.config().schema_write() && self.schema().attr(&k).is_none() {
                return Err(Error::schema(format!(
                    "Attribute {k} is not defined in the schema"
                )));
            }
            c.a = Some(k);
        }
        if let Some(e) = comps.get(ei).filter(|x| !x.is_nil()) {
            match self.entid(e)? {
                Some(e) => c.e = Some(e),
                None => return Ok(None),
            }
        }
        if let Some(v) = comps.get(vi).filter(|x| !x.is_nil()) {
            let is_ref = c.a.as_ref().is_some_and(|a| self.schema().is_ref(a));
            if is_ref && !matches!(v, Value::Long(_)) {
                match self.entid(v)? {
                    Some(e) => c.v = Some(Value::Long(e)),
                    None => return Ok(None),
                }
            } else {
                c.v = Some(v.clone());
            }
        }
        if let Some(t) = comps.get(3).filter(|x| !x.is_nil()) {
            match t {
                Value::Long(t) => c.tx = Some(*t),
                other => {
                    return Err(Error::syntax(format!(
                        "Expected a transaction id as index component, got {other}"
                    )));
                }
            }
        }
        // Components must form a prefix: a gap ends it.
        Ok(Some(c))
    }

    /// `d/datoms`: datoms of `order` whose leading components equal `comps`.
    pub fn datoms(&self, order: IndexOrder, comps: &[Value]) -> Result<Datoms<'static>> {
        let order = user_order(order)?;
        match self.components(order, comps, true)? {
            None => Ok(Box::new(std::iter::empty())),
            Some(c) => {
                if order == IndexOrder::Avet && !self.avet_attr(&c) {
                    return Ok(Box::new(std::iter::empty()));
                }
                self.scan(order, &c)
            }
        }
    }

    /// `d/seek-datoms`: from the first datom at or after `comps` to the end.
    pub fn seek_datoms(&self, order: IndexOrder, comps: &[Value]) -> Result<Datoms<'static>> {
        let order = user_order(order)?;
        match self.components(order, comps, true)? {
            None => Ok(Box::new(std::iter::empty())),
            Some(c) => self.seek_in(order, &c, false),
        }
    }

    /// `d/rseek-datoms`: from the last datom at or before `comps` backwards
    /// to the start of the index.
    pub fn rseek_datoms(&self, order: IndexOrder, comps: &[Value]) -> Result<Datoms<'static>> {
        let order = user_order(order)?;
        match self.components(order, comps, true)? {
            None => Ok(Box::new(std::iter::empty())),
            Some(c) => self.seek_in(order, &c, true),
        }
    }

    fn avet_attr(&self, c: &Components) -> bool {
        match &c.a {
            Some(a) => self.schema().attr(a).is_some_and(|x| x.in_avet()),
            None => true,
        }
    }

    /// `d/index-range`: AVET datoms of `attr` with `start <= v <= end`.
    pub fn index_range(&self, attr: &Value, start: &Value, end: &Value) -> Result<Datoms<'static>> {
        let a = Keyword::from_value(attr).ok_or_else(|| {
            Error::syntax(format!(
                "Expected an attribute keyword for index-range, got {attr}"
            ))
        })?;
        let Some(def) = self.schema().attr(&a) else {
            return Err(Error::schema(format!(
                "Attribute {a} is not defined in the schema"
            )));
        };
        if !def.in_avet() {
            return Err(Error::schema(format!(
                "Attribute {a} should be marked as :db/index true (or be unique or a ref) to use index-range"
            )));
        }
        let bound = |v: &Value| -> Result<Option<Value>> {
            if v.is_nil() {
                return Ok(None);
            }
            if def.value_type == Some(ValueType::Ref) && !matches!(v, Value::Long(_)) {
                return Ok(Some(Value::Long(self.entid_strict(v)?)));
            }
            Ok(Some(v.clone()))
        };
        let lo = bound(start)?;
        let hi = bound(end)?;
        let c = Components {
            a: Some(a.clone()),
            v: lo,
            ..Default::default()
        };
        let it = self.seek_in(IndexOrder::Avet, &c, false)?;
        let pred = move |d: &Datom| {
            d.a == a
                && hi
                    .as_ref()
                    .is_none_or(|h| cmp_index(&d.v, h) != Ordering::Greater)
        };
        Ok(Box::new(TakeWhileOk {
            inner: it,
            pred: Box::new(pred),
            done: false,
        }))
    }
}

fn user_order(order: IndexOrder) -> Result<IndexOrder> {
    if order.is_temporal() {
        return Err(Error::syntax(format!(
            "Unknown index {order:?}, expected :eavt, :aevt or :avet"
        )));
    }
    Ok(order)
}

/// `take_while` over `Result` items that passes errors through and stops.
struct TakeWhileOk<I> {
    inner: I,
    pred: Box<dyn Fn(&Datom) -> bool + Send + Sync>,
    done: bool,
}

impl<I: Iterator<Item = Result<Datom>>> Iterator for TakeWhileOk<I> {
    type Item = Result<Datom>;
    fn next(&mut self) -> Option<Result<Datom>> {
        if self.done {
            return None;
        }
        match self.inner.next()? {
            Ok(d) if (self.pred)(&d) => Some(Ok(d)),
            Ok(_) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl Source for Db {
    fn datoms(&self, index: IndexOrder, components: &[Value]) -> Result<DatomIter<'_>> {
        let order = user_order(index)?;
        match self.components(order, components, false)? {
            None => Ok(Box::new(std::iter::empty())),
            Some(c) => {
                if order == IndexOrder::Avet && !self.avet_attr(&c) {
                    return Ok(Box::new(std::iter::empty()));
                }
                Ok(self.scan(order, &c)?)
            }
        }
    }

    fn attr(&self, a: &Keyword) -> Option<std::sync::Arc<crate::schema::Attribute>> {
        self.schema().attr(a)
    }

    fn entid(&self, v: &Value) -> Result<Option<Eid>> {
        Db::entid(self, v)
    }

    fn is_history(&self) -> bool {
        self.view.history
    }

    fn is_write_schema(&self) -> bool {
        self.config().schema_write()
    }

    fn estimate(&self, index: IndexOrder, components: &[Value]) -> u64 {
        let Ok(order) = user_order(index) else {
            return 0;
        };
        let Ok(Some(c)) = self.components(order, components, false) else {
            return 0;
        };
        let st = &self.state;
        let tree = if self.view.is_temporal() {
            st.indexes.tree(order.temporal())
        } else {
            st.indexes.tree(order)
        };
        let c2 = c.clone();
        tree.count_range(&st.ns, |d| c.cmp(order, d), |d| c2.cmp(order, d))
            .unwrap_or(u64::MAX)
    }
}
