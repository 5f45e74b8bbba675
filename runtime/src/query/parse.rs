//! Parsing: EDN query forms into the typed AST [`Query`], with Datahike's
//! parser-level validation (unknown find vars, malformed clauses, unknown
//! sources, rule arity, `or` branches with different vars, ...).

use std::collections::{BTreeSet, HashMap};

use crate::error::{Error, Result};
use crate::value::{Symbol, Value};

/// Maximum nesting of `not`/`or`/`and` forms accepted (guards recursion).
pub const MAX_DEPTH: usize = 64;

/// A query variable (`?x`) or a plain symbol bound through `:in`.
pub type Var = Symbol;

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The find specification.
    pub find: FindSpec,
    /// `:keys`/`:strs`/`:syms`, if given.
    pub return_maps: Option<ReturnMaps>,
    /// `:with` variables.
    pub with: Vec<Var>,
    /// `:in` bindings (defaults to `[$]`).
    pub inputs: Vec<InBinding>,
    /// `:where` clauses.
    pub clauses: Vec<Clause>,
    /// The original form (for stats and messages).
    pub form: Value,
}

/// How the result is shaped.
#[derive(Clone, Debug, PartialEq)]
pub enum FindSpec {
    /// `:find ?a ?b` — a set (or vector) of tuples.
    Rel(Vec<FindElem>),
    /// `:find [?a ...]` — a collection of values.
    Coll(FindElem),
    /// `:find [?a ?b]` — one tuple or nil.
    Tuple(Vec<FindElem>),
    /// `:find ?a .` — one value or nil.
    Scalar(FindElem),
}

impl FindSpec {
    /// The find elements in order.
    pub fn elems(&self) -> &[FindElem] {
        match self {
            FindSpec::Rel(v) | FindSpec::Tuple(v) => v,
            FindSpec::Coll(e) | FindSpec::Scalar(e) => std::slice::from_ref(e),
        }
    }
}

/// One element of a find spec.
#[derive(Clone, Debug, PartialEq)]
pub enum FindElem {
    /// A variable.
    Var(Var),
    /// `(pull $src? ?e pattern)`.
    Pull {
        /// Source name (`$` by default).
        src: Symbol,
        /// The entity variable.
        var: Var,
        /// The pattern: a constant, or a variable bound through `:in`.
        pattern: Term,
    },
    /// `(agg-fn args...)` or `(aggregate ?f args...)`.
    Agg {
        /// The aggregate's name, or a variable holding it.
        func: Term,
        /// Leading arguments (constants or scalar vars).
        extra: Vec<Term>,
        /// The aggregated variable.
        var: Var,
    },
}

impl FindElem {
    /// Variables this element reads from the result tuples.
    pub fn var(&self) -> &Var {
        match self {
            FindElem::Var(v) | FindElem::Pull { var: v, .. } | FindElem::Agg { var: v, .. } => v,
        }
    }
}

/// `:keys`, `:strs` or `:syms`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnMaps {
    /// Which one.
    pub kind: ReturnKind,
    /// The key names.
    pub names: Vec<String>,
}

/// Kind of return maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnKind {
    /// Keyword keys.
    Keys,
    /// String keys.
    Strs,
    /// Symbol keys.
    Syms,
}

/// An argument or pattern position.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// A variable.
    Var(Var),
    /// `_`.
    Blank,
    /// A source variable (`$`, `$x`) in function argument position.
    Src(Symbol),
    /// A constant.
    Const(Value),
}

impl Term {
    /// The variable, if this is one.
    pub fn as_var(&self) -> Option<&Var> {
        match self {
            Term::Var(v) => Some(v),
            _ => None,
        }
    }
}

/// A binding form (`:in` or function output).
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    /// `_`.
    Blank,
    /// `?x`.
    Var(Var),
    /// `[?a ?b]`.
    Tuple(Vec<Binding>),
    /// `[b ...]`.
    Coll(Box<Binding>),
}

impl Binding {
    /// Variables in order of appearance.
    pub fn vars(&self) -> Vec<Var> {
        let mut out = Vec::new();
        self.collect_vars(&mut out);
        out
    }
    fn collect_vars(&self, out: &mut Vec<Var>) {
        match self {
            Binding::Blank => {}
            Binding::Var(v) => out.push(v.clone()),
            Binding::Tuple(bs) => bs.iter().for_each(|b| b.collect_vars(out)),
            Binding::Coll(b) => b.collect_vars(out),
        }
    }
}

