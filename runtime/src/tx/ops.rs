//! List-form operations: `:db/add`, `:db/retract`, `:db.fn/retractAttribute`,
//! `:db/retractEntity`, `:db/cas`, and the purge operations.

use std::collections::HashSet;

use super::{Tx, TxResult, collect_prefix, is_tempid, is_tx_alias};
use crate::datom::{Datom, Eid, IndexOrder};
use crate::db::Components;
use crate::error::{Error, Result};
use crate::schema::Unique;
use crate::value::{Keyword, Value};

const KNOWN_OPS: &str = ":db/add, :db/retract, :db.fn/retractAttribute, :db/retractEntity, \
:db.fn/retractEntity, :db/cas, :db.fn/cas, :db/purge, :db.purge/attribute, :db.purge/entity, \
:db.history.purge/before";

impl Tx {
    /// Dispatches one list form.
    pub(super) fn op(&mut self, item: &Value) -> TxResult<()> {
        let parts = item.as_seq().unwrap_or(&[]);
        let Some(Value::Keyword(op)) = parts.first() else {
            return Err(Error::syntax(format!(
                "Bad entity type at {item}, expected an operation keyword first"
            ))
            .into());
        };
        let args = &parts[1..];
        // Datahike destructures the op vector, so elements beyond an op's
        // arguments are ignored; too few is an error.
        let arity = |n: &[usize]| -> Result<()> {
            let min = n.iter().copied().min().unwrap_or(0);
            if args.len() >= min {
                Ok(())
            } else {
                Err(Error::syntax(format!(
                    "Bad arity for {op} in {item}: expected {} arguments",
                    n.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                )))
            }
        };
        match op.full() {
            "db/add" => {
                arity(&[3, 4])?;
                let tx = match args.get(3) {
                    None => None,
                    Some(Value::Long(t)) => Some(*t),
                    Some(v) if is_tx_alias(v) => Some(self.tx),
                    Some(other) => {
                        return Err(
                            Error::syntax(format!("Bad transaction id {other} in {item}")).into(),
                        );
                    }
                };
                self.op_add(item, &args[0], &args[1], &args[2], tx)
            }
            "db/retract" => {
                arity(&[2, 3])?;
                self.no_tempid(item, &args[0])?;
                let a = self.attr_of(item, &args[1])?;
                match args.get(2) {
                    Some(v) => self
                        .op_retract_value(item, &args[0], &a, v)
                        .map_err(Into::into),
                    None => self
                        .op_retract_attr(&args[0], &a, false)
                        .map_err(Into::into),
                }
            }
            "db.fn/retractAttribute" => {
                arity(&[2])?;
                self.no_tempid(item, &args[0])?;
                let a = self.attr_of(item, &args[1])?;
                self.op_retract_attr(&args[0], &a, true).map_err(Into::into)
            }
            "db/retractEntity" | "db.fn/retractEntity" => {
                arity(&[1])?;
                self.no_tempid(item, &args[0])?;
                if let Some(e) = self.entid(&args[0])? {
                    self.retract_entity(e, &mut HashSet::new())?;
                }
                Ok(())
            }
            "db/cas" | "db.fn/cas" => {
                arity(&[4])?;
                self.no_tempid(item, &args[0])?;
                self.op_cas(item, &args[0], &args[1], &args[2], &args[3])
                    .map_err(Into::into)
            }
            "db/purge" => {
                arity(&[3])?;
                self.require_history(op)?;
                let e = self.purge_target(&args[0])?;
                let a = self.attr_of(item, &args[1])?;
                let mut v = args[2].clone();
                if self.st.schema.is_ref(&a) && !matches!(v, Value::Long(_)) {
                    v = Value::Long(self.entid_strict(&v)?);
                }
                self.purge(&Components::eav(e, a, v)).map_err(Into::into)
            }
            "db.purge/attribute" => {
                arity(&[2])?;
                self.require_history(op)?;
                let e = self.purge_target(&args[0])?;
                let a = self.attr_of(item, &args[1])?;
                let component = self.st.schema.attr(&a).is_some_and(|x| x.component);
                if component {
                    for d in self.purge_values(&Components::ea(e, a.clone()))? {
                        if let Value::Long(c) = d.v {
                            self.purge_entity(c, &mut HashSet::new())?;
                        }
                    }
                }
                self.purge(&Components::ea(e, a)).map_err(Into::into)
            }
            "db.purge/entity" => {
                arity(&[1])?;
                self.require_history(op)?;
                let e = self.purge_target(&args[0])?;
                self.purge_entity(e, &mut HashSet::new())
                    .map_err(Into::into)
            }
            "db.history.purge/before" => {
                arity(&[1])?;
                self.require_history(op)?;
                let Value::Inst(ms) = args[0] else {
                    return Err(Error::type_error(format!(
                        "Expected an instant in {item}, got {}",
                        args[0]
                    ))
                    .into());
                };
                self.purge_before(ms).map_err(Into::into)
            }
            _ => Err(Error::syntax(format!(
                "Unknown operation at {item}, expected one of {KNOWN_OPS}"
            ))
            .into()),
        }
    }

