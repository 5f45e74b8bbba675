//! The conformance runner: runs every case of `../shared/conformance/*.edn`
//! through Cairn's public API, against the `memory` and the `redb` backend.
//! Prints one line per failing case and a final `N passed, N failed` line.
//!
//! `cargo test -p cairn-tests --test conformance -- [FILTER]`: only cases
//! whose id contains FILTER. `CAIRN_CONFORMANCE_DIR` overrides the folder.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use cairn::entity::Entity;
use cairn::query::Input;
use cairn::source::Source;
use cairn::{Config, Connection, Db, IndexOrder, Keyword, Value};

/// Marks a step whose operation is not available yet: the case is reported
/// as not run, never as passed.
const NOT_RUN: &str = "not yet run: the query engine has not landed";

enum Outcome {
    Passed,
    NotRun,
}

fn conformance_dir() -> PathBuf {
    match std::env::var("CAIRN_CONFORMANCE_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backend {
    Memory,
    Redb,
}

struct Ctx {
    conn: Connection,
    bindings: BTreeMap<Value, Value>,
}

fn kw(s: &str) -> Value {
    Value::kw(s)
}

/// Replaces bound `?vars` inside `v`.
fn subst(v: &Value, b: &BTreeMap<Value, Value>) -> Value {
    match v {
        Value::Symbol(s) if s.full().starts_with('?') => {
            b.get(v).cloned().unwrap_or_else(|| v.clone())
        }
        Value::Vector(xs) => Value::vector(xs.iter().map(|x| subst(x, b)).collect()),
        Value::List(xs) => Value::list(xs.iter().map(|x| subst(x, b)).collect()),
        Value::Set(xs) => Value::set(xs.iter().map(|x| subst(x, b))),
        Value::Map(m) => Value::map(m.iter().map(|(k, x)| (subst(k, b), subst(x, b)))),
        _ => v.clone(),
    }
}

/// Does `actual` match `expected` (sets match vectors or sets in any order)?
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Set(e), Value::Set(_) | Value::Vector(_) | Value::List(_)) => {
            let a: Vec<Value> = match actual {
                Value::Set(s) => s.iter().cloned().collect(),
                Value::Vector(v) | Value::List(v) => v.to_vec(),
                _ => unreachable!(),
            };
            let e: Vec<Value> = e.iter().cloned().collect();
            multiset_match(&e, &a)
        }
        (Value::Vector(e), Value::Vector(a) | Value::List(a)) => {
            e.len() == a.len() && e.iter().zip(a.iter()).all(|(x, y)| matches(x, y))
        }
        (Value::Map(e), Value::Map(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av)))
        }
        _ => expected == actual,
    }
}

/// Order-free matching of two lists of expected/actual values.
fn multiset_match(e: &[Value], a: &[Value]) -> bool {
    if e.len() != a.len() {
        return false;
    }
    let mut used = vec![false; a.len()];
    fn go(i: usize, e: &[Value], a: &[Value], used: &mut [bool]) -> bool {
        if i == e.len() {
            return true;
        }
        for j in 0..a.len() {
            if !used[j] && matches(&e[i], &a[j]) {
                used[j] = true;
                if go(i + 1, e, a, used) {
                    return true;
                }
                used[j] = false;
            }
        }
        false
    }
    go(0, e, a, &mut used)
}

fn get<'a>(m: &'a BTreeMap<Value, Value>, k: &str) -> Option<&'a Value> {
    m.get(&kw(k))
}

fn view(ctx: &Ctx, step: &BTreeMap<Value, Value>) -> cairn::Result<Db> {
    let db = ctx.conn.db()?;
    let Some(spec) = get(step, "db") else {
        return Ok(db);
    };
    let spec = subst(spec, &ctx.bindings);
    if let Some(t) = spec.get_kw("as-of") {
        return db.as_of(t);
    }
    if let Some(t) = spec.get_kw("since") {
        return db.since(t);
    }
    if spec.get_kw("history") == Some(&Value::Bool(true)) {
        return db.history();
    }
    Ok(db)
}

fn triples(
    ds: impl Iterator<Item = cairn::Result<cairn::Datom>>,
    take: Option<usize>,
) -> cairn::Result<Value> {
    let mut out = Vec::new();
    for d in ds {
        if take.is_some_and(|n| out.len() >= n) {
            break;
        }
        let d = d?;
        out.push(Value::vector(vec![
            Value::Long(d.e),
            Value::Keyword(d.a),
            d.v,
        ]));
    }
    Ok(Value::vector(out))
}

