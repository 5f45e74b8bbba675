//! The Datalog query engine: Datahike's `q`, `query-stats` and an `explain`.
//!
//! Pipeline, one module per stage:
//! - [`parse()`]: EDN form → typed [`Query`] with parser-level validation;
//! - [`plan`]: clause order and index choice;
//! - [`eval`]: relations, hash joins, patterns, functions, `not`/`or`, rules;
//! - [`find`]: find specs, `:with`, aggregates, pull, return maps, paging.
//!
//! Call forms accepted by [`q`]: a vector query, a map query, an EDN string
//! of either (a leading `(quote ...)` is unwrapped), or an arg map
//! `{:query q :args [...] :offset n :limit n}`. `:offset`/`:limit` are
//! honoured in map forms only (in a vector query they are parsed and
//! ignored, like Datahike). Positional `inputs` pair with `:in`; when
//! `inputs` is empty the arg map's `:args` are used (as values).

pub mod builtins;
pub mod deps;
pub mod eval;
pub mod find;
pub mod parse;
pub mod plan;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::Source;
use crate::value::{Keyword, Symbol, Value};

pub use parse::{Query, parse_query};

use eval::{Ctx, Engine};
use find::Page;
use parse::{Clause, InBinding};

/// One positional input of a query.
#[derive(Clone)]
pub enum Input {
    /// A database (bound to a `$` source).
    Db(Arc<dyn Source>),
    /// Any value: a collection source, rules, or a binding's value.
    Value(Value),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Db(_) => f.write_str("Input::Db"),
            Input::Value(v) => write!(f, "Input::Value({v})"),
        }
    }
}

/// Runs a query. See the module docs for the accepted forms.
pub fn q(query: &Value, inputs: &[Input]) -> Result<Value> {
    let (parsed, inputs, page) = prepare(query, inputs)?;
    let (ctx, engine) = execute(&parsed, &inputs, false)?;
    find::finish(&parsed, &ctx, &engine, page)
}

/// Runs a query and reports per-clause statistics in Datahike's shape:
///
/// `{:ret result :query query-map :rules {name [rule-form ...]} :consts {?var value}
///   :stats [clause-stat ...]}`
///
/// `:query` is the query as a map of its sections, `:rules` the rules input
/// grouped by name (`{}` without rules), `:consts` the scalar `:in` bindings.
/// One clause stat per top-level `:where` clause, in execution order:
///
/// `{:clause form :type t :t ms :rels [{:rows n :bound #{?vars}} ...]
///   :index :eavt|:aevt|:avet|nil :branches [...]}`
///
/// - `:type` is `:lookup` (data pattern), `:solve` (predicate or function,
///   and each branch of a rule), `:not` (also `not-join`), `:or`,
///   `:or-join`, `:and` (an `and` branch of an `or`) or `:rule`;
/// - `:t` is the elapsed wall time in milliseconds (a double);
/// - `:rels` describes the relations of the context after the clause ran;
/// - `:index` (an extension) is the index a pattern on a database used;
/// - `:branches` (not on `:lookup`/`:solve` clauses) holds the nested stats:
///   the body's clause stats for `not`/`and`; one vector per branch for
///   `or`; one stat per branch for `or-join`; for a rule call, one `:solve`
///   stat per rule branch evaluated by the fixpoint the call started, with
///   `:clause` the branch body, `:rule` its head, `:runs` how many times the
///   fixpoint ran it, `:t` summed over the runs and `:rels`/`:branches` from
///   its latest run (a rule call answered from already computed tables, or
///   nested in a rule, has empty `:branches`).
pub fn query_stats(query: &Value, inputs: &[Input]) -> Result<Value> {
    let (parsed, inputs, page) = prepare(query, inputs)?;
    let (ctx, engine) = execute(&parsed, &inputs, true)?;
    let ret = find::finish(&parsed, &ctx, &engine, page)?;
    let stats: Vec<Value> = engine
        .stats
        .clone()
        .and_then(|mut frames| frames.pop())
        .unwrap_or_default()
        .into_iter()
        .map(stat_value)
        .collect();
    let query_map = match parse::query_sections(&parsed.form) {
        Ok(secs) => Value::map(secs.into_iter().map(|(k, v)| {
            let v = match k.as_str() {
                "limit" | "offset" => v.into_iter().next().unwrap_or(Value::Nil),
                _ => Value::vector(v),
            };
            (Value::kw(&k), v)
        })),
        Err(_) => parsed.form.clone(),
    };
    let mut rules: Vec<(Value, Vec<Value>)> = Vec::new();
    if let Some(form) = &engine.rules_form {
        for r in form.as_seq().unwrap_or(&[]) {
            let name = r
                .as_seq()
                .and_then(|p| p.first())
                .and_then(Value::as_seq)
                .and_then(|h| h.first())
                .cloned()
                .unwrap_or(Value::Nil);
            match rules.iter_mut().find(|(n, _)| *n == name) {
                Some((_, rs)) => rs.push(r.clone()),
                None => rules.push((name, vec![r.clone()])),
            }
        }
    }
    Ok(Value::map([
        (Value::kw("ret"), ret),
        (Value::kw("query"), query_map),
        (
            Value::kw("rules"),
            Value::map(rules.into_iter().map(|(n, rs)| (n, Value::vector(rs)))),
        ),
        (
            Value::kw("consts"),
            Value::map(
                engine
                    .consts
                    .iter()
                    .map(|(k, v)| (Value::Symbol(k.clone()), v.clone())),
            ),
        ),
        (Value::kw("stats"), Value::vector(stats)),
    ]))
}