    fn no_tempid(&self, item: &Value, e: &Value) -> Result<()> {
        if is_tempid(e) {
            return Err(Error::syntax(format!(
                "Can't use tempid in '{item}'. Tempids are allowed in :db/add only"
            )));
        }
        Ok(())
    }

    fn require_history(&self, op: &Keyword) -> Result<()> {
        if self.keep_history {
            Ok(())
        } else {
            Err(Error::other(format!(
                "Purge {op} is only available in temporal databases."
            )))
        }
    }

    /// The attribute in position `a` of `item`: a keyword (or a string).
    pub(super) fn attr_of(&self, item: &Value, a: &Value) -> Result<Keyword> {
        let k = Keyword::from_value(a).ok_or_else(|| {
            Error::syntax(format!(
                "Bad entity attribute {a} at {item}, expected keyword or string"
            ))
        })?;
        if self.write_mode && !k.is_reverse() && !self.st.schema.is_known(&k) {
            return Err(Error::schema(format!(
                "Bad entity attribute {k} at {item}, not defined in current schema"
            )));
        }
        Ok(k)
    }

    /// The forward attribute of reverse attribute `a` (`:_friend` →
    /// `:friend`), which must be a ref.
    pub(super) fn reverse_target(&self, a: &Keyword) -> Result<Keyword> {
        let fwd = a.reverse();
        if self.st.schema.is_ref(&fwd) {
            Ok(fwd)
        } else {
            Err(Error::syntax(format!(
                "Bad attribute {a}: reverse attribute name requires {{:db/valueType :db.type/ref}} in schema"
            )))
        }
    }

    /// `[:db/add e a v]` (and `[:db/add e a v tx]`).
    pub(super) fn op_add(
        &mut self,
        item: &Value,
        e: &Value,
        a: &Value,
        v: &Value,
        tx: Option<i64>,
    ) -> TxResult<()> {
        let mut a = self.attr_of(item, a)?;
        let (mut e, mut v) = (e.clone(), v.clone());
        if a.is_reverse() {
            // [:db/add e :_a x] is [:db/add x :a e].
            let fwd = self.reverse_target(&a)?;
            std::mem::swap(&mut e, &mut v);
            a = fwd;
        }
        let attr = self.st.schema.attr(&a);
        if attr.as_ref().is_some_and(|x| x.is_composite()) && !self.internal {
            return Err(Error::syntax(format!("Can't modify tuple attrs directly: {item}")).into());
        }
        if v.is_nil() {
            return Err(Error::syntax(format!("Cannot store nil as a value at {item}")).into());
        }
        let is_ref = attr.as_ref().is_some_and(|x| x.is_ref());
        // Entity position.
        let eid = if is_tx_alias(&e) {
            self.tx_alias(&e)
        } else if is_tempid(&e) {
            let upsert = if attr
                .as_ref()
                .is_some_and(|x| x.unique == Some(Unique::Identity))
            {
                let probe = if is_ref {
                    self.peek_ref(&v)?
                } else {
                    Some(v.clone())
                };
                match probe {
                    Some(pv) => self
                        .st
                        .first_current(IndexOrder::Avet, &Components::av(a.clone(), pv))?
                        .map(|d| d.e),
                    None => None,
                }
            } else {
                None
            };
            match upsert {
                Some(found) => {
                    self.bind_upsert(&e, found)?;
                    found
                }
                None => self.tempid(&e),
            }
        } else {
            match &e {
                Value::Long(x) if *x > 0 => *x,
                Value::Long(_) | Value::Nil => {
                    return Err(Error::syntax(format!(
                        "Expected number or lookup ref for entity id, got {e}"
                    ))
                    .into());
                }
                _ => self.entid_strict(&e)?,
            }
        };
        // Value position.
        let value = if is_ref {
            Value::Long(self.ref_value(&v)?)
        } else {
            v
        };
        if let Some(attr) = &attr {
            self.check_value(item, attr, &value)?;
        }
        let tx = tx.unwrap_or(self.tx);
        self.add(eid, &a, value, tx)?;
        Ok(())
    }

    /// Resolves a ref value without allocating: known tempids, numbers,
    /// idents and lookup refs. `None` for unknown tempids or misses.
    pub(super) fn peek_ref(&self, v: &Value) -> Result<Option<Value>> {
        if is_tx_alias(v) {
            return Ok(Some(Value::Long(self.tx)));
        }
        if is_tempid(v) {
            return Ok(self.tempids.get(v).map(|e| Value::Long(*e)));
        }
        match v {
            Value::Long(e) => Ok(Some(Value::Long(*e))),
            Value::Map(_) => Ok(None),
            _ => Ok(self.entid(v)?.map(Value::Long)),
        }
    }

