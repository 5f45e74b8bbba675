//! Entity maps: `{:db/id x, attr value, ...}` with upsert, nested maps,
//! reverse references and multi-valued attributes.

use std::collections::BTreeMap;

use super::{Tx, TxResult, is_tempid, is_tx_alias};
use crate::datom::{Eid, IndexOrder};
use crate::db::Components;
use crate::error::Error;
use crate::schema::{SCHEMA_ATTRS, Unique};
use crate::value::{Keyword, Value};

impl Tx {
    /// Processes one entity map; returns its entity id.
    pub(super) fn entity_map(&mut self, m: &BTreeMap<Value, Value>) -> TxResult<Eid> {
        let item = Value::Map(std::sync::Arc::new(m.clone()));
        // Keys must be attributes.
        let mut entries: Vec<(Keyword, &Value)> = Vec::with_capacity(m.len());
        for (k, v) in m {
            let a = self.attr_of(&item, k)?;
            if a.full() == "db/id" || a.full() == "db/ensure" {
                continue;
            }
            if a.is_reverse() {
                self.reverse_target(&a)?;
            }
            entries.push((a, v));
        }

        // 1. The map's own id.
        let id = m.get(&Value::kw("db/id")).cloned().unwrap_or(Value::Nil);
        let mut explicit: Option<Eid> = None;
        let mut tempid: Option<Value> = None;
        match &id {
            Value::Nil => {}
            v if is_tx_alias(v) => explicit = Some(self.tx_alias(v)),
            v if is_tempid(v) => tempid = Some(v.clone()),
            Value::Long(e) if *e > 0 => explicit = Some(*e),
            Value::Keyword(_) | Value::Vector(_) | Value::List(_) => {
                explicit = Some(self.entid_strict(&id)?)
            }
            other => {
                return Err(Error::syntax(format!(
                    "Expected number, string, keyword or lookup ref for :db/id, got {other}"
                ))
                .into());
            }
        }

        // 2. Upsert candidates through unique-identity attributes.
        let mut candidate: Option<(Eid, Value)> = None;
        for (a, v) in &entries {
            if a.is_reverse() {
                continue;
            }
            let Some(attr) = self.st.schema.attr(a) else {
                continue;
            };
            if attr.unique != Some(Unique::Identity)
                || attr.is_composite()
                || matches!(v, Value::Map(_))
            {
                continue;
            }
            let probe = if attr.is_ref() {
                self.peek_ref(v)?
            } else {
                Some((*v).clone())
            };
            let Some(pv) = probe else { continue };
            if let Some(d) = self
                .st
                .first_current(IndexOrder::Avet, &Components::av(a.clone(), pv.clone()))?
            {
                let shown = Value::vector(vec![Value::Keyword(a.clone()), pv]);
                self.merge_candidate(&mut candidate, d.e, shown)?;
            }
        }
        // Composite identity tuples whose sources are all in the map.
        let composites: Vec<_> = self
            .st
            .schema
            .attrs()
            .values()
            .filter(|x| x.unique == Some(Unique::Identity) && x.is_composite())
            .cloned()
            .collect();
        for t in composites {
            let srcs = t.tuple_attrs.clone().unwrap_or_default();
            let vals: Option<Vec<Value>> = srcs
                .iter()
                .map(|s| {
                    entries
                        .iter()
                        .find(|(a, _)| a == s)
                        .map(|(_, v)| (*v).clone())
                })
                .collect();
            let Some(mut vals) = vals else { continue };
            // Ref sources count by entity id: lookup refs and idents are
            // resolved (they must exist); a tuple with a tempid source is
            // skipped (Datahike's upsert-eid).
            let mut has_tempid = false;
            for (s, v) in srcs.iter().zip(vals.iter_mut()) {
                if !self.st.schema.is_ref(s) {
                    continue;
                }
                if is_tempid(v) || is_tx_alias(v) {
                    has_tempid = true;
                } else if !matches!(v, Value::Long(_)) {
                    *v = Value::Long(self.entid_strict(v)?);
                }
            }
            if has_tempid {
                continue;
            }
            let tuple = Value::vector(vals);
            if let Some(d) = self.st.first_current(
                IndexOrder::Avet,
                &Components::av(t.ident.clone(), tuple.clone()),
            )? {
                let shown = Value::vector(vec![Value::Keyword(t.ident.clone()), tuple]);
                self.merge_candidate(&mut candidate, d.e, shown)?;
            }
        }

        // 3-4. The final id.
        let eid = match candidate {
            Some((found, shown)) => {
                if let Some(x) = explicit {
                    if x != found {
                        return Err(Error::unique(format!(
                            "Conflicting upsert: {shown} resolves to {found}, but entity already has :db/id {x}"
                        ))
                        .into());
                    }
                }
                if let Some(t) = &tempid {
                    self.bind_upsert(t, found)?;
                }
                found
            }
            None => match (&tempid, explicit) {
                (Some(t), _) => self.tempid(t),
                (None, Some(x)) => x,
                (None, None) => self.alloc(),
            },
        };
        self.note_explicit(eid);

        // 5. Schema changes in map form.
        if entries
            .iter()
            .any(|(a, _)| SCHEMA_ATTRS.contains(&a.full()))
        {
            self.check_schema_update(eid, m)?;
        }

        // 6. Explode into ops.
        for (a, v) in entries {
            if a.is_reverse() {
                let fwd = a.reverse();
                for x in self.values_of(&fwd, v, true) {
                    if let Value::Map(nested) = &x {
                        let mut n = (**nested).clone();
                        n.insert(Value::Keyword(fwd.clone()), Value::Long(eid));
                        self.entity_map(&n)?;
                    } else {
                        let op = Value::vector(vec![
                            Value::kw("db/add"),
                            x,
                            Value::Keyword(fwd.clone()),
                            Value::Long(eid),
                        ]);
                        self.op(&op)?;
                    }
                }
                continue;
            }
            let is_ref = self.st.schema.is_ref(&a);
            for x in self.values_of(&a, v, false) {
                if let (true, Value::Map(nested)) = (is_ref, &x) {
                    let mut n = (**nested).clone();
                    n.insert(Value::Keyword(a.reverse()), Value::Long(eid));
                    self.entity_map(&n)?;
                } else {
                    let op = Value::vector(vec![
                        Value::kw("db/add"),
                        Value::Long(eid),
                        Value::Keyword(a.clone()),
                        x,
                    ]);
                    self.op(&op)?;
                }
            }
        }

        // 7. Entity spec: every attribute of the spec's :db.entity/attrs
        // must have been written for this entity by this transaction.
        if let Some(spec) = m.get(&Value::kw("db/ensure")) {
            self.ensure_attrs(eid, spec)?;
        }
        Ok(eid)
    }