fn entity_attr(db: Arc<dyn Source>, eid: &Value, attr: &Value) -> cairn::Result<Value> {
    let Some(ent) = Entity::new(db.clone(), eid)? else {
        return Ok(Value::Nil);
    };
    let path: Vec<Keyword> = match attr {
        Value::Keyword(k) => vec![k.clone()],
        Value::Vector(ks) => ks.iter().filter_map(|k| k.as_keyword().cloned()).collect(),
        other => return Err(cairn::Error::syntax(format!("bad :attr {other}"))),
    };
    let mut current = vec![cairn::entity::EntityValue::Entity(ent)];
    let mut single = true;
    for (i, k) in path.iter().enumerate() {
        let mut next = Vec::new();
        for c in &current {
            let Some(e) = c.as_entity() else { continue };
            match e.lookup(k)? {
                None => {}
                Some(cairn::entity::EntityValue::Set(items)) => {
                    single = false;
                    next.extend(items);
                }
                Some(v) => next.push(v),
            }
        }
        current = next;
        if i + 1 < path.len() && current.is_empty() {
            return Ok(Value::Nil);
        }
    }
    if current.is_empty() {
        return Ok(Value::Nil);
    }
    if single && current.len() == 1 {
        return Ok(current[0].to_value());
    }
    Ok(Value::set(current.iter().map(|v| v.to_value())))
}

/// Runs one step; `Ok(Some(actual))` when the step produced a value.
fn run_step(ctx: &mut Ctx, step: &BTreeMap<Value, Value>) -> cairn::Result<Option<Value>> {
    let op = get(step, "op")
        .and_then(Value::as_keyword)
        .map(|k| k.full().to_string())
        .unwrap_or_default();
    let b = ctx.bindings.clone();
    let sv = |k: &str| get(step, k).map(|v| subst(v, &b));
    match op.as_str() {
        "transact" => {
            let tx = sv("tx").unwrap_or(Value::Nil);
            let report = ctx.conn.transact(&tx, None)?;
            if let Some(Value::Symbol(s)) = get(step, "bind-tx") {
                ctx.bindings
                    .insert(Value::Symbol(s.clone()), Value::Long(report.tx()));
            }
            if let Some(Value::Map(m)) = get(step, "bind-tempids") {
                for (tid, var) in m.iter() {
                    let e = report.tempids.get(tid).ok_or_else(|| {
                        cairn::Error::other(format!("tempid {tid} not in report"))
                    })?;
                    ctx.bindings.insert(var.clone(), Value::Long(*e));
                }
            }
            Ok(None)
        }
        "q" => {
            let db = view(ctx, step)?;
            let query = get(step, "query").cloned().unwrap_or(Value::Nil);
            let mut inputs = vec![Input::Db(Arc::new(db))];
            if let Some(args) = sv("args") {
                for a in args.as_seq().unwrap_or(&[]) {
                    inputs.push(Input::Value(a.clone()));
                }
            }
            cairn::query::q(&query, &inputs).map(Some)
        }
        "pull" => {
            let db = view(ctx, step)?;
            let sel = get(step, "selector").cloned().unwrap_or(Value::Nil);
            cairn::pull::pull(&db, &sel, &sv("eid").unwrap_or(Value::Nil)).map(Some)
        }
        "pull-many" => {
            let db = view(ctx, step)?;
            let sel = get(step, "selector").cloned().unwrap_or(Value::Nil);
            let eids = sv("eids").unwrap_or(Value::Nil);
            cairn::pull::pull_many(&db, &sel, eids.as_seq().unwrap_or(&[])).map(Some)
        }
        "entity" => {
            let db = view(ctx, step)?;
            let eid = sv("eid").unwrap_or(Value::Nil);
            entity_attr(Arc::new(db), &eid, &sv("attr").unwrap_or(Value::Nil)).map(Some)
        }
        "datoms" | "seek-datoms" => {
            let db = view(ctx, step)?;
            let index = get(step, "index")
                .and_then(Value::as_keyword)
                .map(|k| k.full().to_string())
                .unwrap_or_default();
            let order = IndexOrder::from_name(&index)
                .ok_or_else(|| cairn::Error::syntax(format!("unknown index {index}")))?;
            let comps = sv("components").unwrap_or(Value::Nil);
            let comps = comps.as_seq().unwrap_or(&[]);
            let take = get(step, "take")
                .and_then(Value::as_long)
                .map(|n| n as usize);
            let it = if op == "datoms" {
                db.datoms(order, comps)?
            } else {
                db.seek_datoms(order, comps)?
            };
            triples(it, take).map(Some)
        }
        "index-range" => {
            let db = view(ctx, step)?;
            let it = db.index_range(
                &sv("attr").unwrap_or(Value::Nil),
                &sv("start").unwrap_or(Value::Nil),
                &sv("end").unwrap_or(Value::Nil),
            )?;
            triples(it, None).map(Some)
        }
        "schema" => {
            let db = view(ctx, step)?;
            let s = db.schema().to_value();
            // Compare without :db/id.
            let stripped = Value::map(s.as_map().into_iter().flatten().map(|(k, v)| {
                let m = v.as_map().cloned().unwrap_or_default();
                (
                    k.clone(),
                    Value::map(m.into_iter().filter(|(mk, _)| mk != &kw("db/id"))),
                )
            }));
            Ok(Some(stripped))
        }
        other => Err(cairn::Error::other(format!("unknown step op :{other}"))),
    }
}