/// One `:in` binding.
#[derive(Clone, Debug, PartialEq)]
pub enum InBinding {
    /// `$` or `$name`.
    Source(Symbol),
    /// `%`.
    Rules,
    /// Any other binding form.
    Bind(Binding),
}

/// A `:where` clause.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `[$src? e a v tx added]`.
    Pattern {
        /// Explicit source.
        src: Option<Symbol>,
        /// 1 to 5 positions.
        terms: Vec<Term>,
        /// The form as written.
        form: Value,
    },
    /// `[(pred args...)]`.
    Pred {
        /// Function name.
        func: Symbol,
        /// Arguments.
        args: Vec<Term>,
        /// The form.
        form: Value,
    },
    /// `[(f args...) binding]`.
    Fn {
        /// Function name.
        func: Symbol,
        /// Arguments.
        args: Vec<Term>,
        /// Output binding.
        binding: Binding,
        /// The form.
        form: Value,
    },
    /// `(not ...)` / `(not-join [vars] ...)`.
    Not {
        /// Source prefix.
        src: Option<Symbol>,
        /// Join vars of not-join.
        join: Option<Vec<Var>>,
        /// Body.
        body: Vec<Clause>,
        /// The form.
        form: Value,
    },
    /// `(or ...)` / `(or-join [[req] vars] ...)`.
    Or {
        /// Source prefix.
        src: Option<Symbol>,
        /// `(required, free)` vars of or-join.
        join: Option<(Vec<Var>, Vec<Var>)>,
        /// Branches (each a conjunction).
        branches: Vec<Vec<Clause>>,
        /// The form.
        form: Value,
    },
    /// `($src? rule-name args...)`.
    Rule {
        /// Source prefix.
        src: Option<Symbol>,
        /// Rule name.
        name: Symbol,
        /// Arguments.
        args: Vec<Term>,
        /// The form.
        form: Value,
    },
}

impl Clause {
    /// The clause as written.
    pub fn form(&self) -> &Value {
        match self {
            Clause::Pattern { form, .. }
            | Clause::Pred { form, .. }
            | Clause::Fn { form, .. }
            | Clause::Not { form, .. }
            | Clause::Or { form, .. }
            | Clause::Rule { form, .. } => form,
        }
    }

    /// Every variable mentioned (including inside nested forms; for
    /// `not-join`/`or-join` only the join vars).
    pub fn vars(&self) -> BTreeSet<Var> {
        let mut out = BTreeSet::new();
        self.collect_vars(&mut out);
        out
    }

    fn collect_vars(&self, out: &mut BTreeSet<Var>) {
        let terms = |ts: &[Term], out: &mut BTreeSet<Var>| {
            for t in ts {
                if let Term::Var(v) = t {
                    out.insert(v.clone());
                }
            }
        };
        match self {
            Clause::Pattern { terms: ts, .. } => terms(ts, out),
            Clause::Pred { args, .. } => terms(args, out),
            Clause::Fn { args, binding, .. } => {
                terms(args, out);
                out.extend(binding.vars());
            }
            Clause::Rule { args, .. } => terms(args, out),
            Clause::Not { join: Some(vs), .. } => out.extend(vs.iter().cloned()),
            Clause::Not { body, .. } => body.iter().for_each(|c| c.collect_vars(out)),
            Clause::Or {
                join: Some((r, f)), ..
            } => {
                out.extend(r.iter().cloned());
                out.extend(f.iter().cloned());
            }
            Clause::Or { branches, .. } => {
                branches.iter().flatten().for_each(|c| c.collect_vars(out))
            }
        }
    }

    /// Sources named by this clause or nested clauses.
    fn collect_sources(&self, out: &mut BTreeSet<Symbol>) {
        match self {
            Clause::Pattern { src, .. } | Clause::Rule { src, .. } => {
                out.extend(src.iter().cloned())
            }
            Clause::Pred { args, .. } | Clause::Fn { args, .. } => {
                for a in args {
                    if let Term::Src(s) = a {
                        out.insert(s.clone());
                    }
                }
            }
            Clause::Not { src, body, .. } => {
                out.extend(src.iter().cloned());
                body.iter().for_each(|c| c.collect_sources(out));
            }
            Clause::Or { src, branches, .. } => {
                out.extend(src.iter().cloned());
                branches
                    .iter()
                    .flatten()
                    .for_each(|c| c.collect_sources(out));
            }
        }
    }

