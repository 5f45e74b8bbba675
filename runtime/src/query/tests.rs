//! Query tests: the shared `query-*.edn` conformance cases (on a
//! [`MemSource`] built by a small test-only transaction applier, adapted from
//! the pull worker's), parser error messages, planner choices and rule
//! recursion termination.

use std::collections::HashMap;
use std::sync::Arc;

use crate::datom::{Datom, Eid};
use crate::error::{Error, Result};
use crate::schema::{Attribute, Unique, ValueType};
use crate::source::{MemSource, Source};
use crate::value::{Keyword, Value};

use super::{Input, q};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance/");

fn kw(v: &Value) -> Option<&str> {
    v.as_keyword().map(|k| k.full())
}

/// The test database: datoms plus schema, rebuilt into a MemSource per read.
struct TestDb {
    datoms: Vec<Datom>,
    attrs: Vec<Attribute>,
    next: Eid,
    tx: i64,
    write: bool,
}

impl TestDb {
    fn new(config: Option<&Value>) -> TestDb {
        let write = config
            .and_then(|c| c.get_kw("schema-flexibility"))
            .and_then(kw)
            != Some("read");
        let mut ident = Attribute::new(Keyword::new("db/ident"), 0);
        ident.value_type = Some(ValueType::Keyword);
        ident.unique = Some(Unique::Identity);
        TestDb {
            datoms: Vec::new(),
            attrs: vec![ident],
            next: 1,
            tx: crate::datom::TX0,
            write,
        }
    }

    fn source(&self) -> MemSource {
        let mut s = MemSource::new(self.datoms.clone(), self.attrs.clone());
        s.write_schema = self.write;
        s
    }

    fn attr(&self, a: &Keyword) -> Option<&Attribute> {
        self.attrs.iter().find(|x| &x.ident == a)
    }

    fn install_schema(&mut self, schema: &[Value]) {
        for m in schema {
            let Some(ident) = m.get_kw("db/ident").and_then(Value::as_keyword) else {
                continue;
            };
            let e = self.next;
            self.next += 1;
            let mut a = Attribute::new(ident.clone(), e);
            a.value_type = m
                .get_kw("db/valueType")
                .and_then(kw)
                .and_then(ValueType::from_ident);
            a.many = m.get_kw("db/cardinality").and_then(kw) == Some("db.cardinality/many");
            a.unique = match m.get_kw("db/unique").and_then(kw) {
                Some("db.unique/identity") => Some(Unique::Identity),
                Some("db.unique/value") => Some(Unique::Value),
                _ => None,
            };
            a.component = m.get_kw("db/isComponent") == Some(&Value::Bool(true));
            a.index = m.get_kw("db/index") == Some(&Value::Bool(true));
            self.datoms.push(Datom::new(
                e,
                Keyword::new("db/ident"),
                Value::Keyword(ident.clone()),
                self.tx,
            ));
            self.attrs.push(a);
        }
    }

    fn lookup(&self, v: &Value) -> Result<Option<Eid>> {
        self.source().entid(v)
    }

    fn is_tempid(v: &Value) -> bool {
        matches!(v, Value::Long(n) if *n < 0) || matches!(v, Value::Str(_))
    }

    fn transact(&mut self, tx: &[Value]) -> Result<HashMap<Value, Eid>> {
        self.tx += 1;
        let mut tempids: HashMap<Value, Eid> = HashMap::new();
        for op in tx {
            match op {
                Value::Nil => {}
                Value::Map(_) => {
                    self.apply_map(op, &mut tempids)?;
                }
                Value::Vector(items) | Value::List(items) => self.apply_op(items, &mut tempids)?,
                _ => return Err(Error::syntax(format!("bad tx op {op}"))),
            }
        }
        Ok(tempids)
    }