    /// Datahike's `:db.ensure/attrs` check for entity `e` and spec `spec`
    /// (an ident). A spec that names nothing requires nothing.
    fn ensure_attrs(&self, e: Eid, spec: &Value) -> TxResult<()> {
        let Some(spec_e) = self.entid(spec)? else {
            return Ok(());
        };
        let required = self.st.scan_current(
            IndexOrder::Eavt,
            &Components::ea(spec_e, Keyword::new("db.entity/attrs")),
        )?;
        let mut missing: Vec<Value> = Vec::new();
        for d in required {
            let Some(a) = Keyword::from_value(&d.v) else {
                continue;
            };
            if !self.touched.contains(&(e, a)) {
                missing.push(d.v.clone());
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::conflict(format!(
                "Entity {e} missing attributes {} of spec {spec}",
                Value::set(missing)
            ))
            .with_data(Value::map([(
                Value::kw("error"),
                Value::kw("transact/ensure"),
            )]))
            .into())
        }
    }

    fn merge_candidate(
        &self,
        cand: &mut Option<(Eid, Value)>,
        e: Eid,
        shown: Value,
    ) -> TxResult<()> {
        match cand {
            Some((x, prev)) if *x != e => Err(Error::unique(format!(
                "Conflicting upserts: {prev} resolves to {x}, but {shown} resolves to {e}"
            ))
            .into()),
            Some(_) => Ok(()),
            None => {
                *cand = Some((e, shown));
                Ok(())
            }
        }
    }

    /// The values a map entry stands for: a collection on a card-many (or
    /// reverse) attribute is several values, except a lookup ref.
    fn values_of(&self, a: &Keyword, v: &Value, reverse: bool) -> Vec<Value> {
        let many = reverse || self.st.schema.is_many(a);
        if !many {
            return vec![v.clone()];
        }
        match v {
            Value::Vector(xs) | Value::List(xs) => {
                let is_lookup_ref = self.st.schema.is_ref(a)
                    && xs.len() == 2
                    && xs[0]
                        .as_keyword()
                        .and_then(|k| self.st.schema.attr(k))
                        .is_some_and(|x| x.unique.is_some());
                if is_lookup_ref {
                    vec![v.clone()]
                } else {
                    xs.to_vec()
                }
            }
            Value::Set(xs) => xs.iter().cloned().collect(),
            other => vec![other.clone()],
        }
    }
}
