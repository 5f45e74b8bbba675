//! Evaluation: relations of rows of values, hash joins on shared variables,
//! patterns against sources, predicates and functions, `not`/`or`, and rules
//! (tabled bottom-up fixpoint per rule and binding pattern). Rules are
//! stratified: a rule may not depend negatively on itself through recursion
//! ([`stratify`]), and a rule call inside a `not` completes the called rule's
//! stratum before the negation reads it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use crate::datom::IndexOrder;
use crate::error::{Error, Result};
use crate::source::Source;
use crate::value::{Symbol, Value};

use super::Input;
use super::deps;
use super::parse::{Binding, Clause, Rules, Term, Var, is_var};
use super::plan::{self, Estimator};

/// A relation: named columns and rows.
#[derive(Clone, Debug, Default)]
pub struct Rel {
    /// Column variables.
    pub vars: Vec<Var>,
    /// Rows (each as long as `vars`).
    pub rows: Vec<Vec<Value>>,
}

impl Rel {
    /// The relation with no columns and one empty row (join identity).
    pub fn unit() -> Rel {
        Rel {
            vars: Vec::new(),
            rows: vec![Vec::new()],
        }
    }
    fn col(&self, v: &Var) -> Option<usize> {
        self.vars.iter().position(|x| x == v)
    }
    /// Distinct projection onto `vars` (all must be columns).
    pub fn project(&self, vars: &[Var]) -> Rel {
        let idx: Vec<usize> = vars.iter().filter_map(|v| self.col(v)).collect();
        let mut seen = HashSet::new();
        let mut rows = Vec::new();
        for r in &self.rows {
            let p: Vec<Value> = idx.iter().map(|&i| r[i].clone()).collect();
            if seen.insert(p.clone()) {
                rows.push(p);
            }
        }
        Rel {
            vars: idx.iter().map(|&i| self.vars[i].clone()).collect(),
            rows,
        }
    }
    fn dedup(&mut self) {
        let mut seen = HashSet::new();
        self.rows.retain(|r| seen.insert(r.clone()));
    }
}

/// Hash join on shared columns (product when none are shared).
pub fn join(a: Rel, b: Rel) -> Rel {
    let shared: Vec<Var> = a
        .vars
        .iter()
        .filter(|v| b.vars.contains(v))
        .cloned()
        .collect();
    let b_extra: Vec<usize> = (0..b.vars.len())
        .filter(|&i| !shared.contains(&b.vars[i]))
        .collect();
    let mut vars = a.vars.clone();
    vars.extend(b_extra.iter().map(|&i| b.vars[i].clone()));
    let ak: Vec<usize> = shared.iter().filter_map(|v| a.col(v)).collect();
    let bk: Vec<usize> = shared.iter().filter_map(|v| b.col(v)).collect();
    let mut rows = Vec::new();
    let key =
        |r: &[Value], k: &[usize]| -> Vec<Value> { k.iter().map(|&i| r[i].clone()).collect() };
    if a.rows.len() <= b.rows.len() {
        let mut h: HashMap<Vec<Value>, Vec<&Vec<Value>>> = HashMap::new();
        for r in &a.rows {
            h.entry(key(r, &ak)).or_default().push(r);
        }
        for rb in &b.rows {
            if let Some(ms) = h.get(&key(rb, &bk)) {
                for ra in ms {
                    let mut row = (*ra).clone();
                    row.extend(b_extra.iter().map(|&i| rb[i].clone()));
                    rows.push(row);
                }
            }
        }
    } else {
        let mut h: HashMap<Vec<Value>, Vec<&Vec<Value>>> = HashMap::new();
        for r in &b.rows {
            h.entry(key(r, &bk)).or_default().push(r);
        }
        for ra in &a.rows {
            if let Some(ms) = h.get(&key(ra, &ak)) {
                for rb in ms {
                    let mut row = ra.clone();
                    row.extend(b_extra.iter().map(|&i| rb[i].clone()));
                    rows.push(row);
                }
            }
        }
    }
    Rel { vars, rows }
}

/// The evaluation context: disjoint relations (their product is the state).
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    /// The relations.
    pub rels: Vec<Rel>,
}

impl Ctx {
    /// Is `v` bound?
    pub fn bound(&self, v: &Var) -> bool {
        self.rels.iter().any(|r| r.vars.contains(v))
    }
    /// All bound variables.
    pub fn bound_vars(&self) -> BTreeSet<Var> {
        self.rels
            .iter()
            .flat_map(|r| r.vars.iter().cloned())
            .collect()
    }
    /// Removes the relations holding any of `vars` and returns their product.
    pub fn take(&mut self, vars: &[Var]) -> Rel {
        let mut out = Rel::unit();
        let mut i = 0;
        while i < self.rels.len() {
            if self.rels[i].vars.iter().any(|v| vars.contains(v)) {
                let r = self.rels.remove(i);
                out = join(out, r);
            } else {
                i += 1;
            }
        }
        out
    }
    /// Removes and returns, separately, every relation binding one of `vars`.
    pub fn take_each(&mut self, vars: &[Var]) -> Vec<Rel> {
        let (taken, kept) = std::mem::take(&mut self.rels)
            .into_iter()
            .partition(|r| r.vars.iter().any(|v| vars.contains(v)));
        self.rels = kept;
        taken
    }
    /// Adds a relation, joining it with every relation sharing a variable.
    pub fn add(&mut self, rel: Rel) {
        let vars = rel.vars.clone();
        let base = self.take(&vars);
        self.push_joined(base, rel);
    }
    /// Joins `rel` with `base` (relations already taken from this context)
    /// and keeps the de-duplicated result; a var-less non-empty result adds
    /// nothing, an empty one empties the context.
    pub fn push_joined(&mut self, base: Rel, rel: Rel) {
        let mut j = join(base, rel);
        j.dedup();
        if !j.vars.is_empty() || j.rows.is_empty() {
            self.rels.push(j);
        }
    }
    /// Is the product of the relations empty?
    pub fn is_empty(&self) -> bool {
        self.rels.iter().any(|r| r.rows.is_empty())
    }
    /// Distinct rows over `vars` (product of the relations holding them).
    pub fn collect(&self, vars: &[Var]) -> Result<Vec<Vec<Value>>> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        for v in vars {
            if !self.bound(v) {
                return Err(Error::syntax(format!(
                    "Insufficient bindings: {v} is not bound by any clause"
                )));
            }
        }
        let mut out = Rel::unit();
        for r in &self.rels {
            let vs: Vec<Var> = r
                .vars
                .iter()
                .filter(|v| vars.contains(v))
                .cloned()
                .collect();
            if !vs.is_empty() {
                out = join(out, r.project(&vs));
            }
        }
        let mut p = out.project(vars);
        p.dedup();
        Ok(p.rows)
    }
    /// The value of a variable bound to a single value (scalar input).
    pub fn scalar(&self, v: &Var) -> Option<Value> {
        let r = self.rels.iter().find(|r| r.vars.contains(v))?;
        let i = r.col(v)?;
        r.rows.first().map(|row| row[i].clone())
    }
}

/// A source as seen by the engine.
#[derive(Clone)]
pub enum Src {
    /// A database.
    Db(Arc<dyn Source>),
    /// A collection of tuples.
    Coll(Arc<Vec<Vec<Value>>>),
}

impl std::fmt::Debug for Src {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Src::Db(_) => f.write_str("#db"),
            Src::Coll(c) => write!(f, "#coll[{}]", c.len()),
        }
    }
}

/// One clause's statistics (Datahike's `query-stats` clause stat).
#[derive(Clone, Debug)]
pub struct ClauseStat {
    /// The clause form (for a rule branch: the list of its body clauses).
    pub clause: Value,
    /// `:lookup`, `:not`, `:or`, `:or-join`, `:and`, `:rule` or `:solve`.
    pub kind: &'static str,
    /// Wall time spent, in milliseconds (summed over runs for rule branches).
    pub t_ms: f64,
    /// The relations of the context after the clause: (rows, bound vars).
    pub rels: Vec<(usize, BTreeSet<Var>)>,
    /// Index used, for patterns on databases.
    pub index: Option<IndexOrder>,
    /// Nested stats of the clauses inside.
    pub branches: Branches,
    /// For a rule branch: its head `(name ?a ...)`.
    pub rule: Option<Value>,
    /// For a rule branch: how many times the fixpoint ran it.
    pub runs: usize,
}

