//! Planning: the order clauses run in and the index each pattern uses.
//!
//! Semantics are kept: predicates must have their variables bound where they
//! are written (else "Insufficient bindings"), function clauses are deferred
//! until their inputs are bound, and `not`/`or`/rule calls/functions are
//! barriers that nothing moves across. Inside a run of data patterns (joins
//! commute) the planner picks the pattern with the smallest estimated row
//! count first (a pattern whose entity, or value of a unique attribute, is
//! bound counts 1/16 of its unbound estimate; ties prefer connected
//! patterns), and hoists each predicate of
//! the run to right after the pattern that binds its last input.

use std::collections::BTreeSet;

use crate::datom::IndexOrder;
use crate::error::{Error, Result};
use crate::value::Value;

use super::parse::{Clause, Term, Var};

/// One step of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Index of the clause in the clause list.
    pub clause: usize,
    /// Index chosen for a data pattern against a database.
    pub index: Option<IndexOrder>,
    /// Estimated rows (patterns only; constants only, bound vars unknown).
    pub estimate: Option<u64>,
}

/// What the planner needs to know about a pattern's source.
pub trait Estimator {
    /// Estimated number of matches of pattern `terms` on source `src`
    /// (`None` when the source is unknown), using constants only.
    fn estimate(&self, src: Option<&crate::value::Symbol>, terms: &[Term]) -> Option<u64>;
    /// Is `a` kept in AVET on source `src`?
    fn in_avet(&self, src: Option<&crate::value::Symbol>, a: &Value) -> bool;
    /// Is `a` a unique attribute on source `src` (one entity per value)?
    fn is_unique(&self, src: Option<&crate::value::Symbol>, a: &Value) -> bool;
    /// Is `src` a database (not a collection)?
    fn is_db(&self, src: Option<&crate::value::Symbol>) -> bool;
}

fn fixed(t: &Term, bound: &BTreeSet<Var>) -> bool {
    match t {
        Term::Const(_) => true,
        Term::Var(v) => bound.contains(v),
        _ => false,
    }
}

/// The index Datahike's strategy picks for a pattern given what is bound.
pub fn choose_index(terms: &[Term], bound: &BTreeSet<Var>, avet: bool) -> IndexOrder {
    let f = |i: usize| terms.get(i).is_some_and(|t| fixed(t, bound));
    if f(0) {
        IndexOrder::Eavt
    } else if f(1) && f(2) && avet {
        IndexOrder::Avet
    } else if f(1) {
        IndexOrder::Aevt
    } else {
        IndexOrder::Eavt
    }
}

/// Variables a clause binds when it runs.
pub fn binds(c: &Clause) -> BTreeSet<Var> {
    match c {
        Clause::Not { .. } | Clause::Pred { .. } => BTreeSet::new(),
        other => other.vars(),
    }
}

fn input_vars(c: &Clause) -> BTreeSet<Var> {
    match c {
        Clause::Fn { args, func, .. } => {
            let mut s: BTreeSet<Var> = args.iter().filter_map(Term::as_var).cloned().collect();
            if super::parse::is_var(func) {
                s.insert(func.clone());
            }
            s
        }
        Clause::Pred { func, .. } => {
            // A predicate called through a variable (`[(?pred ?a)]`) also
            // needs that variable bound.
            let mut s = c.vars();
            if super::parse::is_var(func) {
                s.insert(func.clone());
            }
            s
        }
        _ => BTreeSet::new(),
    }
}