    fn resolve_entity(&mut self, v: &Value, tempids: &mut HashMap<Value, Eid>) -> Result<Eid> {
        if Self::is_tempid(v) {
            if let Some(e) = tempids.get(v) {
                return Ok(*e);
            }
            let e = self.next;
            self.next += 1;
            tempids.insert(v.clone(), e);
            return Ok(e);
        }
        self.lookup(v)?
            .ok_or_else(|| Error::lookup(format!("Nothing found for entity id {v}")))
    }

    fn apply_map(&mut self, m: &Value, tempids: &mut HashMap<Value, Eid>) -> Result<Eid> {
        let map = m.as_map().cloned().unwrap_or_default();
        // Upsert on unique identity attributes.
        let mut upsert = None;
        for (k, v) in &map {
            if let Some(a) = k.as_keyword().and_then(|a| self.attr(a)) {
                if a.unique == Some(Unique::Identity) && !a.is_ref() {
                    if let Some(d) = self.datoms.iter().find(|d| d.a == a.ident && &d.v == v) {
                        upsert = Some(d.e);
                    }
                }
            }
        }
        let id = map.get(&Value::kw("db/id"));
        let e = match (id, upsert) {
            (Some(t), Some(e)) if Self::is_tempid(t) => {
                tempids.insert(t.clone(), e);
                e
            }
            (Some(t), _) => self.resolve_entity(t, tempids)?,
            (None, Some(e)) => e,
            (None, None) => {
                let e = self.next;
                self.next += 1;
                e
            }
        };
        for (k, v) in &map {
            let Some(a) = k.as_keyword() else { continue };
            if a.full() == "db/id" {
                continue;
            }
            if a.is_reverse() {
                let fwd = a.reverse();
                for x in self.split_values(&fwd, v, true) {
                    let src = self.value_to_eid(&x, tempids)?;
                    self.add(src, &fwd, Value::Long(e))?;
                }
                continue;
            }
            for x in self.split_values(a, v, false) {
                let x = self.convert_value(a, &x, tempids)?;
                self.add(e, a, x)?;
            }
        }
        Ok(e)
    }

    /// Splits a map value into values (card-many collections; a lookup ref
    /// stays one value).
    fn split_values(&self, a: &Keyword, v: &Value, force_ref: bool) -> Vec<Value> {
        let def = self.attr(a);
        let many = def.is_some_and(|d| d.many) || force_ref;
        let is_ref = def.is_some_and(|d| d.is_ref()) || force_ref;
        match v {
            Value::Vector(items) | Value::List(items) if many => {
                let lookup_ref = is_ref && items.len() == 2 && items[0].as_keyword().is_some();
                if lookup_ref {
                    vec![v.clone()]
                } else {
                    items.to_vec()
                }
            }
            Value::Set(items) if many => items.iter().cloned().collect(),
            _ => vec![v.clone()],
        }
    }

    fn value_to_eid(&mut self, v: &Value, tempids: &mut HashMap<Value, Eid>) -> Result<Eid> {
        match v {
            Value::Map(_) => self.apply_map(v, tempids),
            _ => self.resolve_entity(v, tempids),
        }
    }

    fn convert_value(
        &mut self,
        a: &Keyword,
        v: &Value,
        tempids: &mut HashMap<Value, Eid>,
    ) -> Result<Value> {
        if self.write && self.attr(a).is_none() {
            return Err(Error::schema(format!("unknown attribute {a}")));
        }
        if self.attr(a).is_some_and(|d| d.is_ref()) {
            return Ok(Value::Long(self.value_to_eid(v, tempids)?));
        }
        Ok(v.clone())
    }

    fn add(&mut self, e: Eid, a: &Keyword, v: Value) -> Result<()> {
        let many = self.attr(a).is_some_and(|d| d.many);
        if many {
            if !self
                .datoms
                .iter()
                .any(|d| d.e == e && &d.a == a && d.v == v)
            {
                self.datoms.push(Datom::new(e, a.clone(), v, self.tx));
            }
        } else {
            self.datoms.retain(|d| !(d.e == e && &d.a == a));
            self.datoms.push(Datom::new(e, a.clone(), v, self.tx));
        }
        Ok(())
    }

