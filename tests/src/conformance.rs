//! The conformance runner: runs every case of `../shared/conformance/*.edn`
//! and of our own `tests/conformance-extra/*.edn`
//! through Cairn's public Rust API against the `memory` and the `redb`
//! backend ([`Mode::Api`]), or through the `cairn` CLI, one process per step,
//! on redb ([`Mode::Cli`]). Prints one line per failing case and a final
//! `N passed, N failed` line.
//!
//! `cargo test -p cairn-tests --test conformance -- [FILTER]`: only cases
//! whose id contains FILTER. `CAIRN_CONFORMANCE_DIR` overrides the folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn::api::Arg;
use cairn::{Config, Connection, Value};

/// How the cases reach Cairn.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The Rust API, on both backends.
    Api,
    /// The `cairn` binary at this path, one process per step, on redb.
    Cli(PathBuf),
}

/// The folder of the conformance cases (`CAIRN_CONFORMANCE_DIR` overrides it).
pub fn conformance_dir() -> PathBuf {
    match std::env::var("CAIRN_CONFORMANCE_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"),
    }
}

/// Our own cases in the same format (`tests/conformance-extra/`): more
/// behaviour of the same kinds, pinned from Datahike's documented semantics
/// (`../shared/reference/`). They run after the shared ones.
pub fn extra_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance-extra")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backend {
    Memory,
    Redb,
    Cli,
}

enum Driver {
    Api(Connection),
    Cli { bin: PathBuf, cfg: PathBuf },
}