fn stat_value(s: eval::ClauseStat) -> Value {
    let mut entries = vec![
        (Value::kw("clause"), s.clause),
        (Value::kw("type"), Value::kw(s.kind)),
        (Value::kw("t"), Value::Double(s.t_ms)),
        (
            Value::kw("rels"),
            Value::vector(
                s.rels
                    .into_iter()
                    .map(|(rows, vars)| {
                        Value::map([
                            (Value::kw("rows"), Value::Long(rows as i64)),
                            (
                                Value::kw("bound"),
                                Value::set(vars.into_iter().map(Value::Symbol)),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            Value::kw("index"),
            s.index.map(index_kw).unwrap_or(Value::Nil),
        ),
    ];
    let stats = |v: Vec<eval::ClauseStat>| Value::vector(v.into_iter().map(stat_value).collect());
    match s.branches {
        eval::Branches::None => {}
        eval::Branches::Flat(v) => entries.push((Value::kw("branches"), stats(v))),
        eval::Branches::PerBranch(vs) => entries.push((
            Value::kw("branches"),
            Value::vector(vs.into_iter().map(stats).collect()),
        )),
    }
    if let Some(head) = s.rule {
        entries.push((Value::kw("rule"), head));
        entries.push((Value::kw("runs"), Value::Long(s.runs as i64)));
    }
    Value::map(entries)
}

fn index_kw(i: crate::datom::IndexOrder) -> Value {
    Value::kw(i.current().name())
}

/// The plan chosen for the `:where` clauses, as text: one line per clause in
/// execution order, numbered, with the index (`index=:eavt|:aevt|:avet`, or
/// `index=nil (collection)` for a collection source) and the row estimate
/// from constants (`est=n`) of every data pattern. The bodies of
/// `not`/`not-join`, the branches of `or`/`or-join` (an `(and ...)` branch
/// says so) and, for a rule call, each branch of the rule follow their
/// clause indented, planned with the variables bound at that point (for a
/// rule branch: the head variables the call binds). A rule already expanded
/// for the same bound arguments is not expanded again.
pub fn explain(query: &Value, inputs: &[Input]) -> Result<String> {
    let (parsed, inputs, _) = prepare(query, inputs)?;
    let (engine, ctx) = bind_inputs(&parsed, &inputs)?;
    let mut out = String::new();
    let mut ex = Explainer {
        engine: &engine,
        seen: Vec::new(),
        out: &mut out,
    };
    ex.clauses(
        &parsed.clauses,
        &ctx.bound_vars(),
        &parse::default_src(),
        "",
        0,
    )?;
    Ok(out)
}

struct Explainer<'a> {
    engine: &'a Engine,
    /// Rules (with their bound-argument pattern) already expanded.
    seen: Vec<(Symbol, Vec<bool>)>,
    out: &'a mut String,
}

impl Explainer<'_> {
    fn line(&mut self, depth: usize, text: &str) {
        self.out.push_str(&"   ".repeat(depth));
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn clauses(
        &mut self,
        clauses: &[Clause],
        bound0: &std::collections::BTreeSet<Symbol>,
        default: &Symbol,
        prefix: &str,
        depth: usize,
    ) -> Result<()> {
        let steps = self.engine.plan_bound(clauses, bound0, default)?;
        let mut bound = bound0.clone();
        for (n, st) in steps.iter().enumerate() {
            let c = &clauses[st.clause];
            let num = format!("{prefix}{}.", n + 1);
            let kind = match c {
                Clause::Pattern { .. } => "pattern",
                Clause::Pred { .. } => "predicate",
                Clause::Fn { .. } => "function",
                Clause::Not { join: None, .. } => "not",
                Clause::Not { .. } => "not-join",
                Clause::Or { join: None, .. } => "or",
                Clause::Or { .. } => "or-join",
                Clause::Rule { .. } => "rule",
            };
            let mut text = format!("{num} {kind} {}", c.form());
            if let Clause::Pattern { .. } = c {
                match st.index {
                    Some(i) => text.push_str(&format!(" index={}", index_kw(i))),
                    None => text.push_str(" index=nil (collection)"),
                }
            }
            if let Some(e) = st.estimate {
                text.push_str(&format!(" est={e}"));
            }
            self.line(depth, &text);
            let src_of = |s: &Option<Symbol>| s.clone().unwrap_or_else(|| default.clone());
            match c {
                Clause::Not {
                    src, join, body, ..
                } => {
                    let inner: std::collections::BTreeSet<Symbol> = match join {
                        Some(js) => js.iter().cloned().collect(),
                        None => body
                            .iter()
                            .flat_map(Clause::vars)
                            .filter(|v| bound.contains(v))
                            .collect(),
                    };
                    self.clauses(body, &inner, &src_of(src), &num, depth + 1)?;
                }
                Clause::Or {
                    src,
                    join,
                    branches,
                    form,
                } => {
                    let vars: std::collections::BTreeSet<Symbol> = match join {
                        Some((req, free)) => req.iter().chain(free).cloned().collect(),
                        None => branches.iter().flatten().flat_map(Clause::vars).collect(),
                    };
                    let inner: std::collections::BTreeSet<Symbol> =
                        vars.intersection(&bound).cloned().collect();
                    let forms = form.as_seq().unwrap_or(&[]);
                    let forms = &forms[forms.len().saturating_sub(branches.len())..];
                    for (k, b) in branches.iter().enumerate() {
                        let is_and = matches!(forms.get(k), Some(Value::List(xs))
                            if xs.first().and_then(Value::as_symbol).map(Symbol::full)
                                == Some("and"));
                        let label = if is_and { " (and)" } else { "" };
                        self.line(depth + 1, &format!("branch {}{label}:", k + 1));
                        let p = format!("{num}{}.", k + 1);
                        self.clauses(b, &inner, &src_of(src), &p, depth + 2)?;
                    }
                }
                Clause::Rule {
                    src, name, args, ..
                } => self.rule(name, args, &bound, &src_of(src), &num, depth)?,
                _ => {}
            }
            bound.extend(plan::binds(c));
        }
        Ok(())
    }

    fn rule(
        &mut self,
        name: &Symbol,
        args: &[parse::Term],
        bound: &std::collections::BTreeSet<Symbol>,
        src: &Symbol,
        num: &str,
        depth: usize,
    ) -> Result<()> {
        let adorn: Vec<bool> = args
            .iter()
            .map(|a| match a {
                parse::Term::Const(_) => true,
                parse::Term::Var(v) => bound.contains(v),
                _ => false,
            })
            .collect();
        let key = (name.clone(), adorn.clone());
        if self.seen.contains(&key) {
            self.line(depth + 1, "(branches listed above)");
            return Ok(());
        }
        self.seen.push(key);
        let Some(branches) = self.engine.rules.get(name) else {
            return Ok(());
        };
        for (k, b) in branches.iter().enumerate() {
            let heads: std::collections::BTreeSet<Symbol> = b
                .head
                .iter()
                .zip(&adorn)
                .filter(|(_, x)| **x)
                .map(|(h, _)| h.clone())
                .collect();
            let head = Value::list(
                std::iter::once(Value::Symbol(name.clone()))
                    .chain(b.head.iter().cloned().map(Value::Symbol))
                    .collect(),
            );
            let bound_txt = if heads.is_empty() {
                "none".to_string()
            } else {
                heads
                    .iter()
                    .map(|h| h.full().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            self.line(
                depth + 1,
                &format!("branch {} {head} bound: {bound_txt}", k + 1),
            );
            let p = format!("{num}{}.", k + 1);
            self.clauses(&b.body, &heads, src, &p, depth + 2)?;
        }
        Ok(())
    }
}

/// Parses a query form (vector, map, arg map or EDN string) into its AST.
pub fn parse(query: &Value) -> Result<Query> {
    let (form, _, _) = normalize(query)?;
    parse_query(&form)
}

fn unquote(v: Value) -> Result<Value> {
    let v = match v {
        Value::Str(s) => crate::edn::read(&s)?,
        other => other,
    };
    if let Value::List(items) = &v {
        if items.len() == 2 && items[0] == Value::sym("quote") {
            return Ok(items[1].clone());
        }
    }
    Ok(v)
}

/// Splits a call form into (query form, args from the map, page).
fn normalize(query: &Value) -> Result<(Value, Option<Vec<Value>>, Page)> {
    let query = unquote(query.clone())?;
    let Value::Map(m) = &query else {
        return Ok((query, None, Page::default()));
    };
    let num = |k: &str| -> Result<Option<i64>> {
        match m.get(&Value::kw(k)) {
            None | Some(Value::Nil) => Ok(None),
            Some(Value::Long(n)) => Ok(Some(*n)),
            Some(other) => Err(Error::syntax(format!(
                ":{k} should be a number, got {other}"
            ))),
        }
    };
    let page = Page {
        offset: num("offset")?,
        limit: num("limit")?,
    };
    let args = m
        .get(&Value::kw("args"))
        .map(|a| a.as_seq().map(|s| s.to_vec()).unwrap_or_default());
    let form = match m.get(&Value::kw("query")) {
        Some(inner) => {
            let inner = unquote(inner.clone())?;
            // An inner map query may carry its own offset/limit.
            if let Value::Map(im) = &inner {
                let mut page = page;
                if page.offset.is_none() {
                    page.offset = im.get(&Value::kw("offset")).and_then(Value::as_long);
                }
                if page.limit.is_none() {
                    page.limit = im.get(&Value::kw("limit")).and_then(Value::as_long);
                }
                return Ok((strip(&inner), args, page));
            }
            inner
        }
        None => strip(&query),
    };
    Ok((form, args, page))
}

fn strip(map: &Value) -> Value {
    match map {
        Value::Map(m) => Value::map(m.iter().filter_map(|(k, v)| {
            let keep = !matches!(
                k.as_keyword().map(Keyword::full),
                Some("args" | "offset" | "limit" | "stats?" | "settings" | "query")
            );
            keep.then(|| (k.clone(), v.clone()))
        })),
        other => other.clone(),
    }
}

fn prepare(query: &Value, inputs: &[Input]) -> Result<(Query, Vec<Input>, Page)> {
    let (form, args, page) = normalize(query)?;
    let parsed = parse_query(&form)?;
    let inputs = if inputs.is_empty() {
        args.unwrap_or_default()
            .into_iter()
            .map(Input::Value)
            .collect()
    } else {
        inputs.to_vec()
    };
    Ok((parsed, inputs, page))
}

fn bind_inputs(q: &Query, inputs: &[Input]) -> Result<(Engine, Ctx)> {
    let mut engine = Engine::default();
    let mut ctx = Ctx::default();
    for (ib, input) in q.inputs.iter().zip(inputs) {
        match ib {
            InBinding::Source(name) => engine.add_source(name.clone(), input)?,
            InBinding::Rules => {
                let Input::Value(v) = input else {
                    return Err(Error::syntax(
                        "Rules (%) should be given as a value, not a database",
                    ));
                };
                let v = match v {
                    Value::Str(s) => crate::edn::read(s)?,
                    other => other.clone(),
                };
                engine.rules = parse::parse_rules(&v)?;
                engine.deps = eval::stratify(&engine.rules)?;
                engine.rules_form = Some(v);
            }
            InBinding::Bind(b) => {
                let Input::Value(v) = input else {
                    return Err(Error::syntax(format!(
                        "Cannot bind a database to {}",
                        eval::binding_form(b)
                    )));
                };
                let rows = eval::bind_value(b, v)?;
                let vars = b.vars();
                if let parse::Binding::Var(x) = b {
                    engine.scalars.insert(x.clone());
                    engine.consts.push((x.clone(), v.clone()));
                }
                ctx.add(eval::Rel { vars, rows });
            }
        }
    }
    let arities: HashMap<Symbol, usize> = engine
        .rules
        .iter()
        .map(|(k, v)| (k.clone(), v[0].head.len()))
        .collect();
    parse::check_rule_calls(&q.clauses, &arities)?;
    Ok((engine, ctx))
}

fn execute(q: &Query, inputs: &[Input], stats: bool) -> Result<(Ctx, Engine)> {
    let (mut engine, mut ctx) = bind_inputs(q, inputs)?;
    if stats {
        engine.stats = Some(vec![Vec::new()]);
    }
    engine.run(&mut ctx, &q.clauses, &parse::default_src())?;
    Ok((ctx, engine))
}