    fn components_of(&self, e: Eid, only: Option<&Keyword>) -> Vec<Eid> {
        self.datoms
            .iter()
            .filter(|d| d.e == e && only.is_none_or(|a| &d.a == a))
            .filter(|d| self.attr(&d.a).is_some_and(|a| a.is_ref() && a.component))
            .filter_map(|d| d.v.as_long())
            .collect()
    }

    fn retract_entity(&mut self, e: Eid, depth: usize) {
        if depth > 64 {
            return;
        }
        let comps = self.components_of(e, None);
        let refs: Vec<Keyword> = self
            .attrs
            .iter()
            .filter(|a| a.is_ref())
            .map(|a| a.ident.clone())
            .collect();
        self.datoms
            .retain(|d| d.e != e && !(refs.contains(&d.a) && d.v == Value::Long(e)));
        for c in comps {
            self.retract_entity(c, depth + 1);
        }
    }

    fn apply_op(&mut self, items: &[Value], tempids: &mut HashMap<Value, Eid>) -> Result<()> {
        let op = items.first().and_then(kw).unwrap_or("");
        let arg = |i: usize| items.get(i).cloned().unwrap_or(Value::Nil);
        match op {
            "db/add" => {
                let e = self.resolve_entity(&arg(1), tempids)?;
                let a = arg(2).as_keyword().cloned().unwrap_or(Keyword::new("?"));
                let v = self.convert_value(&a, &arg(3), tempids)?;
                self.add(e, &a, v)
            }
            "db/retract" => {
                let Some(e) = self.lookup(&arg(1))? else {
                    return Ok(());
                };
                let a = arg(2).as_keyword().cloned().unwrap_or(Keyword::new("?"));
                let v = if self.attr(&a).is_some_and(|d| d.is_ref()) {
                    match self.lookup(&arg(3))? {
                        Some(x) => Value::Long(x),
                        None => return Ok(()),
                    }
                } else {
                    arg(3)
                };
                self.datoms.retain(|d| !(d.e == e && d.a == a && d.v == v));
                Ok(())
            }
            "db/retractEntity" | "db.fn/retractEntity" => {
                if let Some(e) = self.lookup(&arg(1))? {
                    self.retract_entity(e, 0);
                }
                Ok(())
            }
            "db.fn/retractAttribute" => {
                let Some(e) = self.lookup(&arg(1))? else {
                    return Ok(());
                };
                let a = arg(2).as_keyword().cloned().unwrap_or(Keyword::new("?"));
                let comps = self.components_of(e, Some(&a));
                self.datoms.retain(|d| !(d.e == e && d.a == a));
                for c in comps {
                    self.retract_entity(c, 1);
                }
                Ok(())
            }
            "db/cas" => {
                let e = self.resolve_entity(&arg(1), tempids)?;
                let a = arg(2).as_keyword().cloned().unwrap_or(Keyword::new("?"));
                let old = self.convert_value(&a, &arg(3), tempids)?;
                let new = self.convert_value(&a, &arg(4), tempids)?;
                let cur = self
                    .datoms
                    .iter()
                    .find(|d| d.e == e && d.a == a)
                    .map(|d| d.v.clone());
                if cur.as_ref() != Some(&old) {
                    return Err(Error::conflict("cas failed"));
                }
                self.add(e, &a, new)
            }
            _ => Err(Error::syntax(format!("unsupported op {op}"))),
        }
    }
}