/// Nested clause stats.
#[derive(Clone, Debug, Default)]
pub enum Branches {
    /// A plain clause: no `:branches` key.
    #[default]
    None,
    /// A flat vector of stats (`not`, `and`, `or-join`, rules, rule branches).
    Flat(Vec<ClauseStat>),
    /// One vector of stats per branch (`or`).
    PerBranch(Vec<Vec<ClauseStat>>),
}

impl ClauseStat {
    fn rels_of(ctx: &Ctx) -> Vec<(usize, BTreeSet<Var>)> {
        ctx.rels
            .iter()
            .map(|r| (r.rows.len(), r.vars.iter().cloned().collect()))
            .collect()
    }
    /// Folds another run of the same rule branch into this one: times add
    /// up, the relations are the latest run's, nested stats merge by
    /// position when their shapes agree.
    fn merge(&mut self, other: ClauseStat) {
        self.t_ms += other.t_ms;
        self.rels = other.rels;
        self.runs += other.runs;
        self.branches = match (std::mem::take(&mut self.branches), other.branches) {
            (Branches::Flat(a), Branches::Flat(b)) => Branches::Flat(merge_stats(a, b)),
            (Branches::PerBranch(a), Branches::PerBranch(b)) if a.len() == b.len() => {
                Branches::PerBranch(
                    a.into_iter()
                        .zip(b)
                        .map(|(x, y)| merge_stats(x, y))
                        .collect(),
                )
            }
            (_, b) => b,
        };
    }
}

fn merge_stats(a: Vec<ClauseStat>, b: Vec<ClauseStat>) -> Vec<ClauseStat> {
    let same = a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.clause == y.clause);
    if !same {
        return b;
    }
    a.into_iter()
        .zip(b)
        .map(|(mut x, y)| {
            x.merge(y);
            x
        })
        .collect()
}

type TableKey = (Symbol, Vec<bool>, Symbol);

#[derive(Default, Debug)]
struct Table {
    seeds: HashSet<Vec<Value>>,
    /// Seeds added since the table's branches last ran.
    pending: Vec<Vec<Value>>,
    results: HashSet<Vec<Value>>,
    /// The result rows by their values at the table's bound (seeded)
    /// argument positions, so a call reads only the rows of its own seeds.
    by_seed: HashMap<Vec<Value>, Vec<Vec<Value>>>,
    /// Rows that were new in the previous round (semi-naive delta).
    delta: Vec<Vec<Value>>,
    /// Rows new in the current round.
    next_delta: Vec<Vec<Value>>,
    processed: bool,
}

/// The engine state for one query.
#[derive(Debug, Default)]
pub struct Engine {
    /// Sources by name.
    pub sources: HashMap<Symbol, Src>,
    /// Rules.
    pub rules: Rules,
    /// Clause stats when asked for: a stack of frames, the bottom one for
    /// the top-level clauses, one more per nested body being run.
    pub stats: Option<Vec<Vec<ClauseStat>>>,
    /// Nested stats the last `not`/`or`/rule call left for its own stat.
    pending_branches: Branches,
    /// Rule-branch stats gathered by the running fixpoint, in first-run order.
    rule_stats: Vec<((TableKey, usize), ClauseStat)>,
    /// The stat of the rule branch `run_branch` just ran.
    last_branch: Option<ClauseStat>,
    /// Variables bound to a scalar `:in` value (a lookup ref among them that
    /// resolves to nothing in an entity position is an error).
    pub scalars: HashSet<Var>,
    /// Scalar `:in` bindings in order (`:consts` of `query-stats`).
    pub consts: Vec<(Var, Value)>,
    /// The rules input as given (`:rules` of `query-stats`).
    pub rules_form: Option<Value>,
    tables: HashMap<TableKey, Table>,
    order: Vec<TableKey>,
    in_fixpoint: bool,
    /// How many `not` bodies are being evaluated (reset inside rule branches).
    neg_depth: usize,
    /// For each rule, the rules it depends on (itself included): the lower
    /// strata a negated call must complete first.
    pub deps: HashMap<Symbol, HashSet<Symbol>>,
    new_seeds: bool,
    /// The rule-call clause that reads its table's delta (semi-naive).
    delta_call: Option<*const Clause>,
    depth: usize,
}

const MAX_FIXPOINT_ROUNDS: usize = 100_000;
const MAX_TABLE_ROWS: usize = 10_000_000;

fn insufficient(msg: String) -> Error {
    Error::syntax(format!("Insufficient bindings: {msg}"))
}

struct Est<'a> {
    engine: &'a Engine,
    default: &'a Symbol,
}

impl Estimator for Est<'_> {
    fn estimate(&self, src: Option<&Symbol>, terms: &[Term]) -> Option<u64> {
        match self.engine.sources.get(src.unwrap_or(self.default))? {
            Src::Coll(c) => Some(c.len() as u64),
            Src::Db(db) => {
                let c = |i: usize| match terms.get(i) {
                    Some(Term::Const(v)) => Some(v.clone()),
                    _ => None,
                };
                let (e, a, v) = (c(0), c(1), c(2));
                Some(match (e, a, v) {
                    (Some(e), Some(a), _) => db.estimate(IndexOrder::Eavt, &[e, a]),
                    (Some(e), None, _) => db.estimate(IndexOrder::Eavt, &[e]),
                    (None, Some(a), Some(v)) => {
                        let avet = a
                            .as_keyword()
                            .and_then(|k| db.attr(k))
                            .is_some_and(|x| x.in_avet());
                        if avet {
                            db.estimate(IndexOrder::Avet, &[a, v])
                        } else {
                            db.estimate(IndexOrder::Aevt, &[a])
                        }
                    }
                    (None, Some(a), None) => db.estimate(IndexOrder::Aevt, &[a]),
                    _ => db.estimate(IndexOrder::Eavt, &[]),
                })
            }
        }
    }
    fn in_avet(&self, src: Option<&Symbol>, a: &Value) -> bool {
        match self.engine.sources.get(src.unwrap_or(self.default)) {
            Some(Src::Db(db)) => a
                .as_keyword()
                .and_then(|k| db.attr(k))
                .is_some_and(|x| x.in_avet()),
            _ => false,
        }
    }
    fn is_unique(&self, src: Option<&Symbol>, a: &Value) -> bool {
        match self.engine.sources.get(src.unwrap_or(self.default)) {
            Some(Src::Db(db)) => a
                .as_keyword()
                .and_then(|k| db.attr(k))
                .is_some_and(|x| x.unique.is_some()),
            _ => false,
        }
    }
    fn is_db(&self, src: Option<&Symbol>) -> bool {
        matches!(
            self.engine.sources.get(src.unwrap_or(self.default)),
            Some(Src::Db(_))
        )
    }
}

/// Binds `v` to binding form `b`: rows over `b.vars()`.
pub fn bind_value(b: &Binding, v: &Value) -> Result<Vec<Vec<Value>>> {
    match b {
        Binding::Blank => Ok(vec![Vec::new()]),
        Binding::Var(_) => Ok(vec![vec![v.clone()]]),
        Binding::Tuple(bs) => {
            let items: Vec<Value> = match v {
                Value::Vector(x) | Value::List(x) => x.to_vec(),
                _ => {
                    return Err(Error::syntax(format!(
                        "Cannot bind value {v} to tuple {}",
                        binding_form(b)
                    )));
                }
            };
            if items.len() < bs.len() {
                return Err(Error::syntax(format!(
                    "Not enough elements in a collection {v} to bind tuple {}",
                    binding_form(b)
                )));
            }
            let mut rows = vec![Vec::new()];
            for (sb, item) in bs.iter().zip(items.iter()) {
                let sub = bind_value(sb, item)?;
                let mut next = Vec::new();
                for r in &rows {
                    for s in &sub {
                        let mut n: Vec<Value> = r.clone();
                        n.extend(s.iter().cloned());
                        next.push(n);
                    }
                }
                rows = next;
            }
            Ok(rows)
        }
        Binding::Coll(inner) => {
            let items: Vec<Value> = match v {
                Value::Vector(x) | Value::List(x) => x.to_vec(),
                Value::Set(s) => s.iter().cloned().collect(),
                Value::Map(m) => m
                    .iter()
                    .map(|(k, v)| Value::vector(vec![k.clone(), v.clone()]))
                    .collect(),
                _ => {
                    return Err(Error::syntax(format!(
                        "Cannot bind value {v} to collection {}",
                        binding_form(b)
                    )));
                }
            };
            let mut rows = Vec::new();
            for it in &items {
                rows.extend(bind_value(inner, it)?);
            }
            Ok(rows)
        }
    }
}

