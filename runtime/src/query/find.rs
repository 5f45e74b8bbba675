//! Find specs: collecting result tuples, `:with`, aggregates, pull, return
//! maps, offset/limit and the result container shapes.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::value::{Keyword, Symbol, Value};

use super::deps;
use super::eval::{Ctx, Engine, Src};
use super::parse::{FindElem, FindSpec, Query, ReturnKind, Term, Var};

/// Offset and limit (from a map query or an arg map).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Rows to drop.
    pub offset: Option<i64>,
    /// Rows to keep (negative = all).
    pub limit: Option<i64>,
}

/// Builds the result of `q` from the final context.
pub fn finish(q: &Query, ctx: &Ctx, engine: &Engine, page: Page) -> Result<Value> {
    let elems = q.find.elems();
    // Columns: distinct elem vars, then with vars.
    let mut cols: Vec<Var> = Vec::new();
    for e in elems {
        if !cols.contains(e.var()) {
            cols.push(e.var().clone());
        }
    }
    for w in &q.with {
        if !cols.contains(w) {
            cols.push(w.clone());
        }
    }
    let mut rows = ctx.collect(&cols)?;
    let offset = page.offset.unwrap_or(0).max(0) as usize;
    rows = rows.into_iter().skip(offset).collect();
    if let Some(l) = page.limit {
        if l >= 0 {
            rows.truncate(l as usize);
        }
    }
    let col = |v: &Var| cols.iter().position(|c| c == v).unwrap_or(0);
    let has_agg = elems.iter().any(|e| matches!(e, FindElem::Agg { .. }));
    let has_pull = elems.iter().any(|e| matches!(e, FindElem::Pull { .. }));

    let scalar = |t: &Term| -> Result<Value> {
        match t {
            Term::Const(c) => Ok(c.clone()),
            Term::Var(v) => ctx.scalar(v).ok_or_else(|| {
                Error::syntax(format!(
                    "Insufficient bindings: {v} is not bound to a value"
                ))
            }),
            _ => Ok(Value::Nil),
        }
    };
    let pull = |src: &Symbol, pattern: &Term, eid: &Value| -> Result<Value> {
        let sel = scalar(pattern)?;
        match engine.sources.get(src) {
            Some(Src::Db(db)) => deps::pull(db.as_ref(), &sel, eid),
            _ => Err(Error::syntax(format!(
                "pull: source {src} is not a database"
            ))),
        }
    };

    let out_rows: Vec<Vec<Value>> = if has_agg {
        let key_elems: Vec<usize> = elems
            .iter()
            .enumerate()
            .filter(|(_, e)| !matches!(e, FindElem::Agg { .. }))
            .map(|(i, _)| i)
            .collect();
        let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
        let mut index: HashMap<Vec<Value>, usize> = HashMap::new();
        for (ri, r) in rows.iter().enumerate() {
            let k: Vec<Value> = key_elems
                .iter()
                .map(|&i| r[col(elems[i].var())].clone())
                .collect();
            match index.get(&k) {
                Some(&g) => groups[g].1.push(ri),
                None => {
                    index.insert(k.clone(), groups.len());
                    groups.push((k, vec![ri]));
                }
            }
        }
        let mut out = Vec::new();
        for (_, members) in groups {
            let first = &rows[members[0]];
            let mut row = Vec::with_capacity(elems.len());
            for e in elems {
                row.push(match e {
                    FindElem::Var(v) => first[col(v)].clone(),
                    FindElem::Pull { src, var, pattern } => pull(src, pattern, &first[col(var)])?,
                    FindElem::Agg { func, extra, var } => {
                        let name = match func {
                            Term::Const(Value::Symbol(s)) => s.full().to_string(),
                            t => match scalar(t)? {
                                Value::Symbol(s) => s.full().to_string(),
                                other => {
                                    return Err(Error::syntax(format!(
                                        "Aggregate function should be a symbol, got {other}"
                                    )));
                                }
                            },
                        };
                        if !deps::is_aggregate(&name) {
                            return Err(Error::syntax(format!(
                                "Unknown aggregate function '{name}"
                            )));
                        }
                        let ex = extra.iter().map(&scalar).collect::<Result<Vec<_>>>()?;
                        let vals: Vec<Value> =
                            members.iter().map(|&m| rows[m][col(var)].clone()).collect();
                        deps::aggregate(&name, &ex, &vals)?
                    }
                });
            }
            out.push(row);
        }
        out
    } else {
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut row = Vec::with_capacity(elems.len());
            for e in elems {
                row.push(match e {
                    FindElem::Var(v) => r[col(v)].clone(),
                    FindElem::Pull { src, var, pattern } => pull(src, pattern, &r[col(var)])?,
                    FindElem::Agg { .. } => Value::Nil,
                });
            }
            out.push(row);
        }
        out
    };

    let to_map = |row: &[Value]| -> Option<Value> {
        let rm = q.return_maps.as_ref()?;
        Some(Value::map(rm.names.iter().zip(row).map(|(n, v)| {
            let k = match rm.kind {
                ReturnKind::Keys => Value::Keyword(Keyword::new(n)),
                ReturnKind::Strs => Value::str(n),
                ReturnKind::Syms => Value::Symbol(Symbol::new(n)),
            };
            (k, v.clone())
        })))
    };
    let shape_row =
        |row: Vec<Value>| -> Value { to_map(&row).unwrap_or_else(|| Value::vector(row)) };
    Ok(match &q.find {
        FindSpec::Rel(_) => {
            if q.return_maps.is_some() || !q.with.is_empty() || has_agg || has_pull {
                Value::vector(out_rows.into_iter().map(shape_row).collect())
            } else {
                Value::set(out_rows.into_iter().map(Value::vector))
            }
        }
        FindSpec::Coll(_) => {
            Value::vector(out_rows.into_iter().map(|mut r| r.swap_remove(0)).collect())
        }
        FindSpec::Tuple(_) => out_rows
            .into_iter()
            .next()
            .map(shape_row)
            .unwrap_or(Value::Nil),
        FindSpec::Scalar(_) => out_rows
            .into_iter()
            .next()
            .map(|mut r| r.swap_remove(0))
            .unwrap_or(Value::Nil),
    })
}