struct Ctx {
    driver: Driver,
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

/// An argument of a step's operation, before a driver resolves it.
enum StepArg {
    /// The case's database, through the step's view (`:db`).
    Db(Option<Value>),
    /// The case's connection.
    Conn,
    /// Data.
    Data(Value),
}

/// Translates a conformance step into an operation of the public API and
/// its arguments.
fn step_call(
    step: &BTreeMap<Value, Value>,
    b: &BTreeMap<Value, Value>,
) -> Result<(String, Vec<StepArg>), String> {
    let op = get(step, "op")
        .and_then(Value::as_keyword)
        .map(|k| k.full().to_string())
        .unwrap_or_default();
    let sv = |k: &str| get(step, k).map(|v| subst(v, b)).unwrap_or(Value::Nil);
    let raw = |k: &str| get(step, k).cloned().unwrap_or(Value::Nil);
    let db = || StepArg::Db(get(step, "db").map(|v| subst(v, b)));
    let data = StepArg::Data;
    let args = match op.as_str() {
        "transact" => vec![StepArg::Conn, data(sv("tx"))],
        "q" => {
            let mut args = vec![data(raw("query")), db()];
            args.extend(sv("args").as_seq().unwrap_or(&[]).iter().cloned().map(data));
            args
        }
        "pull" => vec![db(), data(raw("selector")), data(sv("eid"))],
        "pull-many" => vec![db(), data(raw("selector")), data(sv("eids"))],
        "entity" => vec![db(), data(sv("eid")), data(sv("attr"))],
        "datoms" | "seek-datoms" => vec![
            db(),
            data(Value::map([
                (kw("index"), raw("index")),
                (kw("components"), sv("components")),
            ])),
        ],
        "index-range" => vec![
            db(),
            data(Value::map([
                (kw("attrid"), sv("attr")),
                (kw("start"), sv("start")),
                (kw("end"), sv("end")),
            ])),
        ],
        "schema" => vec![db()],
        other => return Err(format!("unknown step op :{other}")),
    };
    Ok((op, args))
}

/// Runs a step's operation through the context's driver.
fn call(ctx: &Ctx, op: &str, args: Vec<StepArg>) -> cairn::Result<Value> {
    match &ctx.driver {
        Driver::Api(conn) => {
            let mut resolved = Vec::new();
            for a in args {
                resolved.push(match a {
                    StepArg::Conn => Arg::Conn(conn.clone()),
                    StepArg::Data(v) => Arg::Value(v),
                    StepArg::Db(spec) => {
                        let db = conn.db()?;
                        Arg::Db(match spec {
                            Some(s) if s.get_kw("as-of").is_some() => {
                                db.as_of(&s.get_kw("as-of").cloned().unwrap_or(Value::Nil))?
                            }
                            Some(s) if s.get_kw("since").is_some() => {
                                db.since(&s.get_kw("since").cloned().unwrap_or(Value::Nil))?
                            }
                            Some(s) if s.get_kw("history") == Some(&Value::Bool(true)) => {
                                db.history()?
                            }
                            _ => db,
                        })
                    }
                });
            }
            // The spec's `q query args?`: the inputs after the query are one
            // vector (the CLI takes them as separate words).
            if op == "q" && !resolved.is_empty() {
                let inputs = resolved.split_off(1);
                resolved.push(Arg::List(inputs));
            }
            cairn::api::call(op, &resolved)
        }
        Driver::Cli { bin, cfg } => {
            let cfg = cfg.display();
            let mut argv = vec![op.trim_end_matches('?').to_string()];
            for a in args {
                argv.push(match a {
                    StepArg::Conn => format!("conn:{cfg}"),
                    StepArg::Data(v) => v.to_string(),
                    StepArg::Db(spec) => match spec {
                        Some(s) if s.get_kw("as-of").is_some() => format!(
                            "asof:{}:{cfg}",
                            s.get_kw("as-of").cloned().unwrap_or(Value::Nil)
                        ),
                        Some(s) if s.get_kw("since").is_some() => format!(
                            "since:{}:{cfg}",
                            s.get_kw("since").cloned().unwrap_or(Value::Nil)
                        ),
                        Some(s) if s.get_kw("history") == Some(&Value::Bool(true)) => {
                            format!("history:{cfg}")
                        }
                        _ => format!("db:{cfg}"),
                    },
                });
            }
            let out = std::process::Command::new(bin)
                .args(&argv)
                .output()
                .map_err(|e| cairn::Error::other(format!("cannot run {}: {e}", bin.display())))?;
            if !out.status.success() {
                return Err(cairn::Error::other(format!(
                    "cairn {} exited with {}: {}",
                    argv.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            cairn::edn::read(&String::from_utf8_lossy(&out.stdout))
        }
    }
}

/// `[e a v tx added]` vectors → `[e a v]` triples, the first `take`.
fn triples(datoms: &Value, take: Option<usize>) -> Value {
    let ds = datoms.as_seq().unwrap_or(&[]);
    let n = take.unwrap_or(ds.len()).min(ds.len());
    Value::vector(
        ds[..n]
            .iter()
            .map(|d| {
                Value::vector(
                    d.as_seq()
                        .map(|x| x[..3.min(x.len())].to_vec())
                        .unwrap_or_default(),
                )
            })
            .collect(),
    )
}

/// Runs one step; `Ok(Some(actual))` when the step produced a value.
fn run_step(ctx: &mut Ctx, step: &BTreeMap<Value, Value>) -> cairn::Result<Option<Value>> {
    let (op, args) = step_call(step, &ctx.bindings).map_err(cairn::Error::other)?;
    let result = call(ctx, &op, args)?;
    match op.as_str() {
        "transact" => {
            if let Some(Value::Symbol(s)) = get(step, "bind-tx") {
                let tx = result.get_kw("tx").cloned().unwrap_or(Value::Nil);
                ctx.bindings.insert(Value::Symbol(s.clone()), tx);
            }
            if let Some(Value::Map(m)) = get(step, "bind-tempids") {
                let tempids = result.get_kw("tempids").cloned().unwrap_or(Value::Nil);
                for (tid, var) in m.iter() {
                    let e = tempids.get(tid).ok_or_else(|| {
                        cairn::Error::other(format!("tempid {tid} not in report {tempids}"))
                    })?;
                    ctx.bindings.insert(var.clone(), e.clone());
                }
            }
            Ok(None)
        }
        "datoms" | "seek-datoms" | "index-range" => {
            let take = get(step, "take")
                .and_then(Value::as_long)
                .map(|n| n as usize);
            Ok(Some(triples(&result, take)))
        }
        "schema" => {
            // Compare without :db/id.
            Ok(Some(Value::map(result.as_map().into_iter().flatten().map(
                |(k, v)| {
                    let m = v.as_map().cloned().unwrap_or_default();
                    (
                        k.clone(),
                        Value::map(m.into_iter().filter(|(mk, _)| mk != &kw("db/id"))),
                    )
                },
            ))))
        }
        _ => Ok(Some(result)),
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
    tmp: &Path,
    bin: Option<&Path>,
) -> Result<(), String> {
    let id = case
        .get_kw("id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let base = match backend {
        Backend::Memory => Config::memory(&format!("conformance-{n}-{id}")),
        Backend::Redb | Backend::Cli => Config::redb(tmp.join(format!("case-{n}.redb"))),
    };
    let mut cfg_map = base.to_value().as_map().cloned().unwrap_or_default();
    if let Some(Value::Map(c)) = case.get_kw("config") {
        for (k, v) in c.iter() {
            cfg_map.insert(k.clone(), v.clone());
        }
    }
    let cfg_value = Value::Map(Arc::new(cfg_map));
    let config =
        Config::from_value_env(&cfg_value, &|_| None).map_err(|e| format!("config: {e}"))?;
    let _ = cairn::delete_database(&config);
    let driver = match (backend, bin) {
        (Backend::Cli, Some(bin)) => {
            let cfg = tmp.join(format!("case-{n}.edn"));
            std::fs::write(&cfg, cfg_value.to_string()).map_err(|e| format!("config file: {e}"))?;
            let out = std::process::Command::new(bin)
                .arg("create-database")
                .arg(&cfg)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
            if !out.status.success() {
                return Err(format!(
                    "create-database: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Driver::Cli {
                bin: bin.to_path_buf(),
                cfg,
            }
        }
        _ => {
            cairn::create_database(&config).map_err(|e| format!("create-database: {e}"))?;
            Driver::Api(cairn::connect(&config).map_err(|e| format!("connect: {e}"))?)
        }
    };
    let mut ctx = Ctx {
        driver,
        bindings: BTreeMap::new(),
    };
    let result = (|| {
        if let Some(schema) = case.get_kw("schema") {
            call(
                &ctx,
                "transact",
                vec![StepArg::Conn, StepArg::Data(schema.clone())],
            )
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
                Err(_) if expects_error => {}
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
    if let Driver::Api(conn) = &ctx.driver {
        conn.release();
    }
    let _ = cairn::delete_database(&config);
    result
}

/// Runs every case in `mode`; prints failures and the closing line; exits
/// non-zero when a case fails.
pub fn main(mode: Mode) {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [conformance_dir(), extra_dir()] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read conformance folder {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "edn"))
            .collect();
        here.sort();
        files.extend(here);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let (backends, bin) = match &mode {
        Mode::Api => (vec![Backend::Memory, Backend::Redb], None),
        Mode::Cli(bin) => (vec![Backend::Cli], Some(bin.as_path())),
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut n = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read conformance file");
        let suite = cairn::edn::read(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in suite.get_kw("cases").and_then(Value::as_seq).unwrap_or(&[]) {
            let id = case.get_kw("id").and_then(Value::as_str).unwrap_or("?");
            if filter.as_ref().is_some_and(|f| !id.contains(f.as_str())) {
                continue;
            }
            for backend in &backends {
                n += 1;
                match run_case(case, *backend, n, tmp.path(), bin) {
                    Ok(()) => passed += 1,
                    Err(msg) => {
                        failed += 1;
                        println!("FAIL [{backend:?}] {id}: {msg}");
                    }
                }
            }
        }
    }
    println!("conformance: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