/// The binding as EDN text.
pub fn binding_form(b: &Binding) -> String {
    match b {
        Binding::Blank => "_".into(),
        Binding::Var(v) => v.full().into(),
        Binding::Tuple(bs) => format!(
            "[{}]",
            bs.iter().map(binding_form).collect::<Vec<_>>().join(" ")
        ),
        Binding::Coll(b) => format!("[{} ...]", binding_form(b)),
    }
}

/// A relation from binding rows; repeated variables must agree.
fn rel_from_binding(b: &Binding, rows: Vec<Vec<Value>>) -> Rel {
    let vars = b.vars();
    let mut uniq: Vec<Var> = Vec::new();
    let mut idx = Vec::new();
    for (i, v) in vars.iter().enumerate() {
        if !uniq.contains(v) {
            uniq.push(v.clone());
            idx.push(i);
        }
    }
    let rows = rows
        .into_iter()
        .filter(|r| {
            vars.iter().enumerate().all(|(i, v)| {
                let first = vars.iter().position(|x| x == v).unwrap_or(i);
                r[first] == r[i]
            })
        })
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect();
    Rel { vars: uniq, rows }
}

impl Engine {
    /// Registers a source.
    pub fn add_source(&mut self, name: Symbol, input: &Input) -> Result<()> {
        let src = match input {
            Input::Db(db) => Src::Db(db.clone()),
            Input::Value(v) => Src::Coll(Arc::new(coll_tuples(v)?)),
        };
        self.sources.insert(name, src);
        Ok(())
    }

    fn src(&self, name: &Symbol) -> Result<&Src> {
        self.sources.get(name).ok_or_else(|| {
            Error::syntax(format!(
                "Source {name} is not bound (check :in and the inputs)"
            ))
        })
    }

    /// The plan for `clauses` given the context.
    pub fn plan(&self, clauses: &[Clause], ctx: &Ctx, default: &Symbol) -> Result<Vec<plan::Step>> {
        plan::plan(
            clauses,
            &ctx.bound_vars(),
            &Est {
                engine: self,
                default,
            },
        )
    }

    /// The plan for `clauses` given the bound variables.
    pub fn plan_bound(
        &self,
        clauses: &[Clause],
        bound: &BTreeSet<Var>,
        default: &Symbol,
    ) -> Result<Vec<plan::Step>> {
        plan::plan(
            clauses,
            bound,
            &Est {
                engine: self,
                default,
            },
        )
    }

    /// Runs `clauses` on `ctx` with `default` as the default source.
    pub fn run(&mut self, ctx: &mut Ctx, clauses: &[Clause], default: &Symbol) -> Result<()> {
        self.depth += 1;
        if self.depth > super::parse::MAX_DEPTH * 4 {
            self.depth -= 1;
            return Err(Error::syntax("Query nested too deeply"));
        }
        let res = self.run_inner(ctx, clauses, default);
        self.depth -= 1;
        res
    }

    fn run_inner(&mut self, ctx: &mut Ctx, clauses: &[Clause], default: &Symbol) -> Result<()> {
        let steps = self.plan(clauses, ctx, default)?;
        for st in steps {
            let c = &clauses[st.clause];
            let t0 = Instant::now();
            self.pending_branches = Branches::None;
            self.clause(ctx, c, default)?;
            if let Some(frames) = self.stats.as_mut() {
                let stat = ClauseStat {
                    clause: c.form().clone(),
                    kind: stat_kind(c),
                    t_ms: t0.elapsed().as_secs_f64() * 1000.0,
                    rels: ClauseStat::rels_of(ctx),
                    index: st.index,
                    branches: std::mem::take(&mut self.pending_branches),
                    rule: None,
                    runs: 1,
                };
                if let Some(f) = frames.last_mut() {
                    f.push(stat);
                }
            }
        }
        Ok(())
    }

    /// Opens a stats frame for a nested body (when stats are collected).
    fn push_frame(&mut self) {
        if let Some(frames) = self.stats.as_mut() {
            frames.push(Vec::new());
        }
    }

    /// Closes the frame `push_frame` opened.
    fn pop_frame(&mut self) -> Vec<ClauseStat> {
        self.stats.as_mut().and_then(Vec::pop).unwrap_or_default()
    }

    fn clause(&mut self, ctx: &mut Ctx, c: &Clause, default: &Symbol) -> Result<()> {
        match c {
            Clause::Pattern { src, terms, .. } => {
                let s = src.clone().unwrap_or_else(|| default.clone());
                self.pattern(ctx, &s, terms)
            }
            Clause::Pred {
                func, args, form, ..
            } => self.function(ctx, func, args, None, default, form),
            Clause::Fn {
                func,
                args,
                binding,
                form,
            } => self.function(ctx, func, args, Some(binding), default, form),
            Clause::Not {
                src,
                join,
                body,
                form,
            } => {
                let s = src.clone().unwrap_or_else(|| default.clone());
                self.not(ctx, join.as_deref(), body, &s, form)
            }
            Clause::Or {
                src,
                join,
                branches,
                form,
            } => {
                let s = src.clone().unwrap_or_else(|| default.clone());
                self.or(ctx, join.as_ref(), branches, &s, form)
            }
            Clause::Rule {
                src,
                name,
                args,
                form,
            } => {
                let s = src.clone().unwrap_or_else(|| default.clone());
                let use_delta = self.delta_call.is_some_and(|p| std::ptr::eq(p, c));
                self.rule_call(ctx, name, args, &s, form, use_delta)
            }
        }
    }

    // ---------------------------------------------------------------- patterns