    /// Does this clause call a rule (here or nested)?
    pub fn has_rule_call(&self) -> bool {
        match self {
            Clause::Rule { .. } => true,
            Clause::Not { body, .. } => body.iter().any(Clause::has_rule_call),
            Clause::Or { branches, .. } => branches.iter().flatten().any(Clause::has_rule_call),
            _ => false,
        }
    }
}

/// One branch of a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleBranch {
    /// Required (bound) head vars.
    pub required: Vec<Var>,
    /// Head vars, required ones first.
    pub head: Vec<Var>,
    /// The body.
    pub body: Vec<Clause>,
}

/// Rules by name.
pub type Rules = HashMap<Symbol, Vec<RuleBranch>>;

fn err(msg: impl Into<String>) -> Error {
    Error::syntax(msg)
}

/// Is `s` a query variable (`?x`)?
pub fn is_var(s: &Symbol) -> bool {
    s.full().starts_with('?')
}

/// Is `s` a source variable (`$`, `$x`)?
pub fn is_src(s: &Symbol) -> bool {
    s.full().starts_with('$')
}

/// The default source `$`.
pub fn default_src() -> Symbol {
    Symbol::new("$")
}

fn sym_of(v: &Value) -> Option<&Symbol> {
    v.as_symbol()
}

/// Splits a vector query into its keyword sections, like Datahike's
/// `query->map`: the elements after a keyword are appended to its section
/// (a keyword given twice continues its section), and a keyword followed
/// directly by another keyword or the end adds nothing, so an empty `:in`
/// leaves the default `[$]` and an empty `:with` no with-variables.
fn sections(items: &[Value]) -> Result<HashMap<String, Vec<Value>>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    let mut cur: Option<String> = None;
    for it in items {
        if let Value::Keyword(k) = it {
            let name = k.full();
            if matches!(
                name,
                "find" | "with" | "in" | "where" | "keys" | "strs" | "syms" | "limit" | "offset"
            ) {
                cur = Some(name.to_string());
                continue;
            }
        }
        match &cur {
            Some(c) => out.entry(c.clone()).or_default().push(it.clone()),
            None => {
                return Err(err(format!(
                    "Query should start with a keyword like :find, got {it}"
                )));
            }
        }
    }
    Ok(out)
}

/// Normalises a query form (vector or map) into keyword sections.
pub fn query_sections(form: &Value) -> Result<HashMap<String, Vec<Value>>> {
    match form {
        Value::Vector(items) | Value::List(items) => sections(items),
        Value::Map(m) => {
            let mut out = HashMap::new();
            for (k, v) in m.iter() {
                let Some(k) = k.as_keyword() else {
                    return Err(err(format!("Query map keys should be keywords, got {k}")));
                };
                let name = k.full().to_string();
                let vals = match (name.as_str(), v) {
                    ("limit" | "offset", v) => vec![v.clone()],
                    (_, Value::Vector(xs)) | (_, Value::List(xs)) => xs.to_vec(),
                    (_, v) => vec![v.clone()],
                };
                out.insert(name, vals);
            }
            Ok(out)
        }
        other => Err(err(format!(
            "Query should be a vector or a map, got {other}"
        ))),
    }
}

