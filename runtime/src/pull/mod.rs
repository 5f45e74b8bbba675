//! Datahike's pull API: `pull`, `pull-many`, and a pre-parsed form for the
//! query engine's `(pull ?e pattern)`.
//!
//! Semantics follow Datahike's `pull_api.cljc` (see the reference, §5):
//! - the result is a map keyed by attribute (or its `:as`), `nil` when the
//!   entity has none of the requested data; `pull_many` omits such entities;
//! - `:db/id` appears only if requested (or by `*`) and the entity has datoms;
//!   `*` always yields at least `{:db/id e}`;
//! - card-many attributes give vectors in index (value) order, refs without
//!   subpattern give `{:db/id n}`, forward component refs are expanded with a
//!   wildcard, reverse `:_attr` gives a vector (a single map for components);
//! - `:limit` defaults to 1000 (`nil`: unlimited), `:default` fills a missing
//!   attribute, `:as` renames the key;
//! - `{:attr n}` / `{:attr ...}` recurse with the enclosing pattern; entities
//!   already entered through recursion come back as `{:db/id n}`. As in the
//!   reference, a recursive pattern containing `*` yields `{:db/id n}` for
//!   the recursed entities;
//! - in a `:write` schema database an attribute missing from the schema is a
//!   `schema` error.

mod eval;
mod parse;
#[cfg(test)]
pub(crate) mod tests;

pub use eval::MAX_NESTING;
pub use parse::{AttrSpec, Limit, Pattern, Sub, parse_pattern};

use crate::datom::Eid;
use crate::error::{Error, Result};
use crate::source::Source;
use crate::value::Value;

/// Resolves an entity reference like Datahike's `entid-strict`: a number is
/// itself, a lookup ref or ident must resolve (`lookup` error otherwise).
pub fn resolve_eid(src: &dyn Source, eid: &Value) -> Result<Eid> {
    match src.entid(eid)? {
        Some(e) => Ok(e),
        None => Err(
            Error::lookup(format!("Nothing found for entity id {eid}")).with_data(Value::map([
                (Value::kw("error"), Value::kw("entity-id/missing")),
                (Value::kw("entity-id"), eid.clone()),
            ])),
        ),
    }
}

/// Pulls `selector` from the entity `eid` (a number, lookup ref or ident).
/// Returns `Value::Nil` when the entity has none of the requested data.
/// Errors: a malformed selector (`syntax`), an unresolvable entity reference
/// (`lookup`, "Nothing found for entity id ..."), an attribute missing from
/// a write-mode schema (`schema`).
pub fn pull(src: &dyn Source, selector: &Value, eid: &Value) -> Result<Value> {
    let pattern = parse_pattern(selector)?;
    let e = resolve_eid(src, eid)?;
    Ok(pull_pattern(src, &pattern, e)?.unwrap_or(Value::Nil))
}

/// Pulls `selector` from each of `eids`, in order. Entities with none of the
/// requested data are omitted (the result may be shorter than `eids`).
pub fn pull_many(src: &dyn Source, selector: &Value, eids: &[Value]) -> Result<Value> {
    let pattern = parse_pattern(selector)?;
    let ids = eids
        .iter()
        .map(|e| resolve_eid(src, e))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for e in ids {
        if let Some(v) = pull_pattern(src, &pattern, e)? {
            out.push(v);
        }
    }
    Ok(Value::vector(out))
}

/// Pulls a pre-parsed pattern from a resolved entity id (for the query
/// engine, which parses the pattern once). `None` when nothing was found.
pub fn pull_pattern(src: &dyn Source, pattern: &Pattern, eid: Eid) -> Result<Option<Value>> {
    eval::Puller::new(src).pull_root(pattern, eid)
}