/// Plans `clauses` given the initially bound variables.
pub fn plan(clauses: &[Clause], bound0: &BTreeSet<Var>, est: &dyn Estimator) -> Result<Vec<Step>> {
    // 1. Written order with deferral of function clauses.
    let mut seq: Vec<usize> = Vec::new();
    let mut bound = bound0.clone();
    let mut deferred: Vec<usize> = Vec::new();
    for (i, c) in clauses.iter().enumerate() {
        match c {
            Clause::Fn { .. } if !input_vars(c).is_subset(&bound) => deferred.push(i),
            Clause::Pred { form, .. } => {
                let missing: Vec<String> = input_vars(c)
                    .difference(&bound)
                    .map(|v| v.full().to_string())
                    .collect();
                if !missing.is_empty() {
                    return Err(Error::syntax(format!(
                        "Insufficient bindings: #{{{}}} not bound in {form}",
                        missing.join(" ")
                    )));
                }
                seq.push(i);
            }
            _ => {
                seq.push(i);
                bound.extend(binds(c));
            }
        }
        // retry deferred
        while let Some(pos) = deferred
            .iter()
            .position(|&d| input_vars(&clauses[d]).is_subset(&bound))
        {
            let d = deferred.remove(pos);
            seq.push(d);
            bound.extend(binds(&clauses[d]));
        }
    }
    if let Some(&d) = deferred.first() {
        return Err(Error::syntax(format!(
            "Cannot resolve any more clauses: insufficient bindings for {}",
            clauses[d].form()
        )));
    }

    // 2. Reorder runs of patterns (+ predicates).
    let mut out = Vec::with_capacity(seq.len());
    let mut bound = bound0.clone();
    let mut i = 0;
    while i < seq.len() {
        let c = &clauses[seq[i]];
        if !matches!(c, Clause::Pattern { .. } | Clause::Pred { .. }) {
            out.push(Step {
                clause: seq[i],
                index: None,
                estimate: None,
            });
            bound.extend(binds(c));
            i += 1;
            continue;
        }
        let mut j = i;
        while j < seq.len()
            && matches!(
                clauses[seq[j]],
                Clause::Pattern { .. } | Clause::Pred { .. }
            )
        {
            j += 1;
        }
        let run = &seq[i..j];
        let mut patterns: Vec<usize> = run
            .iter()
            .copied()
            .filter(|&k| matches!(clauses[k], Clause::Pattern { .. }))
            .collect();
        let mut preds: Vec<usize> = run
            .iter()
            .copied()
            .filter(|&k| matches!(clauses[k], Clause::Pred { .. }))
            .collect();
        let place_preds = |bound: &BTreeSet<Var>, preds: &mut Vec<usize>, out: &mut Vec<Step>| {
            preds.retain(|&p| {
                if input_vars(&clauses[p]).is_subset(bound) {
                    out.push(Step {
                        clause: p,
                        index: None,
                        estimate: None,
                    });
                    false
                } else {
                    true
                }
            });
        };
        place_preds(&bound, &mut preds, &mut out);
        while !patterns.is_empty() {
            let mut best: Option<(usize, (u64, u8))> = None;
            for (pi, &k) in patterns.iter().enumerate() {
                let Clause::Pattern { src, terms, .. } = &clauses[k] else {
                    continue;
                };
                let vars: BTreeSet<Var> = terms.iter().filter_map(Term::as_var).cloned().collect();
                // A pattern sharing no variable with what is bound becomes a
                // relation of its own (the engine never builds the cross
                // product), so it competes on its estimate alone; one that
                // shares a variable is probed with the bound values and is
                // expected to yield far fewer rows than its unbound estimate.
                let connected = vars.is_empty() || bound.is_empty() || !vars.is_disjoint(&bound);
                let mut e = est.estimate(src.as_ref(), terms).unwrap_or(u64::MAX / 4);
                let bound_at = |i: usize| {
                    terms
                        .get(i)
                        .and_then(Term::as_var)
                        .is_some_and(|v| bound.contains(v))
                };
                let unique = terms.get(1).is_some_and(|t| match t {
                    Term::Const(a) => est.is_unique(src.as_ref(), a),
                    _ => false,
                });
                // A bound entity, or a bound value of a unique attribute,
                // narrows the match to a few datoms per binding; a bound
                // value of another attribute may fan out to many entities
                // per value (a many-to-many join), so it earns no discount.
                if bound_at(0) || (bound_at(2) && unique) {
                    e /= 16;
                }
                let score = (e, u8::from(!connected));
                if best.as_ref().is_none_or(|(_, s)| score < *s) {
                    best = Some((pi, score));
                }
            }
            let (pi, _) = best.unwrap_or((0, (0, 0)));
            let k = patterns.remove(pi);
            if let Clause::Pattern { src, terms, .. } = &clauses[k] {
                let is_db = est.is_db(src.as_ref());
                let avet = terms
                    .get(1)
                    .and_then(|t| match t {
                        Term::Const(a) => Some(est.in_avet(src.as_ref(), a)),
                        _ => None,
                    })
                    .unwrap_or(false);
                out.push(Step {
                    clause: k,
                    index: is_db.then(|| choose_index(terms, &bound, avet)),
                    estimate: est.estimate(src.as_ref(), terms),
                });
                bound.extend(binds(&clauses[k]));
            }
            place_preds(&bound, &mut preds, &mut out);
        }
        for p in preds {
            out.push(Step {
                clause: p,
                index: None,
                estimate: None,
            });
        }
        i = j;
    }
    Ok(out)
}