/// Parses a query form.
pub fn parse_query(form: &Value) -> Result<Query> {
    let secs = query_sections(form)?;
    for k in secs.keys() {
        if !matches!(
            k.as_str(),
            "find" | "with" | "in" | "where" | "keys" | "strs" | "syms" | "limit" | "offset"
        ) {
            return Err(err(format!("Query contains unknown key :{k}")));
        }
    }
    let find_forms = secs
        .get("find")
        .ok_or_else(|| err(format!("Query should contain :find: {form}")))?;
    let find = parse_find(find_forms)?;
    let mut plain_syms: BTreeSet<Symbol> = BTreeSet::new();

    let inputs = match secs.get("in") {
        None => vec![InBinding::Source(default_src())],
        Some(ins) => ins
            .iter()
            .map(|i| parse_in(i, &mut plain_syms))
            .collect::<Result<Vec<_>>>()?,
    };
    // :in vars distinct
    let mut seen = BTreeSet::new();
    for ib in &inputs {
        let names: Vec<Symbol> = match ib {
            InBinding::Source(s) => vec![s.clone()],
            InBinding::Rules => vec![Symbol::new("%")],
            InBinding::Bind(b) => b.vars(),
        };
        for n in names {
            if !seen.insert(n.clone()) {
                return Err(err(format!(
                    "Vars used in :in should be distinct: {n} appears twice"
                )));
            }
        }
    }
    let ctx = ParseCtx {
        plain: plain_syms.clone(),
    };
    let clauses = match secs.get("where") {
        None => Vec::new(),
        Some(ws) => ws
            .iter()
            .map(|c| ctx.parse_clause(c, 0))
            .collect::<Result<Vec<_>>>()?,
    };
    let with = match secs.get("with") {
        None => Vec::new(),
        Some(ws) => ws
            .iter()
            .map(|w| match sym_of(w) {
                Some(s) if is_var(s) => Ok(s.clone()),
                _ => Err(err(format!(":with should contain variables, got {w}"))),
            })
            .collect::<Result<Vec<_>>>()?,
    };
    let mut rm: Option<ReturnMaps> = None;
    for (key, kind) in [
        ("keys", ReturnKind::Keys),
        ("strs", ReturnKind::Strs),
        ("syms", ReturnKind::Syms),
    ] {
        if let Some(names) = secs.get(key) {
            if rm.is_some() {
                return Err(err(
                    "Only one of :keys, :strs, :syms may be given in a query",
                ));
            }
            let names = names
                .iter()
                .map(|n| match n {
                    Value::Symbol(s) => Ok(s.full().to_string()),
                    Value::Keyword(k) => Ok(k.full().to_string()),
                    Value::Str(s) => Ok(s.to_string()),
                    other => Err(err(format!(
                        ":{key} should contain symbols or keywords, got {other}"
                    ))),
                })
                .collect::<Result<Vec<_>>>()?;
            rm = Some(ReturnMaps { kind, names });
        }
    }
    if let Some(r) = &rm {
        if r.names.len() != find.elems().len() {
            return Err(err(format!(
                "Count of :keys/:strs/:syms must match count of :find: {} vs {}",
                r.names.len(),
                find.elems().len()
            )));
        }
    }

    // Validation: sources, rules, find vars.
    let declared_src: BTreeSet<Symbol> = inputs
        .iter()
        .filter_map(|i| match i {
            InBinding::Source(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let mut used_src = BTreeSet::new();
    clauses
        .iter()
        .for_each(|c| c.collect_sources(&mut used_src));
    for e in find.elems() {
        if let FindElem::Pull { src, .. } = e {
            used_src.insert(src.clone());
        }
    }
    let unknown: Vec<String> = used_src
        .difference(&declared_src)
        .map(|s| s.full().to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(err(format!(
            "Where uses unknown source vars: [{}]",
            unknown.join(" ")
        )));
    }
    if clauses.iter().any(Clause::has_rule_call) && !inputs.contains(&InBinding::Rules) {
        return Err(err("Missing rules var '%' in :in"));
    }
    let mut known: BTreeSet<Var> = BTreeSet::new();
    for c in &clauses {
        known.extend(c.vars());
    }
    for ib in &inputs {
        if let InBinding::Bind(b) = ib {
            known.extend(b.vars());
        }
    }
    let mut needed: Vec<Var> = Vec::new();
    for e in find.elems() {
        needed.push(e.var().clone());
        match e {
            FindElem::Pull {
                pattern: Term::Var(p),
                ..
            } => needed.push(p.clone()),
            FindElem::Agg { func, extra, .. } => {
                if let Term::Var(f) = func {
                    needed.push(f.clone());
                }
                extra
                    .iter()
                    .filter_map(Term::as_var)
                    .for_each(|v| needed.push(v.clone()));
            }
            _ => {}
        }
    }
    needed.extend(with.iter().cloned());
    let unknown: Vec<String> = needed
        .iter()
        .filter(|v| !known.contains(*v))
        .map(|v| v.full().to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(err(format!(
            "Query for unknown vars: [{}]",
            unknown.join(" ")
        )));
    }
    let find_vars: BTreeSet<&Var> = find.elems().iter().map(FindElem::var).collect();
    if with.iter().any(|w| find_vars.contains(w)) {
        return Err(err(":find and :with should not use same variables"));
    }
    Ok(Query {
        find,
        return_maps: rm,
        with,
        inputs,
        clauses,
        form: form.clone(),
    })
}

fn parse_find(forms: &[Value]) -> Result<FindSpec> {
    if forms.is_empty() {
        return Err(err(":find should not be empty"));
    }
    // scalar: elem .
    if forms.len() == 2 && forms[1] == Value::sym(".") {
        return Ok(FindSpec::Scalar(parse_find_elem(&forms[0])?));
    }
    if forms.len() == 1 {
        if let Value::Vector(items) = &forms[0] {
            if items.len() == 2 && items[1] == Value::sym("...") {
                return Ok(FindSpec::Coll(parse_find_elem(&items[0])?));
            }
            if items.is_empty() {
                return Err(err("Cannot parse :find, empty tuple []"));
            }
            return Ok(FindSpec::Tuple(
                items
                    .iter()
                    .map(parse_find_elem)
                    .collect::<Result<Vec<_>>>()?,
            ));
        }
    }
    Ok(FindSpec::Rel(
        forms
            .iter()
            .map(parse_find_elem)
            .collect::<Result<Vec<_>>>()?,
    ))
}

fn parse_find_elem(form: &Value) -> Result<FindElem> {
    match form {
        Value::Symbol(s) if is_var(s) => Ok(FindElem::Var(s.clone())),
        Value::List(items) if !items.is_empty() => {
            let head = sym_of(&items[0])
                .ok_or_else(|| err(format!("Cannot parse :find, unexpected form {form}")))?;
            if head.full() == "pull" {
                let (src, rest) = match items.get(1).and_then(sym_of) {
                    Some(s) if is_src(s) => (s.clone(), &items[2..]),
                    _ => (default_src(), &items[1..]),
                };
                if rest.len() != 2 {
                    return Err(err(format!("Cannot parse pull expression {form}")));
                }
                let var = match sym_of(&rest[0]) {
                    Some(s) if is_var(s) => s.clone(),
                    _ => return Err(err(format!("Cannot parse pull expression {form}"))),
                };
                let pattern = match &rest[1] {
                    Value::Symbol(s) => Term::Var(s.clone()),
                    v @ (Value::Vector(_) | Value::Set(_)) => Term::Const(v.clone()),
                    _ => return Err(err(format!("Cannot parse pull pattern in {form}"))),
                };
                return Ok(FindElem::Pull { src, var, pattern });
            }
            let (func, args) = if head.full() == "aggregate" {
                match items.get(1).and_then(sym_of) {
                    Some(s) => (Term::Var(s.clone()), &items[2..]),
                    None => return Err(err(format!("Cannot parse aggregate {form}"))),
                }
            } else {
                (Term::Const(Value::Symbol(head.clone())), &items[1..])
            };
            let Some((last, extra)) = args.split_last() else {
                return Err(err(format!("Cannot parse aggregate {form}: no arguments")));
            };
            let var = match sym_of(last) {
                Some(s) if is_var(s) => s.clone(),
                _ => {
                    return Err(err(format!(
                        "Cannot parse aggregate {form}: last argument should be a variable"
                    )));
                }
            };
            let extra = extra
                .iter()
                .map(|a| match a {
                    Value::Symbol(s) => Term::Var(s.clone()),
                    v => Term::Const(v.clone()),
                })
                .collect();
            Ok(FindElem::Agg { func, extra, var })
        }
        other => Err(err(format!(
            "Cannot parse :find, expected a variable, pull or aggregate, got {other}"
        ))),
    }
}

fn parse_in(form: &Value, plain: &mut BTreeSet<Symbol>) -> Result<InBinding> {
    match form {
        Value::Symbol(s) if is_src(s) => Ok(InBinding::Source(s.clone())),
        Value::Symbol(s) if s.full() == "%" => Ok(InBinding::Rules),
        Value::Symbol(s) if !is_var(s) && s.full() != "_" => {
            plain.insert(s.clone());
            Ok(InBinding::Bind(Binding::Var(s.clone())))
        }
        other => Ok(InBinding::Bind(parse_binding(other, 0)?)),
    }
}

/// Parses a binding form.
pub fn parse_binding(form: &Value, depth: usize) -> Result<Binding> {
    if depth > MAX_DEPTH {
        return Err(err("Binding form nested too deeply"));
    }
    match form {
        Value::Symbol(s) if s.full() == "_" => Ok(Binding::Blank),
        Value::Symbol(s) if is_var(s) => Ok(Binding::Var(s.clone())),
        Value::Vector(items) => {
            if items.len() == 2 && items[1] == Value::sym("...") {
                return Ok(Binding::Coll(Box::new(parse_binding(
                    &items[0],
                    depth + 1,
                )?)));
            }
            if items.is_empty() {
                return Err(err("Cannot parse binding, empty vector []"));
            }
            if items.len() == 1 {
                if let Value::Vector(_) = &items[0] {
                    // [[?a ?b]] — relation
                    return Ok(Binding::Coll(Box::new(parse_binding(
                        &items[0],
                        depth + 1,
                    )?)));
                }
            }
            Ok(Binding::Tuple(
                items
                    .iter()
                    .map(|i| parse_binding(i, depth + 1))
                    .collect::<Result<Vec<_>>>()?,
            ))
        }
        other => Err(err(format!("Cannot parse binding {other}"))),
    }
}

/// Parses rules (`%` input).
pub fn parse_rules(form: &Value) -> Result<Rules> {
    let items = form
        .as_seq()
        .ok_or_else(|| err(format!("Cannot parse rules, expected a vector: {form}")))?;
    let ctx = ParseCtx {
        plain: BTreeSet::new(),
    };
    let mut rules: Rules = HashMap::new();
    for r in items {
        let parts = r
            .as_seq()
            .ok_or_else(|| err(format!("Cannot parse rule {r}")))?;
        let Some((head, body)) = parts.split_first() else {
            return Err(err(format!("Cannot parse rule {r}")));
        };
        let hs = match head {
            Value::List(h) => h,
            _ => return Err(err(format!("Cannot parse rule head {head}"))),
        };
        let Some((name, hargs)) = hs.split_first() else {
            return Err(err(format!("Cannot parse rule head {head}")));
        };
        let name = sym_of(name)
            .ok_or_else(|| err(format!("Rule name should be a symbol: {head}")))?
            .clone();
        let mut required = Vec::new();
        let mut head_vars = Vec::new();
        for (i, a) in hargs.iter().enumerate() {
            match a {
                Value::Vector(req) if i == 0 => {
                    for v in req.iter() {
                        match sym_of(v) {
                            Some(s) if is_var(s) => required.push(s.clone()),
                            _ => return Err(err(format!("Cannot parse rule head {head}"))),
                        }
                    }
                }
                Value::Symbol(s) if is_var(s) => head_vars.push(s.clone()),
                _ => return Err(err(format!("Cannot parse rule head {head}"))),
            }
        }
        let mut all = required.clone();
        all.extend(head_vars);
        if all.is_empty() {
            return Err(err(format!(
                "Rule {name} should have at least one variable"
            )));
        }
        let distinct: BTreeSet<&Var> = all.iter().collect();
        if distinct.len() != all.len() {
            return Err(err(format!("Rule variables should be distinct: {head}")));
        }
        if body.is_empty() {
            return Err(err(format!("Rule {name} should have a body: {r}")));
        }
        let body = body
            .iter()
            .map(|c| ctx.parse_clause(c, 0))
            .collect::<Result<Vec<_>>>()?;
        if let Some(prev) = rules.get(&name).and_then(|b| b.first()) {
            if prev.head.len() != all.len() {
                return Err(err(format!("Arity mismatch for rule {name}")));
            }
        }
        rules.entry(name).or_default().push(RuleBranch {
            required,
            head: all,
            body,
        });
    }
    // Rule calls inside rules: arity check.
    let arities: HashMap<Symbol, usize> = rules
        .iter()
        .map(|(k, v)| (k.clone(), v[0].head.len()))
        .collect();
    for branches in rules.values() {
        for b in branches {
            check_rule_calls(&b.body, &arities)?;
        }
    }
    Ok(rules)
}

/// Checks that every rule call names a known rule with the right arity.
pub fn check_rule_calls(clauses: &[Clause], arities: &HashMap<Symbol, usize>) -> Result<()> {
    for c in clauses {
        match c {
            Clause::Rule {
                name, args, form, ..
            } => match arities.get(name) {
                None => return Err(err(format!("Unknown rule '{name} in {form}"))),
                Some(n) if *n != args.len() => {
                    return Err(err(format!(
                        "Arity mismatch for rule '{name}': expected {n} arguments in {form}"
                    )));
                }
                _ => {}
            },
            Clause::Not { body, .. } => check_rule_calls(body, arities)?,
            Clause::Or { branches, .. } => {
                for b in branches {
                    check_rule_calls(b, arities)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

struct ParseCtx {
    plain: BTreeSet<Symbol>,
}

impl ParseCtx {
    fn term(&self, v: &Value, fn_arg: bool) -> Term {
        match v {
            Value::Symbol(s) if s.full() == "_" => Term::Blank,
            Value::Symbol(s) if is_var(s) || self.plain.contains(s) => Term::Var(s.clone()),
            Value::Symbol(s) if is_src(s) && fn_arg => Term::Src(s.clone()),
            other => Term::Const(other.clone()),
        }
    }

    fn parse_clause(&self, form: &Value, depth: usize) -> Result<Clause> {
        if depth > MAX_DEPTH {
            return Err(err("Query clauses nested too deeply"));
        }
        match form {
            Value::Vector(items) => self.parse_vector_clause(form, items),
            Value::List(items) => self.parse_list_clause(form, items, depth),
            other => Err(err(format!(
                "Cannot parse clause, expected a vector or list, got {other}"
            ))),
        }
    }

    fn parse_vector_clause(&self, form: &Value, items: &[Value]) -> Result<Clause> {
        if items.is_empty() {
            return Err(err("Cannot parse clause []"));
        }
        if let Value::List(call) = &items[0] {
            let Some((f, args)) = call.split_first() else {
                return Err(err(format!("Cannot parse function call in {form}")));
            };
            let func = match f {
                Value::Symbol(s) => s.clone(),
                _ => return Err(err(format!("Function name should be a symbol in {form}"))),
            };
            let args: Vec<Term> = args.iter().map(|a| self.term(a, true)).collect();
            let known = is_var(&func)
                || self.plain.contains(&func)
                || is_special_fn(func.full())
                || super::builtins::is_builtin(func.full());
            match items.len() {
                1 => {
                    if !known {
                        return Err(err(format!("Unknown predicate '{func} in {form}")));
                    }
                    Ok(Clause::Pred {
                        func,
                        args,
                        form: form.clone(),
                    })
                }
                2 => {
                    if !known {
                        return Err(err(format!("Unknown function '{func} in {form}")));
                    }
                    Ok(Clause::Fn {
                        func,
                        args,
                        binding: parse_binding(&items[1], 0)?,
                        form: form.clone(),
                    })
                }
                _ => Err(err(format!("Cannot parse function clause {form}"))),
            }
        } else {
            let (src, rest) = match &items[0] {
                Value::Symbol(s) if is_src(s) => (Some(s.clone()), &items[1..]),
                _ => (None, items),
            };
            if rest.is_empty() || rest.len() > 5 {
                return Err(err(format!("Cannot parse pattern {form}")));
            }
            let terms: Vec<Term> = rest.iter().map(|t| self.term(t, false)).collect();
            for t in &terms {
                if let Term::Const(Value::Symbol(s)) = t {
                    return Err(err(format!(
                        "Cannot parse pattern {form}: unexpected symbol {s}"
                    )));
                }
            }
            Ok(Clause::Pattern {
                src,
                terms,
                form: form.clone(),
            })
        }
    }

    fn parse_list_clause(&self, form: &Value, items: &[Value], depth: usize) -> Result<Clause> {
        let (src, rest) = match items.first() {
            Some(Value::Symbol(s)) if is_src(s) => (Some(s.clone()), &items[1..]),
            _ => (None, items),
        };
        let Some((head, args)) = rest.split_first() else {
            return Err(err(format!("Cannot parse clause {form}")));
        };
        let head = sym_of(head).ok_or_else(|| err(format!("Cannot parse clause {form}")))?;
        let body = |xs: &[Value]| -> Result<Vec<Clause>> {
            if xs.is_empty() {
                return Err(err(format!("Cannot parse clause {form}: empty body")));
            }
            xs.iter().map(|c| self.parse_clause(c, depth + 1)).collect()
        };
        let join_vars = |v: &Value| -> Result<Vec<Var>> {
            let xs = v
                .as_vector()
                .ok_or_else(|| err(format!("Cannot parse join variables in {form}")))?;
            xs.iter()
                .map(|x| match sym_of(x) {
                    Some(s) if is_var(s) => Ok(s.clone()),
                    _ => Err(err(format!("Cannot parse join variables in {form}"))),
                })
                .collect()
        };
        match head.full() {
            "not" => {
                let b = body(args)?;
                let mut vs = BTreeSet::new();
                b.iter().for_each(|c| vs.extend(c.vars()));
                if vs.is_empty() {
                    return Err(err(format!("Join variables should not be empty in {form}")));
                }
                Ok(Clause::Not {
                    src,
                    join: None,
                    body: b,
                    form: form.clone(),
                })
            }
            "not-join" => {
                let Some((jv, rest)) = args.split_first() else {
                    return Err(err(format!("Cannot parse {form}")));
                };
                let vars = join_vars(jv)?;
                if vars.is_empty() {
                    return Err(err(format!("Join variables should not be empty in {form}")));
                }
                let b = body(rest)?;
                let mut vs = BTreeSet::new();
                b.iter().for_each(|c| vs.extend(c.vars()));
                if let Some(v) = vars.iter().find(|v| !vs.contains(*v)) {
                    return Err(err(format!(
                        "Join variable not declared inside clauses: {v} in {form}"
                    )));
                }
                Ok(Clause::Not {
                    src,
                    join: Some(vars),
                    body: b,
                    form: form.clone(),
                })
            }
            "or" | "or-join" => {
                let (join, rest) = if head.full() == "or-join" {
                    let Some((jv, rest)) = args.split_first() else {
                        return Err(err(format!("Cannot parse {form}")));
                    };
                    let xs = jv
                        .as_vector()
                        .ok_or_else(|| err(format!("Cannot parse join variables in {form}")))?;
                    let (req, free) = match xs.first() {
                        Some(r @ Value::Vector(_)) => {
                            (join_vars(r)?, join_vars(&Value::vector(xs[1..].to_vec()))?)
                        }
                        _ => (Vec::new(), join_vars(jv)?),
                    };
                    if req.is_empty() && free.is_empty() {
                        return Err(err(format!("Join variables should not be empty in {form}")));
                    }
                    (Some((req, free)), rest)
                } else {
                    (None, args)
                };
                if rest.is_empty() {
                    return Err(err(format!("Cannot parse {form}: no branches")));
                }
                let mut branches = Vec::new();
                for b in rest {
                    match b {
                        Value::List(xs)
                            if xs.first().and_then(sym_of).map(|s| s.full()) == Some("and") =>
                        {
                            branches.push(body(&xs[1..])?)
                        }
                        other => branches.push(vec![self.parse_clause(other, depth + 1)?]),
                    }
                }
                let var_sets: Vec<BTreeSet<Var>> = branches
                    .iter()
                    .map(|b| {
                        let mut s = BTreeSet::new();
                        b.iter().for_each(|c| s.extend(c.vars()));
                        s
                    })
                    .collect();
                match &join {
                    None => {
                        if var_sets.windows(2).any(|w| w[0] != w[1]) {
                            return Err(err(format!(
                                "All clauses in 'or' must use same set of free vars: {form}"
                            )));
                        }
                    }
                    Some((req, free)) => {
                        for s in &var_sets {
                            if let Some(v) = req.iter().chain(free).find(|v| !s.contains(*v)) {
                                return Err(err(format!(
                                    "Join variable not declared inside clauses: {v} in {form}"
                                )));
                            }
                        }
                    }
                }
                Ok(Clause::Or {
                    src,
                    join,
                    branches,
                    form: form.clone(),
                })
            }
            "and" => Err(err(format!("'and' is only allowed inside 'or': {form}"))),
            _ => {
                if args.is_empty() {
                    return Err(err(format!(
                        "Rule call should have at least one argument: {form}"
                    )));
                }
                Ok(Clause::Rule {
                    src,
                    name: head.clone(),
                    args: args.iter().map(|a| self.term(a, false)).collect(),
                    form: form.clone(),
                })
            }
        }
    }
}

/// Functions implemented by the engine itself (they need a source or a
/// nested query).
pub fn is_special_fn(name: &str) -> bool {
    matches!(
        name,
        "get-else" | "get-some" | "missing?" | "ground" | "tuple" | "untuple" | "q" | "identity"
    )
}