    fn op_retract_value(&mut self, item: &Value, e: &Value, a: &Keyword, v: &Value) -> Result<()> {
        let Some(e) = self.entid(e)? else {
            return Ok(());
        };
        let attr = self.st.schema.attr(a);
        if attr.as_ref().is_some_and(|x| x.is_composite()) && !self.internal {
            return Err(Error::syntax(format!(
                "Can't modify tuple attrs directly: {item}"
            )));
        }
        let v = if attr.as_ref().is_some_and(|x| x.is_ref()) && !matches!(v, Value::Long(_)) {
            match self.entid(v)? {
                Some(x) => Value::Long(x),
                None => return Ok(()),
            }
        } else {
            v.clone()
        };
        if let Some(attr) = &attr {
            self.check_value(item, attr, &v)?;
        }
        if let Some(d) = self.exists(e, a, &v)? {
            self.remove(d)?;
        }
        Ok(())
    }

    fn op_retract_attr(&mut self, e: &Value, a: &Keyword, cascade: bool) -> Result<()> {
        let Some(e) = self.entid(e)? else {
            return Ok(());
        };
        let component = self.st.schema.attr(a).is_some_and(|x| x.component);
        for d in self.current(e, a)? {
            let target = d.v.clone();
            self.remove(d)?;
            if cascade && component {
                if let Value::Long(c) = target {
                    self.retract_entity(c, &mut HashSet::new())?;
                }
            }
        }
        Ok(())
    }

    /// Retracts every datom of `e` and every ref pointing at it, then its
    /// components, recursively.
    pub(super) fn retract_entity(&mut self, e: Eid, seen: &mut HashSet<Eid>) -> Result<()> {
        if !seen.insert(e) {
            return Ok(());
        }
        let own = self.st.scan_current(IndexOrder::Eavt, &Components::e(e))?;
        let mut incoming = Vec::new();
        for r in self.st.schema.ref_attrs() {
            incoming.extend(
                self.st
                    .scan_current(IndexOrder::Avet, &Components::av(r, Value::Long(e)))?,
            );
        }
        let components: Vec<Eid> = own
            .iter()
            .filter(|d| self.st.schema.attr(&d.a).is_some_and(|x| x.component))
            .filter_map(|d| d.v.as_long())
            .collect();
        for d in own.into_iter().chain(incoming) {
            if self.exists(d.e, &d.a, &d.v)?.is_some() {
                self.remove(d)?;
            }
        }
        for c in components {
            self.retract_entity(c, seen)?;
        }
        Ok(())
    }

    fn op_cas(
        &mut self,
        item: &Value,
        e: &Value,
        a: &Value,
        old: &Value,
        new: &Value,
    ) -> Result<()> {
        let a = self.attr_of(item, a)?;
        let e = if is_tx_alias(e) {
            self.tx
        } else {
            self.entid_strict(e)?
        };
        let attr = self.st.schema.attr(&a);
        let is_ref = attr.as_ref().is_some_and(|x| x.is_ref());
        let resolve = |tx: &Tx, v: &Value| -> Result<Value> {
            if is_ref && !v.is_nil() && !matches!(v, Value::Long(_)) {
                Ok(Value::Long(tx.entid_strict(v)?))
            } else {
                Ok(v.clone())
            }
        };
        let old = resolve(self, old)?;
        let new_v = resolve(self, new)?;
        let current = self.current(e, &a)?;
        let ok = if old.is_nil() {
            current.is_empty()
        } else {
            current.iter().any(|d| d.v == old)
        };
        if !ok {
            let shown = match current.as_slice() {
                [] => format!("[{e} {a} nil]"),
                [d] => format!("[{e} {a} {}]", d.v),
                ds => format!("[{e} {a} {}]", Value::set(ds.iter().map(|d| d.v.clone()))),
            };
            return Err(Error::conflict(format!(
                ":db.fn/cas failed on datom {shown}, expected {old}"
            ))
            .with_data(Value::map([(
                Value::kw("error"),
                Value::kw("transact/cas"),
            )])));
        }
        if new_v.is_nil() {
            return Err(Error::syntax(format!(
                "Cannot store nil as a value at {item}"
            )));
        }
        if let Some(attr) = &attr {
            self.check_value(item, attr, &new_v)?;
        }
        self.add(e, &a, new_v, self.tx)
    }

    // ----- purge --------------------------------------------------------