/// Replaces bound `?vars` (symbols) anywhere in `v`.
fn subst(v: &Value, env: &HashMap<String, Value>) -> Value {
    match v {
        Value::Symbol(s) if s.full().starts_with('?') => {
            env.get(s.full()).cloned().unwrap_or_else(|| v.clone())
        }
        Value::Vector(items) => Value::vector(items.iter().map(|x| subst(x, env)).collect()),
        Value::List(items) => Value::list(items.iter().map(|x| subst(x, env)).collect()),
        Value::Set(items) => Value::set(items.iter().map(|x| subst(x, env))),
        Value::Map(m) => Value::map(m.iter().map(|(k, x)| (subst(k, env), subst(x, env)))),
        _ => v.clone(),
    }
}

/// FORMAT.md matching: a set in the expectation matches any collection with
/// the same elements in any order; vectors compare in order; maps by key.
fn matches(exp: &Value, act: &Value) -> bool {
    match (exp, act) {
        (Value::Set(es), Value::Set(_) | Value::Vector(_) | Value::List(_)) => {
            let acts: Vec<&Value> = match act {
                Value::Set(s) => s.iter().collect(),
                Value::Vector(v) | Value::List(v) => v.iter().collect(),
                _ => Vec::new(),
            };
            if acts.len() != es.len() {
                return false;
            }
            let es: Vec<&Value> = es.iter().collect();
            let mut used = vec![false; acts.len()];
            assign(&es, &acts, &mut used)
        }
        (Value::Vector(es), Value::Vector(xs) | Value::List(xs)) => {
            es.len() == xs.len() && es.iter().zip(xs.iter()).all(|(e, x)| matches(e, x))
        }
        (Value::Map(em), Value::Map(am)) => {
            em.len() == am.len()
                && em
                    .iter()
                    .all(|(k, e)| am.get(k).is_some_and(|a| matches(e, a)))
        }
        _ => exp == act,
    }
}

fn assign(es: &[&Value], acts: &[&Value], used: &mut [bool]) -> bool {
    let Some((first, rest)) = es.split_first() else {
        return true;
    };
    for i in 0..acts.len() {
        if !used[i] && matches(first, acts[i]) {
            used[i] = true;
            if assign(rest, acts, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// Follows an `:entity` step's `:attr` (keyword or path) from `start`.

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
}

fn run_case(case: &Value, tally: &mut Tally) {
    let id = case.get_kw("id").map(|v| v.to_string()).unwrap_or_default();
    let mut db = TestDb::new(case.get_kw("config"));
    if let Some(schema) = case.get_kw("schema").and_then(Value::as_seq) {
        db.install_schema(schema);
    }
    let mut env: HashMap<String, Value> = HashMap::new();
    let steps = case.get_kw("steps").and_then(Value::as_seq).unwrap_or(&[]);
    let mut ok = true;
    for (n, step) in steps.iter().enumerate() {
        let op = step.get_kw("op").and_then(kw).unwrap_or("");
        let expect_error = step.get_kw("expect-error").is_some();
        let label = format!("{id} step {n} ({op})");
        match op {
            "transact" => {
                if expect_error {
                    continue;
                }
                let tx = subst(step.get_kw("tx").unwrap_or(&Value::Nil), &env);
                match db.transact(tx.as_seq().unwrap_or(&[])) {
                    Ok(tempids) => {
                        if let Some(b) = step.get_kw("bind-tempids").and_then(Value::as_map) {
                            for (t, var) in b {
                                if let (Some(e), Some(s)) = (tempids.get(t), var.as_symbol()) {
                                    env.insert(s.full().to_string(), Value::Long(*e));
                                }
                            }
                        }
                    }
                    Err(e) => {
                        tally
                            .failed
                            .push(format!("{label}: test tx applier failed: {e}"));
                        return;
                    }
                }
            }
            "q" => {
                if step.get_kw("db").is_some() {
                    continue;
                }
                let src: Arc<dyn Source> = Arc::new(db.source());
                let mut inputs = vec![Input::Db(src)];
                let args = subst(step.get_kw("args").unwrap_or(&Value::Nil), &env);
                for a in args.as_seq().unwrap_or(&[]) {
                    inputs.push(Input::Value(a.clone()));
                }
                let query = step.get_kw("query").cloned().unwrap_or(Value::Nil);
                let result = q(&query, &inputs);
                let fail = match (result, expect_error) {
                    (Err(_), true) => None,
                    (Ok(v), true) => Some(format!("expected error, got {v}")),
                    (Err(e), false) => Some(format!("error {e}")),
                    (Ok(v), false) => {
                        if let Some(exp) = step.get_kw("expect-coll") {
                            let exp = subst(exp, &env);
                            let e: Vec<Value> = exp.as_seq().unwrap_or(&[]).to_vec();
                            let a: Vec<Value> = v.as_seq().map(|s| s.to_vec()).unwrap_or_default();
                            let mut es = e.clone();
                            let mut as_ = a.clone();
                            es.sort();
                            as_.sort();
                            (es != as_ || v.as_seq().is_none())
                                .then(|| format!("expected coll {exp}, got {v}"))
                        } else {
                            let exp = subst(step.get_kw("expect").unwrap_or(&Value::Nil), &env);
                            (!matches(&exp, &v)).then(|| format!("expected {exp}, got {v}"))
                        }
                    }
                };
                if let Some(f) = fail {
                    tally.failed.push(format!("{label}: {f}"));
                    ok = false;
                }
            }
            _ => {}
        }
    }
    if ok {
        tally.passed += 1;
    }
}

#[test]
fn conformance_query() {
    let mut tally = Tally::default();
    let dir = [DIR, "/work/shared/conformance/"]
        .into_iter()
        .find(|d| std::path::Path::new(d).is_dir())
        .unwrap_or(DIR);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("query-") && n.ends_with(".edn"))
    });
    files.sort();
    assert!(!files.is_empty(), "no conformance files under {DIR}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read conformance file");
        let suite = crate::edn::read(&text).expect("parse conformance file");
        for case in suite.get_kw("cases").and_then(Value::as_seq).unwrap_or(&[]) {
            run_case(case, &mut tally);
        }
    }
    println!(
        "query conformance: {} passed, {} failed",
        tally.passed,
        tally.failed.len()
    );
    for f in &tally.failed {
        println!("  FAIL {f}");
    }
    assert!(
        tally.failed.is_empty(),
        "{} failing query conformance steps",
        tally.failed.len()
    );
}

