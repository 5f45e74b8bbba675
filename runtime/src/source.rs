//! The read interface the query engine, pull and the entity API work on.
//!
//! [`crate::db::Db`] implements it (through every time view); tests may use
//! [`MemSource`], a plain in-memory implementation over a vector of datoms.

use std::sync::Arc;

use crate::datom::{Datom, Eid, IndexOrder};
use crate::error::{Error, Result};
use crate::schema::{AttrMap, Attribute};
use crate::value::{Keyword, Value, cmp_index};

/// Datoms, lazily, in index order.
pub type DatomIter<'a> = Box<dyn Iterator<Item = Result<Datom>> + 'a>;

/// Read access to one database value (possibly a time view).
pub trait Source: Send + Sync {
    /// Datoms of `index` (`Eavt`, `Aevt` or `Avet`) whose leading components
    /// equal `components` (given in index order, e.g. `[a v]` for AVET), in
    /// index order. Entity positions (and values of ref attributes) may hold
    /// lookup refs or idents; one that resolves to nothing gives no datoms.
    /// In a history view, retractions are included (`added == false`).
    fn datoms(&self, index: IndexOrder, components: &[Value]) -> Result<DatomIter<'_>>;

    /// The attribute definition, if `a` is installed (or implicit, like
    /// `:db/ident` and `:db/txInstant`).
    fn attr(&self, a: &Keyword) -> Option<Arc<Attribute>>;

    /// Resolves an entity reference: a positive number is itself (whether or
    /// not it has datoms), a lookup ref `[unique-attr v]` or an ident keyword
    /// resolves through the indexes (`Ok(None)` when nothing matches).
    /// Errors: a malformed lookup ref (`syntax`), a lookup ref on an attribute
    /// that is not unique (`lookup`).
    fn entid(&self, v: &Value) -> Result<Option<Eid>>;

    /// True for a history view (datoms carry `added`, retractions included).
    fn is_history(&self) -> bool;

    /// `:schema-flexibility :write`?
    fn is_write_schema(&self) -> bool;

    /// An upper bound of how many datoms `datoms(index, components)` returns,
    /// cheap to compute (used by the query planner).
    fn estimate(&self, index: IndexOrder, components: &[Value]) -> u64;
}

/// A simple in-memory [`Source`] over a fixed set of current datoms, for tests
/// of the query engine, pull and entity code.
#[derive(Debug, Default, Clone)]
pub struct MemSource {
    /// The datoms (current, all `added`).
    pub datoms: Vec<Datom>,
    /// The schema.
    pub attrs: AttrMap,
    /// Write-mode schema?
    pub write_schema: bool,
}

impl MemSource {
    /// A source over `datoms` with attribute definitions `attrs`.
    pub fn new(datoms: Vec<Datom>, attrs: Vec<Attribute>) -> MemSource {
        MemSource {
            datoms,
            attrs: attrs
                .into_iter()
                .map(|a| (a.ident.clone(), Arc::new(a)))
                .collect(),
            write_schema: false,
        }
    }

    fn matching(&self, index: IndexOrder, c: &[Value]) -> Result<Vec<Datom>> {
        let mut out = Vec::new();
        // Resolve entity / ref value components.
        let mut comps = c.to_vec();
        let e_pos = match index {
            IndexOrder::Eavt | IndexOrder::TEavt => Some(0),
            IndexOrder::Aevt | IndexOrder::TAevt => Some(1),
            IndexOrder::Avet | IndexOrder::TAvet => Some(2),
        };
        if let Some(p) = e_pos {
            if let Some(v) = comps.get(p).cloned() {
                match self.entid(&v)? {
                    Some(e) => comps[p] = Value::Long(e),
                    None => return Ok(out),
                }
            }
        }
        'next: for d in &self.datoms {
            let fields: [Value; 3] = match index.current() {
                IndexOrder::Eavt => [Value::Long(d.e), Value::Keyword(d.a.clone()), d.v.clone()],
                IndexOrder::Aevt => [Value::Keyword(d.a.clone()), Value::Long(d.e), d.v.clone()],
                _ => [Value::Keyword(d.a.clone()), d.v.clone(), Value::Long(d.e)],
            };
            for (i, comp) in comps.iter().enumerate().take(3) {
                let mut want = comp.clone();
                let is_v = matches!(
                    (index.current(), i),
                    (IndexOrder::Eavt | IndexOrder::Aevt, 2) | (IndexOrder::Avet, 1)
                );
                if is_v && self.attr(&d.a).is_some_and(|a| a.is_ref()) {
                    match self.entid(&want)? {
                        Some(e) => want = Value::Long(e),
                        None => continue 'next,
                    }
                }
                if cmp_index(&fields[i], &want) != std::cmp::Ordering::Equal {
                    continue 'next;
                }
            }
            if index.current() == IndexOrder::Avet && !self.attr(&d.a).is_some_and(|a| a.in_avet())
            {
                continue;
            }
            out.push(d.clone());
        }
        out.sort_by(|x, y| index.cmp(x, y));
        Ok(out)
    }
}

impl Source for MemSource {
    fn datoms(&self, index: IndexOrder, components: &[Value]) -> Result<DatomIter<'_>> {
        Ok(Box::new(
            self.matching(index, components)?.into_iter().map(Ok),
        ))
    }

    fn attr(&self, a: &Keyword) -> Option<Arc<Attribute>> {
        self.attrs.get(a).cloned()
    }

    fn entid(&self, v: &Value) -> Result<Option<Eid>> {
        match v {
            Value::Long(e) if *e > 0 => Ok(Some(*e)),
            Value::Keyword(k) => Ok(self
                .datoms
                .iter()
                .find(|d| d.a.full() == "db/ident" && d.v == Value::Keyword(k.clone()))
                .map(|d| d.e)),
            Value::Vector(items) | Value::List(items) => {
                if items.len() != 2 {
                    return Err(Error::syntax(format!(
                        "Lookup ref should contain 2 elements: {v}"
                    )));
                }
                let Some(a) = items[0].as_keyword() else {
                    return Err(Error::syntax(format!(
                        "Lookup ref attribute should be a keyword: {v}"
                    )));
                };
                match self.attr(a) {
                    Some(attr) if attr.unique.is_some() => {}
                    _ => {
                        return Err(Error::lookup(format!(
                            "Lookup ref attribute should be marked as :db/unique: {v}"
                        )));
                    }
                }
                Ok(self
                    .datoms
                    .iter()
                    .find(|d| &d.a == a && d.v == items[1])
                    .map(|d| d.e))
            }
            _ => Err(Error::syntax(format!(
                "Expected number or lookup ref for entity id, got {v}"
            ))),
        }
    }

    fn is_history(&self) -> bool {
        false
    }

    fn is_write_schema(&self) -> bool {
        self.write_schema
    }

    fn estimate(&self, index: IndexOrder, components: &[Value]) -> u64 {
        self.matching(index, components)
            .map(|v| v.len() as u64)
            .unwrap_or(0)
    }
}