fn check_expect(
    step: &BTreeMap<Value, Value>,
    actual: Option<&Value>,
    b: &BTreeMap<Value, Value>,
) -> Result<(), String> {
    if let Some(exp) = get(step, "expect") {
        let exp = subst(exp, b);
        let actual = actual.cloned().unwrap_or(Value::Nil);
        if !matches(&exp, &actual) {
            return Err(format!("expected {exp}, got {actual}"));
        }
    }
    if let Some(exp) = get(step, "expect-coll") {
        let exp = subst(exp, b);
        let actual = actual.cloned().unwrap_or(Value::Nil);
        let ok = match (exp.as_seq(), actual.as_seq()) {
            (Some(e), Some(a)) => multiset_match(e, a),
            _ => false,
        };
        if !ok {
            return Err(format!("expected collection {exp}, got {actual}"));
        }
    }
    Ok(())
}

fn run_case(
    case: &Value,
    backend: Backend,
    n: usize,
    tmp: &std::path::Path,
) -> Result<Outcome, String> {
    let id = case
        .get_kw("id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let base = match backend {
        Backend::Memory => Config::memory(&format!("conformance-{n}-{id}")),
        Backend::Redb => Config::redb(tmp.join(format!("case-{n}.redb"))),
    };
    let mut cfg_map = base.to_value().as_map().cloned().unwrap_or_default();
    if let Some(Value::Map(c)) = case.get_kw("config") {
        for (k, v) in c.iter() {
            cfg_map.insert(k.clone(), v.clone());
        }
    }
    let config = Config::from_value_env(&Value::Map(Arc::new(cfg_map)), &|_| None)
        .map_err(|e| format!("config: {e}"))?;
    let _ = cairn::delete_database(&config);
    cairn::create_database(&config).map_err(|e| format!("create-database: {e}"))?;
    let conn = cairn::connect(&config).map_err(|e| format!("connect: {e}"))?;
    let mut ctx = Ctx {
        conn,
        bindings: BTreeMap::new(),
    };
    let mut not_run = false;
    let result = (|| {
        if let Some(schema) = case.get_kw("schema") {
            ctx.conn
                .transact(schema, None)
                .map_err(|e| format!("schema: {e}"))?;
        }
        for (i, step) in case
            .get_kw("steps")
            .and_then(Value::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let step = step.as_map().cloned().unwrap_or_default();
            let op = get(&step, "op").cloned().unwrap_or(Value::Nil);
            let expects_error = get(&step, "expect-error").is_some();
            match run_step(&mut ctx, &step) {
                Err(e) if e.message == NOT_RUN => not_run = true,
                Err(e) if expects_error => {
                    let _ = e;
                }
                Err(e) => return Err(format!("step {} {op}: unexpected error {e}", i + 1)),
                Ok(_) if expects_error => {
                    return Err(format!(
                        "step {} {op}: expected an error, got success",
                        i + 1
                    ));
                }
                Ok(actual) => check_expect(&step, actual.as_ref(), &ctx.bindings)
                    .map_err(|m| format!("step {} {op}: {m}", i + 1))?,
            }
        }
        Ok(())
    })();
    ctx.conn.release();
    let _ = cairn::delete_database(&config);
    result.map(|()| {
        if not_run {
            Outcome::NotRun
        } else {
            Outcome::Passed
        }
    })
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = conformance_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read conformance folder {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "edn"))
        .collect();
    files.sort();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut n = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read conformance file");
        let suite = cairn::edn::read(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in suite.get_kw("cases").and_then(Value::as_seq).unwrap_or(&[]) {
            let id = case.get_kw("id").and_then(Value::as_str).unwrap_or("?");
            if filter.as_ref().is_some_and(|f| !id.contains(f.as_str())) {
                continue;
            }
            for backend in [Backend::Memory, Backend::Redb] {
                n += 1;
                match run_case(case, backend, n, tmp.path()) {
                    Ok(Outcome::Passed) => passed += 1,
                    Ok(Outcome::NotRun) => {
                        skipped += 1;
                        println!(
                            "NOT RUN [{backend:?}] {id}: has steps that need the query engine"
                        );
                    }
                    Err(msg) => {
                        failed += 1;
                        println!("FAIL [{backend:?}] {id}: {msg}");
                    }
                }
            }
        }
    }
    println!("conformance: {passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 {
        std::process::exit(1);
    }
}
