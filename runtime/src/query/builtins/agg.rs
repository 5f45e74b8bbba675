//! Datahike's built-in aggregates (`built-in-aggregates` in `query.cljc`).

use std::collections::BTreeSet;

use super::core::{clj_compare, n_arg, seq_items, sort_values};
use super::num;
use super::print::pr_str1;
use super::{arity, other_err, rand_below, type_err};
use crate::error::Result;
use crate::value::{Value, to_f64};

/// `(reduce + 0 vals)`.
fn sum(values: &[Value]) -> Result<Value> {
    let mut acc = Value::Long(0);
    for v in values {
        acc = num::add("sum", &acc, v)?;
    }
    Ok(acc)
}

/// `(/ (sum vals) (count vals))`.
fn avg(values: &[Value]) -> Result<Value> {
    num::div("avg", &sum(values)?, &Value::Long(values.len() as i64))
}

fn median(values: &[Value]) -> Result<Value> {
    let mut terms = values.to_vec();
    sort_values(&mut terms)?;
    let med = terms.len() >> 1;
    let m = terms
        .get(med)
        .cloned()
        .ok_or_else(|| other_err("median: no values"))?;
    if terms.len() % 2 == 0 {
        let s = num::add("median", &m, &terms[med - 1])?;
        num::div("median", &s, &Value::Long(2))
    } else {
        Ok(m)
    }
}

fn variance(values: &[Value]) -> Result<Value> {
    let mean = avg(values)?;
    let mut sq = Vec::with_capacity(values.len());
    for x in values {
        let d = num::sub("variance", x, &mean)?;
        sq.push(num::mul("variance", &d, &d)?);
    }
    num::div("variance", &sum(&sq)?, &Value::Long(values.len() as i64))
}

/// Datahike's `-min`/`-max` over a collection: the first extreme by
/// `compare`; `nil` for no values.
pub(crate) fn extreme(values: &[Value], max: bool) -> Result<Value> {
    let Some(mut acc) = values.first() else {
        return Ok(Value::Nil);
    };
    for x in &values[1..] {
        let c = clj_compare(x, acc)?;
        if (max && c > 0) || (!max && c < 0) {
            acc = x;
        }
    }
    Ok(acc.clone())
}

/// Inserts `x` into the sorted `acc` as `(sort compare (conj seq x))` does:
/// before its equals (conj on a seq prepends; the sort is stable).
fn insert_sorted(acc: &mut Vec<Value>, x: &Value) -> Result<()> {
    let mut pos = 0;
    for (i, e) in acc.iter().enumerate() {
        if clj_compare(e, x)? < 0 {
            pos = i + 1;
        } else {
            break;
        }
    }
    acc.insert(pos, x.clone());
    Ok(())
}

/// Datahike's `(-min n coll)` / `(-max n coll)`: the n smallest / largest,
/// as an ascending vector.
pub(crate) fn extreme_n(n: &Value, values: &[Value], max: bool) -> Result<Value> {
    let f = if max { "max" } else { "min" };
    if !n.is_number() {
        return Err(type_err(format!(
            "{f}: the count {} is not a number",
            pr_str1(n)
        )));
    }
    let mut acc: Vec<Value> = Vec::new();
    for x in values {
        let below_n =
            num::num_cmp(f, &Value::Long(acc.len() as i64), n)? == Some(std::cmp::Ordering::Less);
        if below_n {
            insert_sorted(&mut acc, x)?;
        } else if max {
            let first = acc.first().cloned().unwrap_or(Value::Nil);
            if clj_compare(x, &first)? > 0 {
                if !acc.is_empty() {
                    acc.remove(0);
                }
                insert_sorted(&mut acc, x)?;
            }
        } else {
            let last = acc.last().cloned().unwrap_or(Value::Nil);
            if clj_compare(x, &last)? < 0 {
                acc.pop();
                insert_sorted(&mut acc, x)?;
            }
        }
    }
    Ok(Value::vector(acc))
}

fn rand_nth(values: &[Value]) -> Result<Value> {
    if values.is_empty() {
        return Err(other_err("rand: no values to pick from"));
    }
    Ok(values[rand_below(values.len())].clone())
}

/// Runs aggregate `name`; see [`super::aggregate`].
pub(crate) fn aggregate(name: &str, extra: &[Value], values: &[Value]) -> Result<Value> {
    let name = name.strip_prefix("clojure.core/").unwrap_or(name);
    let arity_err = || {
        other_err(format!(
            "Wrong number of args ({}) passed to aggregate: {name}",
            extra.len() + 1
        ))
    };
    match (name, extra) {
        ("count", []) => Ok(Value::Long(values.len() as i64)),
        ("count-distinct", []) => Ok(Value::Long(
            values.iter().collect::<BTreeSet<_>>().len() as i64
        )),
        ("sum", []) => sum(values),
        ("avg", []) => avg(values),
        ("median", []) => median(values),
        ("variance", []) => variance(values),
        ("stddev", []) => {
            let v = variance(values)?;
            Ok(Value::Double(to_f64(&v).sqrt()))
        }
        ("distinct", []) => Ok(Value::set(values.iter().cloned())),
        ("min", []) => extreme(values, false),
        ("max", []) => extreme(values, true),
        ("min", [n]) => extreme_n(n, values, false),
        ("max", [n]) => extreme_n(n, values, true),
        ("rand", []) => rand_nth(values),
        ("rand", [n]) => {
            let n = n_arg("rand", n)?;
            let mut out = Vec::new();
            for _ in 0..n.min(10_000_000) {
                out.push(rand_nth(values)?);
            }
            Ok(Value::vector(out))
        }
        ("sample", [n]) => {
            let n = n_arg("sample", n)?;
            let mut pool = values.to_vec();
            // Fisher-Yates shuffle, then take n.
            for i in (1..pool.len()).rev() {
                pool.swap(i, rand_below(i + 1));
            }
            pool.truncate(n);
            Ok(Value::vector(pool))
        }
        (
            "count" | "count-distinct" | "sum" | "avg" | "median" | "variance" | "stddev"
            | "distinct" | "min" | "max" | "rand" | "sample",
            _,
        ) => Err(arity_err()),
        _ => Err(other_err(format!("Unknown aggregate function '{name}'"))),
    }
}

/// `(min coll)`, `(min n coll)` as Datahike binds `min` in function clauses.
pub(crate) fn dh_min(args: &[Value]) -> Result<Value> {
    dh_extreme("min", args, false)
}

/// `(max coll)`, `(max n coll)` as Datahike binds `max` in function clauses.
pub(crate) fn dh_max(args: &[Value]) -> Result<Value> {
    dh_extreme("max", args, true)
}

fn dh_extreme(f: &str, args: &[Value], max: bool) -> Result<Value> {
    arity(f, args, 1, 2)?;
    match args {
        [coll] => extreme(&seq_items(f, coll)?, max),
        [n, coll] => extreme_n(n, &seq_items(f, coll)?, max),
        _ => Err(other_err(format!("Wrong number of args passed to: {f}"))),
    }
}