// ------------------------------------------------------------------ unit tests

fn edn(s: &str) -> Value {
    crate::edn::read(s).expect("test EDN")
}

fn people() -> Arc<dyn Source> {
    let mut db = TestDb::new(None);
    db.install_schema(
        edn(r#"[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
                 :db/unique :db.unique/identity}
                {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
                {:db/ident :follow :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]"#)
        .as_seq()
        .unwrap_or(&[]),
    );
    db.transact(
        edn(r#"[{:db/id -1 :name "A" :age 10 :follow [-2]} {:db/id -2 :name "B" :age 20 :follow [-3]}
                {:db/id -3 :name "C" :age 30 :follow [-1]} {:db/id -4 :name "D" :age 40}]"#)
        .as_seq()
        .unwrap_or(&[]),
    )
    .expect("transact");
    Arc::new(db.source())
}

fn parse_err(query: &str) -> String {
    match super::parse(&edn(query)) {
        Ok(q) => panic!("expected a parse error for {query}, got {q:?}"),
        Err(e) => {
            assert_eq!(e.kind, crate::error::ErrorKind::Syntax, "{e}");
            e.message
        }
    }
}

#[test]
fn parser_error_messages() {
    let cases = [
        (
            "[:find ?x :where [?e :name ?n]]",
            "Query for unknown vars: [?x]",
        ),
        (
            "[:find ?e ?n :keys a :where [?e :name ?n]]",
            "Count of :keys/:strs/:syms must match",
        ),
        (
            "[:find ?e :keys a :strs b :where [?e :name _]]",
            "Only one of :keys",
        ),
        (
            "[:find ?e :where [$2 ?e :name _]]",
            "unknown source vars: [$2]",
        ),
        ("[:find ?e :where (r ?e)]", "Missing rules var '%'"),
        (
            "[:find ?e :where [?e :name _] (not-join [?x] [?e :age 10])]",
            "Join variable not declared inside clauses: ?x",
        ),
        (
            "[:find ?e :where [?e :name _] (not [_ :name \"A\"])]",
            "Join variables should not be empty",
        ),
        ("[:find ?e :where [?e :name _] 42]", "Cannot parse clause"),
        ("[:find 42 :where [?e :name _]]", "Cannot parse :find"),
        (
            "[:find ?e :in $ % :where [?e :name _] (r)]",
            "at least one argument",
        ),
        (
            "[:find ?e :where [?e :a ?x] (or [?e :b ?y] [?e :a ?x])]",
            "same set of free vars",
        ),
        (
            "[:find ?e :in $ ?x ?x :where [?e :a ?x]]",
            "Vars used in :in should be distinct",
        ),
        (
            "[:find ?x :with ?x :where [?e :a ?x]]",
            ":find and :with should not use same variables",
        ),
        (
            "[:find ?e ?x :where [?e :a ?v] [(no-such-fn ?v) ?x]]",
            "Unknown function 'no-such-fn",
        ),
        (
            "[:find ?e :where [?e :a ?v] [(no-such-pred ?v)]]",
            "Unknown predicate 'no-such-pred",
        ),
    ];
    for (query, want) in cases {
        let msg = parse_err(query);
        assert!(
            msg.contains(want),
            "{query}: message {msg:?} lacks {want:?}"
        );
    }
    // The offending form is named.
    assert!(parse_err("[:find ?e :where [?e :name _] 42]").contains("42"));
}

#[test]
fn runtime_binding_errors() {
    let db = people();
    let run = |query: &str, args: Vec<Value>| {
        let mut inputs = vec![Input::Db(db.clone())];
        inputs.extend(args.into_iter().map(Input::Value));
        q(&edn(query), &inputs)
    };
    let e = run("[:find ?e :where [(= ?a 1)] [?e :age ?a]]", vec![]).unwrap_err();
    assert!(e.message.contains("Insufficient bindings"), "{e}");
    let e = run("[:find ?a :in $ [?a ...]]", vec![Value::kw("a")]).unwrap_err();
    assert!(
        e.message
            .contains("Cannot bind value :a to collection [?a ...]"),
        "{e}"
    );
    let e = run("[:find ?a ?b :in $ [?a ?b]]", vec![edn("[:a]")]).unwrap_err();
    assert!(e.message.contains("Not enough elements"), "{e}");
    let e = run(
        "[:find ?e :in $ % :where (r ?e ?e)]",
        vec![edn("[[(r ?x) [?x :name _]]]")],
    )
    .unwrap_err();
    assert!(e.message.contains("Arity mismatch"), "{e}");
    let e = run(
        "[:find ?e ?h :where [?e :age] [(get-else $ ?e :x nil) ?h]]",
        vec![],
    )
    .unwrap_err();
    assert!(e.message.contains("nil default"), "{e}");
}

#[test]
fn planner_picks_selective_pattern_and_index() {
    let db = people();
    let inputs = [Input::Db(db)];
    // Written with the broad pattern first; the unique lookup runs first.
    let plan = super::explain(
        &edn(r#"[:find ?a :where [?e :age ?a] [?e :name "B"] [(> ?a 1)]]"#),
        &inputs,
    )
    .expect("explain");
    let lines: Vec<&str> = plan.lines().collect();
    assert_eq!(lines.len(), 3, "{plan}");
    assert!(
        lines[0].contains(":name \"B\"") && lines[0].contains("index=:avet"),
        "{plan}"
    );
    assert!(
        lines[1].contains(":age") && lines[1].contains("index=:eavt"),
        "{plan}"
    );
    assert!(lines[2].contains("predicate"), "{plan}");
    // Attribute only → AEVT.
    let plan = super::explain(&edn("[:find ?e :where [?e :age _]]"), &inputs).expect("explain");
    assert!(plan.contains("index=:aevt"), "{plan}");
    // Entity bound from :in → EAVT.
    let plan = super::explain(
        &edn("[:find ?a ?v :in $ ?e :where [?e ?a ?v]]"),
        &[inputs[0].clone(), Input::Value(Value::Long(1))],
    )
    .expect("explain");
    assert!(plan.contains("index=:eavt"), "{plan}");
    // Predicates stay where their inputs are bound; not/or are barriers.
    let steps = {
        let query = super::parse(&edn(
            "[:find ?e :where [?e :age ?a] (not [?e :name \"A\"]) [?e :follow ?f]]",
        ))
        .expect("parse");
        let mut engine = super::eval::Engine::default();
        engine
            .add_source(super::parse::default_src(), &inputs[0])
            .expect("source");
        engine
            .plan(
                &query.clauses,
                &super::eval::Ctx::default(),
                &super::parse::default_src(),
            )
            .expect("plan")
    };
    let order: Vec<usize> = steps.iter().map(|s| s.clause).collect();
    assert_eq!(order, vec![0, 1, 2]);
}

#[test]
fn recursive_rules_terminate_on_cycles() {
    let db = people();
    // follow is a cycle A → B → C → A: the closure has all 9 pairs.
    let rules = edn("[[(reach ?x ?y) [?x :follow ?y]]
          [(reach ?x ?y) [?x :follow ?t] (reach ?t ?y)]]");
    let res = q(
        &edn("[:find ?a ?b :in $ % :where (reach ?x ?y) [?x :name ?a] [?y :name ?b]]"),
        &[Input::Db(db.clone()), Input::Value(rules.clone())],
    )
    .expect("query");
    assert_eq!(res.as_map().map(|_| 0), None);
    match &res {
        Value::Set(s) => assert_eq!(s.len(), 9, "{res}"),
        other => panic!("expected a set, got {other}"),
    }
    // Bound first argument (seeded evaluation).
    let res = q(
        &edn(r#"[:find [?b ...] :in $ % ?n :where [?x :name ?n] (reach ?x ?y) [?y :name ?b]]"#),
        &[
            Input::Db(db.clone()),
            Input::Value(rules),
            Input::Value(Value::str("A")),
        ],
    )
    .expect("query");
    assert_eq!(res.as_seq().map(<[Value]>::len), Some(3), "{res}");
    // Mutual recursion with a symmetric rule terminates too.
    let rules = edn(
        "[[(linked ?a ?b) [?a :follow ?b]] [(linked ?a ?b) (linked ?b ?a)]
          [(conn ?a ?b) (linked ?a ?b)] [(conn ?a ?b) (linked ?a ?t) (conn ?t ?b)]]",
    );
    let res = q(
        &edn("[:find (count ?b) . :in $ % :where [?a :name \"A\"] (conn ?a ?b)]"),
        &[Input::Db(db), Input::Value(rules)],
    )
    .expect("query");
    assert_eq!(res, Value::Long(3));
}

#[test]
fn query_stats_and_call_forms() {
    let db = people();
    let inputs = [Input::Db(db)];
    let stats = super::query_stats(
        &edn(r#"[:find ?a :where [?e :name "B"] [?e :age ?a]]"#),
        &inputs,
    )
    .expect("stats");
    assert_eq!(stats.get_kw("ret"), Some(&edn("#{[20]}")));
    let st = stats.get_kw("stats").and_then(Value::as_seq).unwrap_or(&[]);
    assert_eq!(st.len(), 2);
    assert_eq!(st[0].get_kw("rows"), Some(&Value::Long(1)));
    // EDN string, quoted form, arg map with :offset/:limit.
    let r = q(&Value::str("[:find ?n :where [_ :name ?n]]"), &inputs).expect("string");
    assert_eq!(r.as_map().map(|_| ()), None);
    let r = q(
        &edn("(quote [:find (count ?n) . :where [_ :name ?n]])"),
        &inputs,
    )
    .expect("quote");
    assert_eq!(r, Value::Long(4));
    let r = q(
        &edn("{:query [:find ?n :where [_ :name ?n]] :offset 1 :limit 2}"),
        &inputs,
    )
    .expect("arg map");
    match r {
        Value::Set(s) => assert_eq!(s.len(), 2),
        other => panic!("expected a set, got {other}"),
    }
    let r = q(&edn("{:query [:find ?x . :in ?x] :args [7]}"), &[]).expect("args");
    assert_eq!(r, Value::Long(7));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut s = String::from("[:find ?e :where [?e :name _] ");
    for _ in 0..200 {
        s.push_str("(not ");
    }
    s.push_str("[?e :age 1]");
    for _ in 0..200 {
        s.push(')');
    }
    s.push(']');
    let e = super::parse(&edn(&s)).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{e}");
}

#[test]
fn semi_naive_transitive_closure_on_a_chain() {
    // Edges 0→1→…→120 in a collection source; the closure has 120·121/2 pairs.
    let n = 120i64;
    let edges = Value::vector(
        (0..n)
            .map(|i| Value::vector(vec![Value::Long(i), Value::Long(i + 1)]))
            .collect(),
    );
    let rules = edn("[[(reach ?x ?y) [?x ?y]] [(reach ?x ?y) [?x ?t] (reach ?t ?y)]]");
    let started = std::time::Instant::now();
    let res = q(
        &edn("[:find (count ?x) . :with ?y :in $ % :where (reach ?x ?y)]"),
        &[Input::Value(edges), Input::Value(rules)],
    )
    .expect("query");
    assert_eq!(res, Value::Long(n * (n + 1) / 2));
    assert!(
        started.elapsed().as_secs() < 20,
        "closure took {:?}",
        started.elapsed()
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let db = people();
    for query in [
        "[:find ?x :where [(q) ?x]]",
        "[:find ?x :where [(ground) ?x]]",
        "[:find ?x :where [(tuple) ?x]]",
        "[:find ?e :where [?e]]",
        "[:find ?e :where [?e :name ?n ?t ?a]]",
        "[:find ?e :where [\"x\" :name ?e]]",
        "[:find ?e :where [[:age 1] :name ?e]]",
        "[:find (pull ?e [:name]) :where [?e :name \"Z\"]]",
        "{:find [?e] :where [[?e :name]] :limit \"x\"}",
        "[:find ?e . :where [?e :follow :no-such-ident]]",
    ] {
        let _ = q(&edn(query), &[Input::Db(db.clone())]);
    }
}

#[test]
fn lookup_ref_inputs() {
    let db = people();
    let run = |query: &str, arg: &str| {
        q(
            &edn(query),
            &[Input::Db(db.clone()), Input::Value(edn(arg))],
        )
    };
    // A scalar lookup ref resolves; it is returned as given.
    let r = run(
        "[:find ?e ?a :in $ ?e :where [?e :age ?a]]",
        r#"[:name "B"]"#,
    )
    .expect("q");
    assert_eq!(r, edn(r#"#{[[:name "B"] 20]}"#));
    // A scalar lookup ref that resolves to nothing is an error...
    let e = run(
        "[:find ?a :in $ ?e :where [?e :age ?a]]",
        r#"[:name "Nobody"]"#,
    )
    .unwrap_err();
    assert!(e.message.contains("Nothing found for entity id"), "{e}");
    // ...but inside a collection it is dropped.
    let r = run(
        "[:find ?a :in $ [?e ...] :where [?e :age ?a]]",
        r#"[[:name "Nobody"] [:name "A"] "junk"]"#,
    )
    .expect("q");
    assert_eq!(r, edn("#{[10]}"));
}