    fn pattern(&mut self, ctx: &mut Ctx, src: &Symbol, terms: &[Term]) -> Result<()> {
        let mut pvars: Vec<Var> = Vec::new();
        for t in terms {
            if let Term::Var(v) = t {
                if !pvars.contains(v) {
                    pvars.push(v.clone());
                }
            }
        }
        let bound: Vec<Var> = pvars.iter().filter(|v| ctx.bound(v)).cloned().collect();
        // The relations binding the pattern's variables. When there are
        // several, the smallest one drives the index lookups and the others
        // are hash-joined afterwards, so their cross product is never built.
        let mut holders = ctx.take_each(&bound);
        // Prefer the relation binding the entity position (one EAVT seek per
        // entity), then the smallest.
        let e_var = terms.first().and_then(Term::as_var);
        let mut base = match holders
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| (!e_var.is_some_and(|v| r.vars.contains(v)), r.rows.len()))
        {
            Some((i, _)) => holders.swap_remove(i),
            None => Rel::unit(),
        };
        // Relations that must take part in the lookups join the driving one
        // first: single rows (scalar inputs, free to join), and relations
        // holding the value variable with lookup refs or idents that the
        // lookup resolves (they are returned as bound, unresolved).
        let src = self.src(src)?.clone();
        let v_var = terms.get(2).and_then(Term::as_var);
        // Values of a ref attribute (or of an attribute left open) may be
        // lookup refs or idents; other values are compared as they are.
        let v_resolves = match (&src, terms.get(1)) {
            (Src::Db(db), Some(Term::Const(a))) => a
                .as_keyword()
                .and_then(|k| db.attr(k))
                .is_some_and(|x| x.is_ref()),
            (Src::Db(_), _) => true,
            (Src::Coll(_), _) => false,
        };
        let needs_lookup = |r: &Rel| {
            r.rows.len() <= 1
                || v_resolves
                    && v_var
                        .and_then(|v| r.vars.iter().position(|x| x == v))
                        .is_some_and(|col| {
                            r.rows.iter().any(|row| {
                                matches!(
                                    row.get(col),
                                    Some(Value::Vector(_) | Value::List(_) | Value::Keyword(_))
                                )
                            })
                        })
        };
        let (with_base, holders): (Vec<Rel>, Vec<Rel>) =
            holders.into_iter().partition(|r| needs_lookup(r));
        for r in with_base {
            base = join(base, r);
        }
        let driving: Vec<Var> = bound
            .iter()
            .filter(|v| base.vars.contains(v))
            .cloned()
            .collect();
        let p = match &src {
            Src::Coll(tuples) => coll_match(tuples, terms, &pvars),
            Src::Db(db) => {
                let strict = terms
                    .first()
                    .and_then(Term::as_var)
                    .is_some_and(|v| self.scalars.contains(v));
                db_match(db.as_ref(), terms, &pvars, &base, &driving, strict)?
            }
        };
        let mut joined = join(base, p);
        for other in holders {
            joined = join(joined, other);
        }
        ctx.push_joined(Rel::unit(), joined);
        Ok(())
    }

    // --------------------------------------------------------------- functions

    fn function(
        &mut self,
        ctx: &mut Ctx,
        func: &Symbol,
        args: &[Term],
        binding: Option<&Binding>,
        default: &Symbol,
        form: &Value,
    ) -> Result<()> {
        let mut in_vars: Vec<Var> = args.iter().filter_map(Term::as_var).cloned().collect();
        if is_var(func) {
            in_vars.push(func.clone());
        }
        let missing: Vec<String> = in_vars
            .iter()
            .filter(|v| !ctx.bound(v))
            .map(|v| v.full().to_string())
            .collect();
        if !missing.is_empty() {
            return Err(insufficient(format!(
                "#{{{}}} not bound in {form}",
                missing.join(" ")
            )));
        }
        let base = ctx.take(&in_vars);
        let idx = |v: &Var| base.vars.iter().position(|x| x == v);
        match binding {
            None => {
                let mut rows = Vec::new();
                for r in &base.rows {
                    let vals = self.arg_values(args, r, &base, default)?;
                    let f = self.resolve_fn(func, r, &base)?;
                    if let Some(f) = f {
                        if self.call(&f, &vals, form)?.is_truthy() {
                            rows.push(r.clone());
                        }
                    }
                }
                let rel = Rel {
                    vars: base.vars.clone(),
                    rows,
                };
                if !rel.vars.is_empty() || rel.rows.is_empty() {
                    ctx.rels.push(rel);
                }
            }
            Some(b) => {
                let out_vars = b.vars();
                let mut vars = base.vars.clone();
                let mut new_cols: Vec<usize> = Vec::new();
                let mut check: Vec<(usize, usize)> = Vec::new();
                for (i, v) in out_vars.iter().enumerate() {
                    if let Some(j) = idx(v) {
                        check.push((i, j));
                    } else if let Some(k) = out_vars[..i].iter().position(|x| x == v) {
                        check.push((i, usize::MAX - k));
                    } else {
                        new_cols.push(i);
                        vars.push(v.clone());
                    }
                }
                let mut rows = Vec::new();
                for r in &base.rows {
                    let vals = self.arg_values(args, r, &base, default)?;
                    let Some(f) = self.resolve_fn(func, r, &base)? else {
                        continue;
                    };
                    let res = self.call(&f, &vals, form)?;
                    if res.is_nil() {
                        continue;
                    }
                    for out in bind_value(b, &res)? {
                        let ok = check.iter().all(|&(i, j)| {
                            if j > usize::MAX / 2 {
                                out[i] == out[usize::MAX - j]
                            } else {
                                out[i] == r[j]
                            }
                        });
                        if ok {
                            let mut row = r.clone();
                            row.extend(new_cols.iter().map(|&i| out[i].clone()));
                            rows.push(row);
                        }
                    }
                }
                ctx.add(Rel { vars, rows });
            }
        }
        Ok(())
    }

    fn arg_values(
        &self,
        args: &[Term],
        row: &[Value],
        base: &Rel,
        default: &Symbol,
    ) -> Result<Vec<Arg>> {
        args.iter()
            .map(|a| {
                Ok(match a {
                    Term::Var(v) => {
                        let i = base
                            .vars
                            .iter()
                            .position(|x| x == v)
                            .ok_or_else(|| insufficient(format!("{v} not bound")))?;
                        Arg::Val(row[i].clone())
                    }
                    Term::Const(c) => Arg::Val(c.clone()),
                    Term::Blank => Arg::Val(Value::Nil),
                    Term::Src(s) => {
                        let s = if s.full() == "$" && !self.sources.contains_key(s) {
                            default.clone()
                        } else {
                            s.clone()
                        };
                        Arg::Src(self.src(&s)?.clone())
                    }
                })
            })
            .collect()
    }

    fn resolve_fn(&self, func: &Symbol, row: &[Value], base: &Rel) -> Result<Option<Symbol>> {
        if is_var(func) {
            let i = base.vars.iter().position(|x| x == func);
            return Ok(match i.map(|i| &row[i]) {
                Some(Value::Symbol(s)) => Some(s.clone()),
                _ => None,
            });
        }
        Ok(Some(func.clone()))
    }

    fn call(&mut self, func: &Symbol, args: &[Arg], form: &Value) -> Result<Value> {
        let name = func.full();
        let val = |i: usize| -> Value {
            match args.get(i) {
                Some(Arg::Val(v)) => v.clone(),
                _ => Value::Nil,
            }
        };
        let db = |i: usize| -> Result<Arc<dyn Source>> {
            match args.get(i) {
                Some(Arg::Src(Src::Db(d))) => Ok(d.clone()),
                _ => Err(Error::syntax(format!(
                    "{name} expects a database as its first argument in {form}"
                ))),
            }
        };
        match name {
            "ground" | "identity" | "untuple" => Ok(val(0)),
            "tuple" => Ok(Value::vector((0..args.len()).map(val).collect())),
            "get-else" => {
                let d = db(0)?;
                let default = val(3);
                if default.is_nil() {
                    return Err(Error::other("get-else: nil default value is not supported"));
                }
                let Some(e) = d.entid(&val(1)).ok().flatten() else {
                    return Ok(default);
                };
                let mut it = d.datoms(IndexOrder::Eavt, &[Value::Long(e), val(2)])?;
                match it.next() {
                    Some(dm) => Ok(dm?.v),
                    None => Ok(default),
                }
            }
            "get-some" => {
                let d = db(0)?;
                let Some(e) = d.entid(&val(1)).ok().flatten() else {
                    return Ok(Value::Nil);
                };
                for i in 2..args.len() {
                    let a = val(i);
                    let mut it = d.datoms(IndexOrder::Eavt, &[Value::Long(e), a.clone()])?;
                    if let Some(dm) = it.next() {
                        let dm = dm?;
                        return Ok(Value::vector(vec![Value::Keyword(dm.a), dm.v]));
                    }
                }
                Ok(Value::Nil)
            }
            "missing?" => {
                let d = db(0)?;
                let Some(e) = d.entid(&val(1)).ok().flatten() else {
                    return Ok(Value::Bool(true));
                };
                let a = val(2);
                let Some(k) = a.as_keyword() else {
                    return Err(Error::syntax(format!(
                        "missing? expects an attribute in {form}"
                    )));
                };
                if k.is_reverse() {
                    let fwd = k.reverse();
                    let mut it = d.datoms(IndexOrder::Aevt, &[Value::Keyword(fwd)])?;
                    for dm in it.by_ref() {
                        if dm?.v == Value::Long(e) {
                            return Ok(Value::Bool(false));
                        }
                    }
                    Ok(Value::Bool(true))
                } else {
                    let mut it = d.datoms(IndexOrder::Eavt, &[Value::Long(e), a])?;
                    Ok(Value::Bool(it.next().is_none()))
                }
            }
            "q" => {
                let query = val(0);
                let inputs: Vec<Input> = args
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .map(|a| match a {
                        Arg::Val(v) => Input::Value(v.clone()),
                        Arg::Src(Src::Db(d)) => Input::Db(d.clone()),
                        Arg::Src(Src::Coll(c)) => Input::Value(Value::vector(
                            c.iter().map(|t| Value::vector(t.clone())).collect(),
                        )),
                    })
                    .collect();
                if self.depth > super::parse::MAX_DEPTH {
                    return Err(Error::syntax("Nested queries too deep"));
                }
                super::q(&query, &inputs)
            }
            _ => {
                let vals: Vec<Value> = (0..args.len()).map(val).collect();
                match deps::lookup(name) {
                    Some(f) => f(&vals),
                    None => Err(Error::syntax(format!("Unknown function '{name} in {form}"))),
                }
            }
        }
    }

    // ------------------------------------------------------------- not / or

    fn not(
        &mut self,
        ctx: &mut Ctx,
        join_vars: Option<&[Var]>,
        body: &[Clause],
        src: &Symbol,
        form: &Value,
    ) -> Result<()> {
        let (vars, sub_vars): (Vec<Var>, Vec<Var>) = match join_vars {
            Some(js) => {
                let missing: Vec<String> = js
                    .iter()
                    .filter(|v| !ctx.bound(v))
                    .map(|v| v.full().to_string())
                    .collect();
                if !missing.is_empty() {
                    return Err(insufficient(format!(
                        "#{{{}}} not bound in {form}",
                        missing.join(" ")
                    )));
                }
                (js.to_vec(), js.to_vec())
            }
            None => {
                let mut all = BTreeSet::new();
                body.iter().for_each(|c| all.extend(c.vars()));
                let b: Vec<Var> = all.iter().filter(|v| ctx.bound(v)).cloned().collect();
                if b.is_empty() {
                    return Err(insufficient(format!(
                        "none of #{{{}}} is bound in {form}",
                        all.iter().map(|v| v.full()).collect::<Vec<_>>().join(" ")
                    )));
                }
                (b.clone(), b)
            }
        };
        let base = ctx.take(&vars);
        let mut sub = Ctx::default();
        let proj = base.project(&sub_vars);
        sub.rels.push(proj);
        self.push_frame();
        self.neg_depth += 1;
        let res = self.run(&mut sub, body, src);
        self.neg_depth -= 1;
        res?;
        let frame = self.pop_frame();
        let matched: HashSet<Vec<Value>> = sub.collect(&sub_vars)?.into_iter().collect();
        let idx: Vec<usize> = sub_vars
            .iter()
            .filter_map(|v| base.vars.iter().position(|x| x == v))
            .collect();
        let rows = base
            .rows
            .into_iter()
            .filter(|r| !matched.contains(&idx.iter().map(|&i| r[i].clone()).collect::<Vec<_>>()))
            .collect();
        let rel = Rel {
            vars: base.vars,
            rows,
        };
        if !rel.vars.is_empty() || rel.rows.is_empty() {
            ctx.rels.push(rel);
        }
        self.pending_branches = Branches::Flat(frame);
        Ok(())
    }

    fn or(
        &mut self,
        ctx: &mut Ctx,
        join_spec: Option<&(Vec<Var>, Vec<Var>)>,
        branches: &[Vec<Clause>],
        src: &Symbol,
        form: &Value,
    ) -> Result<()> {
        let vars: Vec<Var> = match join_spec {
            Some((req, free)) => {
                let missing: Vec<String> = req
                    .iter()
                    .filter(|v| !ctx.bound(v))
                    .map(|v| v.full().to_string())
                    .collect();
                if !missing.is_empty() {
                    return Err(insufficient(format!(
                        "#{{{}}} not bound in {form}",
                        missing.join(" ")
                    )));
                }
                req.iter().chain(free).cloned().collect()
            }
            None => {
                let mut all = BTreeSet::new();
                branches.iter().flatten().for_each(|c| all.extend(c.vars()));
                all.into_iter().collect()
            }
        };
        let bound: Vec<Var> = vars.iter().filter(|v| ctx.bound(v)).cloned().collect();
        let base = ctx.take(&bound);
        let seed = base.project(&bound);
        let mut union = Rel {
            vars: vars.clone(),
            rows: Vec::new(),
        };
        // The branches as written (the last items of the form).
        let forms: Vec<Value> = form
            .as_seq()
            .map(|items| items[items.len().saturating_sub(branches.len())..].to_vec())
            .unwrap_or_default();
        let mut stats = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            let mut sub = Ctx::default();
            if !bound.is_empty() {
                sub.rels.push(seed.clone());
            }
            let t0 = Instant::now();
            self.push_frame();
            self.run(&mut sub, b, src)?;
            let frame = self.pop_frame();
            if self.stats.is_some() {
                let bform = forms.get(i).cloned().unwrap_or(Value::Nil);
                stats.push(branch_stat(bform, frame, t0, &sub));
            }
            union.rows.extend(sub.collect(&vars)?);
        }
        union.dedup();
        ctx.push_joined(base, union);
        self.pending_branches = match join_spec {
            None => Branches::PerBranch(stats.into_iter().map(|s| vec![s]).collect()),
            Some(_) => Branches::Flat(stats),
        };
        Ok(())
    }

    // ---------------------------------------------------------------- rules

    fn rule_call(
        &mut self,
        ctx: &mut Ctx,
        name: &Symbol,
        args: &[Term],
        src: &Symbol,
        form: &Value,
        use_delta: bool,
    ) -> Result<()> {
        let branches = self
            .rules
            .get(name)
            .cloned()
            .ok_or_else(|| Error::syntax(format!("Unknown rule '{name} in {form}")))?;
        if branches[0].head.len() != args.len() {
            return Err(Error::syntax(format!(
                "Arity mismatch for rule '{name}': expected {} arguments in {form}",
                branches[0].head.len()
            )));
        }
        let adorn: Vec<bool> = args
            .iter()
            .map(|a| match a {
                Term::Const(_) => true,
                Term::Var(v) => ctx.bound(v),
                _ => false,
            })
            .collect();
        for b in &branches {
            for (i, h) in b.head.iter().enumerate() {
                if b.required.contains(h) && !adorn[i] {
                    return Err(insufficient(format!(
                        "required rule argument {} not bound in {form}",
                        args[i].as_var().map(|v| v.full()).unwrap_or("_")
                    )));
                }
            }
        }
        self.check_const_rule_args(name, &branches, args, src)?;
        let bvars: Vec<Var> = args
            .iter()
            .zip(&adorn)
            .filter(|(_, b)| **b)
            .filter_map(|(a, _)| a.as_var().cloned())
            .collect();
        let base = ctx.take(&bvars);
        let seeds: HashSet<Vec<Value>> = base
            .rows
            .iter()
            .map(|r| {
                args.iter()
                    .zip(&adorn)
                    .filter(|(_, b)| **b)
                    .map(|(a, _)| match a {
                        Term::Const(c) => c.clone(),
                        Term::Var(v) => {
                            let i = base.vars.iter().position(|x| x == v).unwrap_or(0);
                            r[i].clone()
                        }
                        _ => Value::Nil,
                    })
                    .collect()
            })
            .collect();
        let key: TableKey = (name.clone(), adorn.clone(), src.clone());
        let call_seeds: Option<Vec<Vec<Value>>> =
            (adorn.iter().any(|b| *b) && !use_delta).then(|| seeds.iter().cloned().collect());
        self.add_seeds(&key, seeds);
        let mut gathered = Vec::new();
        if self.in_fixpoint && self.neg_depth > 0 {
            self.complete_stratum(name)?;
        }
        if !self.in_fixpoint {
            let outer = std::mem::take(&mut self.rule_stats);
            let res = self.fixpoint();
            gathered = std::mem::replace(&mut self.rule_stats, outer);
            res?;
        }
        // Results → relation over the call's variables.
        let mut cvars: Vec<Var> = Vec::new();
        for a in args {
            if let Term::Var(v) = a {
                if !cvars.contains(v) {
                    cvars.push(v.clone());
                }
            }
        }
        let results = self
            .tables
            .get(&key)
            .map(|t| {
                if use_delta {
                    t.delta.clone()
                } else if let Some(cs) = &call_seeds {
                    cs.iter()
                        .filter_map(|sd| t.by_seed.get(sd))
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                } else {
                    t.results.iter().cloned().collect::<Vec<_>>()
                }
            })
            .unwrap_or_default();
        ctx.push_joined(base, coll_match(&results, args, &cvars));
        self.pending_branches = Branches::Flat(gathered.into_iter().map(|(_, s)| s).collect());
        Ok(())
    }

    /// Datahike substitutes constant rule arguments into the rule body before
    /// evaluating it; a vector constant landing in the value position of a
    /// pattern on a typed, non-tuple, non-ref attribute is rejected there.
    fn check_const_rule_args(
        &self,
        name: &Symbol,
        branches: &[super::parse::RuleBranch],
        args: &[Term],
        src: &Symbol,
    ) -> Result<()> {
        for (i, a) in args.iter().enumerate() {
            let Term::Const(c @ Value::Vector(_)) = a else {
                continue;
            };
            for b in branches {
                let head = &b.head[i];
                for cl in &b.body {
                    let Clause::Pattern {
                        src: psrc, terms, ..
                    } = cl
                    else {
                        continue;
                    };
                    let Some(Src::Db(db)) = self.sources.get(psrc.as_ref().unwrap_or(src)) else {
                        continue;
                    };
                    if let (Some(Term::Const(Value::Keyword(k))), Some(Term::Var(v))) =
                        (terms.get(1), terms.get(2))
                    {
                        if v == head {
                            if let Some(at) = db.attr(k) {
                                let tuple = at.tuple_attrs.is_some()
                                    || at.tuple_type.is_some()
                                    || at.tuple_types.is_some();
                                if !at.is_ref() && !tuple && at.value_type.is_some() {
                                    return Err(Error::syntax(format!(
                                        "Cannot match the vector {c} (argument of rule {name}) against attribute {k}"
                                    )));
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn add_seeds(&mut self, key: &TableKey, seeds: HashSet<Vec<Value>>) {
        if !self.tables.contains_key(key) {
            self.tables.insert(key.clone(), Table::default());
            self.order.push(key.clone());
            self.new_seeds = true;
        }
        let t = self.tables.get_mut(key).expect("table just inserted");
        for s in seeds {
            if t.seeds.insert(s.clone()) {
                t.pending.push(s);
                self.new_seeds = true;
            }
        }
    }

    fn fixpoint(&mut self) -> Result<()> {
        self.in_fixpoint = true;
        let res = self.fixpoint_inner(None);
        self.in_fixpoint = false;
        res.map(|_| ())
    }

    /// Completes the tables of `name` and of every rule it depends on (a
    /// lower stratum: stratification guarantees the rule being evaluated is
    /// not among them) before a negated call reads them. They run naively
    /// (every branch against all seeds each round); the rows they gain are
    /// left in their next delta, and a gain forces another round of the
    /// enclosing fixpoint, so positive consumers still see every new row.
    fn complete_stratum(&mut self, name: &Symbol) -> Result<()> {
        let only = self
            .deps
            .get(name)
            .cloned()
            .unwrap_or_else(|| HashSet::from([name.clone()]));
        let outer_new = self.new_seeds;
        let grew = self.fixpoint_inner(Some(&only))?;
        self.new_seeds = outer_new || grew;
        Ok(())
    }

    /// Semi-naive bottom-up evaluation of every table until nothing changes:
    /// a table's branches run in full the first time (and whenever a rule
    /// call is nested inside `not`/`or`); afterwards only against seeds that
    /// are new, and once per top-level rule call reading just the rows that
    /// call's table gained in the previous round.
    ///
    /// With `only`, just the tables of those rules run, naively, and deltas
    /// are not rotated (see `complete_stratum`); returns whether any table grew.
    fn fixpoint_inner(&mut self, only: Option<&HashSet<Symbol>>) -> Result<bool> {
        let naive = only.is_some();
        let mut grew_any = false;
        let mut rounds = 0;
        loop {
            rounds += 1;
            if rounds > MAX_FIXPOINT_ROUNDS {
                return Err(Error::other("Rule evaluation did not reach a fixpoint"));
            }
            self.new_seeds = false;
            let mut grew = false;
            let mut k = 0;
            while k < self.order.len() {
                let key = self.order[k].clone();
                k += 1;
                let (name, adorn, src) = key.clone();
                if only.is_some_and(|o| !o.contains(&name)) {
                    continue;
                }
                let branches = self.rules.get(&name).cloned().unwrap_or_default();
                let (all_seeds, fresh, first) = {
                    let t = self.tables.get_mut(&key).expect("table exists");
                    let first = !t.processed;
                    t.processed = true;
                    (
                        t.seeds.iter().cloned().collect::<Vec<_>>(),
                        std::mem::take(&mut t.pending),
                        first,
                    )
                };
                if all_seeds.is_empty() {
                    continue;
                }
                for (bi, b) in branches.iter().enumerate() {
                    let nested = b
                        .body
                        .iter()
                        .any(|c| !matches!(c, Clause::Rule { .. }) && c.has_rule_call());
                    let mut evals: Vec<(&Vec<Vec<Value>>, Option<*const Clause>)> = Vec::new();
                    if first || nested || naive {
                        evals.push((&all_seeds, None));
                    } else {
                        if !fresh.is_empty() {
                            evals.push((&fresh, None));
                        }
                        for c in &b.body {
                            if let Clause::Rule { name: callee, .. } = c {
                                let has_delta = self
                                    .tables
                                    .iter()
                                    .any(|(kk, t)| &kk.0 == callee && !t.delta.is_empty());
                                if has_delta {
                                    evals.push((&all_seeds, Some(c as *const Clause)));
                                }
                            }
                        }
                    }
                    for (seeds, dc) in evals {
                        let rows = self.run_branch(b, &adorn, seeds, &src, dc)?;
                        self.note_branch_stat(&key, bi, &name, b);
                        let t = self.tables.get_mut(&key).expect("table exists");
                        for r in rows {
                            if t.results.insert(r.clone()) {
                                let proj: Vec<Value> = r
                                    .iter()
                                    .zip(&adorn)
                                    .filter(|(_, b)| **b)
                                    .map(|(v, _)| v.clone())
                                    .collect();
                                t.by_seed.entry(proj).or_default().push(r.clone());
                                t.next_delta.push(r);
                                grew = true;
                            }
                        }
                        if t.results.len() > MAX_TABLE_ROWS {
                            return Err(Error::other(format!(
                                "Rule {name} produced too many rows"
                            )));
                        }
                    }
                }
            }
            grew_any |= grew;
            if !naive {
                for t in self.tables.values_mut() {
                    t.delta = std::mem::take(&mut t.next_delta);
                }
            }
            if !grew && !self.new_seeds {
                return Ok(grew_any);
            }
        }
    }

    fn run_branch(
        &mut self,
        b: &super::parse::RuleBranch,
        adorn: &[bool],
        seeds: &[Vec<Value>],
        src: &Symbol,
        delta_call: Option<*const Clause>,
    ) -> Result<Vec<Vec<Value>>> {
        let bound_heads: Vec<Var> = b
            .head
            .iter()
            .zip(adorn)
            .filter(|(_, x)| **x)
            .map(|(h, _)| h.clone())
            .collect();
        let mut sub = Ctx::default();
        if !bound_heads.is_empty() {
            let mut r = rel_from_binding(
                &Binding::Tuple(bound_heads.iter().cloned().map(Binding::Var).collect()),
                seeds.to_vec(),
            );
            r.dedup();
            sub.rels.push(r);
        }
        let saved = self
            .delta_call
            .replace(delta_call.unwrap_or(std::ptr::null()));
        if delta_call.is_none() {
            self.delta_call = None;
        }
        let t0 = Instant::now();
        self.push_frame();
        let neg = std::mem::take(&mut self.neg_depth);
        let res = self.run(&mut sub, &b.body, src);
        self.neg_depth = neg;
        let frame = self.pop_frame();
        self.delta_call = saved;
        res?;
        if self.stats.is_some() {
            self.last_branch = Some(ClauseStat {
                clause: Value::list(b.body.iter().map(|c| c.form().clone()).collect()),
                kind: "solve",
                t_ms: t0.elapsed().as_secs_f64() * 1000.0,
                rels: ClauseStat::rels_of(&sub),
                index: None,
                branches: Branches::Flat(frame),
                rule: None,
                runs: 1,
            });
        }
        sub.collect(&b.head)
    }

    /// Folds the stat of the rule branch that just ran into `rule_stats`.
    fn note_branch_stat(
        &mut self,
        key: &TableKey,
        bi: usize,
        name: &Symbol,
        b: &super::parse::RuleBranch,
    ) {
        let Some(mut stat) = self.last_branch.take() else {
            return;
        };
        let k = (key.clone(), bi);
        if let Some((_, s)) = self.rule_stats.iter_mut().find(|(kk, _)| *kk == k) {
            s.merge(stat);
        } else {
            stat.rule = Some(rule_head_form(name, b));
            self.rule_stats.push((k, stat));
        }
    }
}

/// An evaluated function argument.
#[derive(Clone, Debug)]
enum Arg {
    Val(Value),
    Src(Src),
}

/// Tuples of a collection source.
pub fn coll_tuples(v: &Value) -> Result<Vec<Vec<Value>>> {
    let items: Vec<Value> = match v {
        Value::Vector(x) | Value::List(x) => x.to_vec(),
        Value::Set(s) => s.iter().cloned().collect(),
        other => {
            return Err(Error::syntax(format!(
                "A collection source should be a collection of tuples, got {other}"
            )));
        }
    };
    Ok(items
        .into_iter()
        .filter_map(|t| t.as_seq().map(|s| s.to_vec()))
        .collect())
}

fn coll_match(tuples: &[Vec<Value>], terms: &[Term], pvars: &[Var]) -> Rel {
    let mut rows = Vec::new();
    't: for t in tuples {
        if t.len() < terms.len() {
            continue;
        }
        let mut row: Vec<Option<Value>> = vec![None; pvars.len()];
        for (i, term) in terms.iter().enumerate() {
            match term {
                Term::Const(c) if &t[i] != c => continue 't,
                Term::Var(v) => {
                    let k = pvars.iter().position(|x| x == v).unwrap_or(0);
                    match &row[k] {
                        Some(x) if x != &t[i] => continue 't,
                        _ => row[k] = Some(t[i].clone()),
                    }
                }
                _ => {}
            }
        }
        rows.push(row.into_iter().map(|x| x.unwrap_or(Value::Nil)).collect());
    }
    Rel {
        vars: pvars.to_vec(),
        rows,
    }
}

/// Bound values by the value (or entity id) they match.
type ValueIndex = HashMap<Value, Vec<Value>>;

/// Matches a pattern against a database. `base` holds the bound variables
/// of the pattern; the result has columns `pvars`, with the bound variables
/// that were looked up (substituted) carrying their original values (so a
/// lookup ref from `:in` is returned as given).
fn db_match(
    db: &dyn Source,
    terms: &[Term],
    pvars: &[Var],
    base: &Rel,
    bound: &[Var],
    strict: bool,
) -> Result<Rel> {
    let pos_var = |i: usize| -> Option<&Var> { terms.get(i).and_then(Term::as_var) };
    let is_bound = |i: usize| pos_var(i).is_some_and(|v| bound.contains(v));
    let is_const = |i: usize| matches!(terms.get(i), Some(Term::Const(_)));
    // Substituted positions (one index seek per distinct combination):
    // e, a, and v when the seek can use it (e fixed, or a fixed and kept in
    // AVET). Other bound positions are matched by the hash join afterwards,
    // after a single scan.
    let const_a_avet = match terms.get(1) {
        Some(Term::Const(Value::Keyword(k))) => db.attr(k).is_some_and(|x| x.in_avet()),
        _ => false,
    };
    let e_fixed = is_bound(0) || is_const(0);
    let mut subst: Vec<usize> = Vec::new();
    for i in 0..3.min(terms.len()) {
        let use_v = e_fixed && (is_bound(1) || is_const(1)) || is_bound(1) || const_a_avet;
        if is_bound(i) && (i < 2 || use_v) {
            subst.push(i);
        }
    }
    let svars: Vec<Var> = {
        let mut s: Vec<Var> = Vec::new();
        for &i in &subst {
            if let Some(v) = pos_var(i) {
                if !s.contains(v) {
                    s.push(v.clone());
                }
            }
        }
        s
    };
    let combos = if svars.is_empty() {
        vec![Vec::new()]
    } else {
        base.project(&svars).rows
    };
    // A bound v that is not substituted (no index seek can use it, e.g. the
    // attribute is a variable) is filtered during the scan: each bound value
    // keyed by itself (non-ref attributes) and by the entity it resolves to
    // (ref attributes: ids, idents, lookup refs); rows carry the bound
    // value as given, so the join with its relation matches.
    let v_filter: Option<(ValueIndex, ValueIndex)> = match pos_var(2) {
        Some(vv) if is_bound(2) && !subst.contains(&2) && !svars.contains(vv) => {
            let mut plain: HashMap<Value, Vec<Value>> = HashMap::new();
            let mut refs: HashMap<Value, Vec<Value>> = HashMap::new();
            for row in base.project(std::slice::from_ref(vv)).rows {
                let Some(val) = row.into_iter().next() else {
                    continue;
                };
                let id = match &val {
                    Value::Long(_) => Some(val.clone()),
                    Value::Vector(_) | Value::Keyword(_) => {
                        db.entid(&val).ok().flatten().map(Value::Long)
                    }
                    _ => None,
                };
                if let Some(id) = id {
                    refs.entry(id).or_default().push(val.clone());
                }
                plain.entry(val.clone()).or_default().push(val);
            }
            Some((plain, refs))
        }
        _ => None,
    };
    // Resolve constant e.
    let mut consts: [Option<Value>; 5] = Default::default();
    for (i, c) in consts.iter_mut().enumerate() {
        if let Some(Term::Const(v)) = terms.get(i) {
            *c = Some(v.clone());
        }
    }
    if let Some(e) = &consts[0] {
        if !matches!(e, Value::Long(_)) {
            match db.entid(e)? {
                Some(id) => consts[0] = Some(Value::Long(id)),
                None => {
                    return Err(Error::lookup(format!("Nothing found for entity id {e}")));
                }
            }
        }
    }
    let mut rows = Vec::new();
    for combo in combos {
        let val_at = |i: usize| -> Option<Value> {
            if let Some(c) = &consts[i] {
                return Some(c.clone());
            }
            if subst.contains(&i) {
                let v = pos_var(i)?;
                let k = svars.iter().position(|x| x == v)?;
                return Some(combo[k].clone());
            }
            None
        };
        let mut e = val_at(0);
        if let Some(ev) = &e {
            if !matches!(ev, Value::Long(_)) {
                match db.entid(ev) {
                    Ok(Some(id)) => e = Some(Value::Long(id)),
                    Ok(None) if strict => {
                        return Err(Error::lookup(format!("Nothing found for entity id {ev}")));
                    }
                    Err(err) if strict => return Err(err),
                    _ => continue,
                }
            }
        }
        let a = val_at(1);
        let attr = a
            .as_ref()
            .and_then(|a| a.as_keyword())
            .and_then(|k| db.attr(k));
        if let Some(av) = &a {
            if av.as_keyword().is_none() {
                continue;
            }
        }
        let mut v = val_at(2);
        if let (Some(vv), Some(at)) = (v.clone(), &attr) {
            if at.is_ref() && !matches!(vv, Value::Long(_)) {
                match db.entid(&vv) {
                    Ok(Some(id)) => v = Some(Value::Long(id)),
                    _ => continue,
                }
            }
            if !at.is_ref()
                && at.tuple_attrs.is_none()
                && at.tuple_type.is_none()
                && at.tuple_types.is_none()
            {
                if let (Value::Vector(_), Some(vt)) = (&vv, at.value_type) {
                    return Err(Error::syntax(format!(
                        "Cannot match a vector {vv} against attribute {} of type {}",
                        at.ident,
                        vt.ident()
                    )));
                }
            }
        }
        let (index, comps): (IndexOrder, Vec<Value>) = match (&e, &a, &v) {
            (Some(e), Some(a), Some(v)) => {
                (IndexOrder::Eavt, vec![e.clone(), a.clone(), v.clone()])
            }
            (Some(e), Some(a), None) => (IndexOrder::Eavt, vec![e.clone(), a.clone()]),
            (Some(e), None, _) => (IndexOrder::Eavt, vec![e.clone()]),
            (None, Some(a), Some(v)) if attr.as_ref().is_some_and(|x| x.in_avet()) => {
                (IndexOrder::Avet, vec![a.clone(), v.clone()])
            }
            (None, Some(a), _) => (IndexOrder::Aevt, vec![a.clone()]),
            (None, None, _) => (IndexOrder::Eavt, vec![]),
        };
        let tx = val_at(3);
        let added = val_at(4);
        for d in db.datoms(index, &comps)? {
            let d = d?;
            let fields = [
                Value::Long(d.e),
                Value::Keyword(d.a.clone()),
                d.v.clone(),
                Value::Long(d.tx),
                Value::Bool(d.added),
            ];
            if let Some(vv) = &v {
                if index != IndexOrder::Avet && comps.len() < 3 && &d.v != vv {
                    continue;
                }
            }
            if let Some(t) = &tx {
                if &fields[3] != t {
                    continue;
                }
            }
            if let Some(ad) = &added {
                if &fields[4] != ad {
                    continue;
                }
            }
            let v_alts: Vec<Option<Value>> = match &v_filter {
                None => vec![None],
                Some((plain, refs)) => {
                    let is_ref = match &attr {
                        Some(at) => at.is_ref(),
                        None => db.attr(&d.a).is_some_and(|at| at.is_ref()),
                    };
                    let m = if is_ref { refs } else { plain };
                    match m.get(&d.v) {
                        Some(alts) => alts.iter().cloned().map(Some).collect(),
                        None => continue,
                    }
                }
            };
            for v_alt in v_alts {
                let mut row: Vec<Option<Value>> = vec![None; pvars.len()];
                let mut ok = true;
                for (i, term) in terms.iter().enumerate() {
                    if let Term::Var(var) = term {
                        let k = pvars.iter().position(|x| x == var).unwrap_or(0);
                        // substituted vars carry the combo's original value, a
                        // filtered v the bound value it matched
                        let val = if subst.contains(&i) {
                            let sk = svars.iter().position(|x| x == var).unwrap_or(0);
                            combo[sk].clone()
                        } else if let (2, Some(alt)) = (i, &v_alt) {
                            alt.clone()
                        } else {
                            fields[i].clone()
                        };
                        match &row[k] {
                            Some(x) if x != &val && !subst.contains(&i) => {
                                ok = false;
                                break;
                            }
                            Some(_) if subst.contains(&i) => {
                                // self-join between a substituted position and a
                                // datom field: compare resolved values
                                if fields[i] != resolved(db, &val) {
                                    ok = false;
                                    break;
                                }
                            }
                            _ => row[k] = Some(val),
                        }
                    }
                }
                if !ok {
                    continue;
                }
                // a repeated var whose first occurrence was substituted
                rows.push(row.into_iter().map(|x| x.unwrap_or(Value::Nil)).collect());
            }
        }
    }
    Ok(Rel {
        vars: pvars.to_vec(),
        rows,
    })
}

fn resolved(db: &dyn Source, v: &Value) -> Value {
    match v {
        Value::Long(_) => v.clone(),
        Value::Vector(_) | Value::Keyword(_) => match db.entid(v) {
            Ok(Some(e)) => Value::Long(e),
            _ => v.clone(),
        },
        _ => v.clone(),
    }
}

fn stat_kind(c: &Clause) -> &'static str {
    match c {
        Clause::Pattern { .. } => "lookup",
        Clause::Pred { .. } | Clause::Fn { .. } => "solve",
        Clause::Not { .. } => "not",
        Clause::Or { join: None, .. } => "or",
        Clause::Or { .. } => "or-join",
        Clause::Rule { .. } => "rule",
    }
}

/// The stat of one `or` branch: an `(and ...)` branch is an `:and` stat over
/// its clauses, a single clause is that clause's stat.
fn branch_stat(form: Value, mut frame: Vec<ClauseStat>, t0: Instant, sub: &Ctx) -> ClauseStat {
    let is_and = matches!(&form, Value::List(xs)
        if xs.first().and_then(Value::as_symbol).map(Symbol::full) == Some("and"));
    if !is_and && frame.len() == 1 {
        if let Some(s) = frame.pop() {
            return s;
        }
    }
    ClauseStat {
        clause: form,
        kind: "and",
        t_ms: t0.elapsed().as_secs_f64() * 1000.0,
        rels: ClauseStat::rels_of(sub),
        index: None,
        branches: Branches::Flat(frame),
        rule: None,
        runs: 1,
    }
}

/// A rule branch's head as written: `(name [?req ...] ?free ...)`.
fn rule_head_form(name: &Symbol, b: &super::parse::RuleBranch) -> Value {
    let mut items = vec![Value::Symbol(name.clone())];
    if !b.required.is_empty() {
        items.push(Value::vector(
            b.required.iter().cloned().map(Value::Symbol).collect(),
        ));
    }
    items.extend(
        b.head
            .iter()
            .filter(|h| !b.required.contains(h))
            .cloned()
            .map(Value::Symbol),
    );
    Value::list(items)
}

/// The rules each rule calls, with whether the call is negated (inside a
/// `not`, at any depth).
fn rule_calls(clauses: &[Clause], neg: bool, out: &mut Vec<(Symbol, bool)>) {
    for c in clauses {
        match c {
            Clause::Rule { name, .. } => out.push((name.clone(), neg)),
            Clause::Not { body, .. } => rule_calls(body, true, out),
            Clause::Or { branches, .. } => branches.iter().for_each(|b| rule_calls(b, neg, out)),
            _ => {}
        }
    }
}

/// Stratifies `rules`: returns, for each rule, the set of rules it depends
/// on (itself included), or a Syntax error when a rule depends negatively on
/// itself through recursion (no stratum can be completed before it is
/// negated).
pub fn stratify(rules: &Rules) -> Result<HashMap<Symbol, HashSet<Symbol>>> {
    let mut edges: HashMap<&Symbol, Vec<(Symbol, bool)>> = HashMap::new();
    for (name, branches) in rules {
        let mut calls = Vec::new();
        for b in branches {
            rule_calls(&b.body, false, &mut calls);
        }
        edges.insert(name, calls);
    }
    let mut deps: HashMap<Symbol, HashSet<Symbol>> = HashMap::new();
    for name in rules.keys() {
        let mut seen: HashSet<Symbol> = HashSet::from([name.clone()]);
        let mut stack = vec![name.clone()];
        while let Some(n) = stack.pop() {
            for (m, _) in edges.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        deps.insert(name.clone(), seen);
    }
    let mut names: Vec<&Symbol> = rules.keys().collect();
    names.sort();
    for name in names {
        for (callee, neg) in edges.get(name).map(Vec::as_slice).unwrap_or(&[]) {
            let cyclic = deps.get(callee).is_some_and(|d| d.contains(name));
            if *neg && cyclic {
                let mut cycle: Vec<&str> = rules
                    .keys()
                    .filter(|r| {
                        deps.get(*r).is_some_and(|d| d.contains(name))
                            && deps.get(name).is_some_and(|d| d.contains(*r))
                    })
                    .map(Symbol::full)
                    .collect();
                cycle.sort_unstable();
                return Err(Error::syntax(format!(
                    "Rules {} recurse through negation: {name} negates {callee}, which depends on {name}",
                    cycle.join(", ")
                )));
            }
        }
    }
    Ok(deps)
}