    fn purge_target(&self, e: &Value) -> Result<Eid> {
        // Resolve against current data first, then history.
        if let Some(x) = self.entid(e)? {
            if matches!(e, Value::Long(_)) || self.has_any(x)? {
                return Ok(x);
            }
        }
        if let Value::Vector(items) | Value::List(items) = e {
            if items.len() == 2 {
                if let Some(a) = items[0].as_keyword() {
                    let c = Components::av(a.clone(), items[1].clone());
                    if let Some(d) =
                        collect_prefix(&self.st.indexes.tavet, &self.st.ns, &c, IndexOrder::TAvet)?
                            .first()
                    {
                        return Ok(d.e);
                    }
                }
            }
        }
        Err(Error::lookup(format!(
            "Can't find entity with ID {e} to be purged"
        )))
    }

    fn has_any(&self, e: Eid) -> Result<bool> {
        Ok(self
            .st
            .first_current(IndexOrder::Eavt, &Components::e(e))?
            .is_some())
    }

    /// Current and historical datoms matching an EAVT prefix.
    fn purge_values(&self, c: &Components) -> Result<Vec<Datom>> {
        let mut out = self.st.scan_current(IndexOrder::Eavt, c)?;
        out.extend(collect_prefix(
            &self.st.indexes.teavt,
            &self.st.ns,
            c,
            IndexOrder::TEavt,
        )?);
        Ok(out)
    }

    /// Removes every datom (current and historical) matching an EAVT prefix.
    fn purge(&mut self, c: &Components) -> Result<()> {
        let ns = self.st.ns.clone();
        // Writes of this transaction to the purged datoms must not reach
        // history when the transaction is finished.
        self.tx_data
            .retain(|d| c.cmp(IndexOrder::Eavt, d) != std::cmp::Ordering::Equal);
        for d in self.st.scan_current(IndexOrder::Eavt, c)? {
            if crate::schema::is_schema_attr(&d.a) {
                self.st.schema.apply(d.e, &d.a, &d.v, false)?;
            }
            let idx = &mut self.st.indexes;
            idx.eavt.remove(&ns, &d)?;
            idx.aevt.remove(&ns, &d)?;
            idx.avet.remove(&ns, &d)?;
        }
        for d in collect_prefix(&self.st.indexes.teavt, &ns, c, IndexOrder::TEavt)? {
            let idx = &mut self.st.indexes;
            idx.teavt.remove(&ns, &d)?;
            idx.taevt.remove(&ns, &d)?;
            idx.tavet.remove(&ns, &d)?;
        }
        self.purged = true;
        Ok(())
    }

    fn purge_entity(&mut self, e: Eid, seen: &mut HashSet<Eid>) -> Result<()> {
        if !seen.insert(e) {
            return Ok(());
        }
        let own = self.purge_values(&Components::e(e))?;
        let components: Vec<Eid> = own
            .iter()
            .filter(|d| self.st.schema.attr(&d.a).is_some_and(|x| x.component))
            .filter_map(|d| d.v.as_long())
            .collect();
        self.purge(&Components::e(e))?;
        // Ref datoms pointing at e, current and historical.
        for r in self.st.schema.ref_attrs() {
            let c = Components::av(r, Value::Long(e));
            let mut hits = self.st.scan_current(IndexOrder::Avet, &c)?;
            hits.extend(collect_prefix(
                &self.st.indexes.tavet,
                &self.st.ns,
                &c,
                IndexOrder::TAvet,
            )?);
            for d in hits {
                self.purge(&Components::eav(d.e, d.a.clone(), d.v.clone()))?;
            }
        }
        for c in components {
            self.purge_entity(c, seen)?;
        }
        Ok(())
    }

    /// Removes historical datoms (not current) of transactions whose
    /// `:db/txInstant` is before `ms`.
    fn purge_before(&mut self, ms: i64) -> Result<()> {
        let ns = self.st.ns.clone();
        let mut old_txs = HashSet::new();
        for d in self.st.scan_current(
            IndexOrder::Aevt,
            &Components::a(Keyword::new("db/txInstant")),
        )? {
            if let Value::Inst(t) = d.v {
                if t < ms {
                    old_txs.insert(d.e);
                }
            }
        }
        if old_txs.is_empty() {
            return Ok(());
        }
        let mut doomed = Vec::new();
        for d in self.st.indexes.teavt.iter(&ns)? {
            let d = d?;
            if !old_txs.contains(&d.tx) {
                continue;
            }
            let current = self
                .st
                .first_current(
                    IndexOrder::Eavt,
                    &Components::eav(d.e, d.a.clone(), d.v.clone()),
                )?
                .is_some_and(|c| c.tx == d.tx && d.added);
            if !current {
                doomed.push(d);
            }
        }
        let idx = &mut self.st.indexes;
        for d in doomed {
            idx.teavt.remove(&ns, &d)?;
            idx.taevt.remove(&ns, &d)?;
            idx.tavet.remove(&ns, &d)?;
        }
        self.purged = true;
        Ok(())
    }
}
