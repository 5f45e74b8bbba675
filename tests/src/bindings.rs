//! The binding script (see `tests/bindings/README.md`): the shared
//! scenario, every spec example and a sample of the conformance cases,
//! compiled into steps every binding runs through its typed API, and the
//! reference transcript the Rust runtime produces for them through the same
//! seam ([`cairn::api::dispatch()`]) and the same JSON wire.

use std::collections::BTreeMap;

use cairn::api::cairn_api_spec::{Spec, Target};
use cairn::{Value, api::wire};
use serde_json::{Value as J, json};

/// The bindings a case may target.
pub const BINDINGS: [(&str, Target); 3] = [
    ("python", Target::Python),
    ("java", Target::Java),
    ("typescript", Target::Typescript),
];

/// One step: an op call with positional wire arguments.
#[derive(Clone, Debug)]
pub struct Step {
    /// Spec name of the op.
    pub op: String,
    /// Positional arguments (JSON under the wire rule, `{"$var": ..}`
    /// placeholders).
    pub args: Vec<J>,
    /// Keep the whole result under this name.
    pub save: Option<String>,
    /// Keep parts of the result: name → path.
    pub bind: Vec<(String, Vec<J>)>,
}

impl Step {
    fn new(op: &str, args: Vec<J>) -> Step {
        Step {
            op: op.to_string(),
            args,
            save: None,
            bind: Vec::new(),
        }
    }
    fn save(mut self, name: &str) -> Step {
        self.save = Some(name.to_string());
        self
    }
    fn to_json(&self) -> J {
        let mut m = serde_json::Map::new();
        m.insert("op".into(), J::String(self.op.clone()));
        m.insert("args".into(), J::Array(self.args.clone()));
        if let Some(s) = &self.save {
            m.insert("save".into(), J::String(s.clone()));
        }
        if !self.bind.is_empty() {
            let b: serde_json::Map<String, J> = self
                .bind
                .iter()
                .map(|(k, p)| (k.clone(), J::Array(p.clone())))
                .collect();
            m.insert("bind".into(), J::Object(b));
        }
        J::Object(m)
    }
}

/// One case: steps run in order against fresh state.
#[derive(Clone, Debug)]
pub struct Case {
    /// `scenario/..`, `example/..`, `conformance/..`.
    pub id: String,
    /// The bindings that run it.
    pub targets: Vec<&'static str>,
    /// Its steps.
    pub steps: Vec<Step>,
}

fn var(name: &str) -> J {
    json!({ "$var": name })
}

fn edn(v: &Value) -> J {
    json!({ "#edn": v.to_string() })
}

/// A value as a script argument: plain JSON where the wire rule reads it
/// back as the same value, tagged objects elsewhere; symbols named in
/// `vars` become `{"$var": ..}` placeholders.
pub fn to_arg(v: &Value, vars: &dyn Fn(&str) -> Option<String>) -> J {
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Long(l) => json!(l),
        Value::Double(d) if d.is_finite() && d.fract() != 0.0 => json!(d),
        Value::Str(s) if s.starts_with('\\') => edn(v),
        Value::Str(s) if s.starts_with(':') => J::String(format!("\\{s}")),
        Value::Str(s) => J::String(s.to_string()),
        Value::Keyword(k) => J::String(format!(":{}", k.full())),
        Value::Symbol(s) => match vars(s.full()) {
            Some(name) => var(&name),
            None => edn(v),
        },
        Value::Uuid(u) => json!({ "#uuid": u.to_string() }),
        Value::Inst(_) => {
            let text = wire::to_json_string(v);
            json!({ "#inst": serde_json::from_str::<J>(&text).unwrap_or(J::Null) })
        }
        Value::Vector(xs) => J::Array(xs.iter().map(|x| to_arg(x, vars)).collect()),
        Value::List(xs) => {
            json!({ "#list": xs.iter().map(|x| to_arg(x, vars)).collect::<Vec<_>>() })
        }
        Value::Set(xs) => json!({ "#set": xs.iter().map(|x| to_arg(x, vars)).collect::<Vec<_>>() }),
        Value::Map(m)
            if m.keys().all(|k| {
                k.as_keyword()
                    .is_some_and(|k| !k.full().starts_with('#') && !k.full().starts_with(':'))
            }) && !m.is_empty() =>
        {
            let obj: serde_json::Map<String, J> = m
                .iter()
                .map(|(k, x)| {
                    (
                        k.as_keyword()
                            .map(|k| k.full().to_string())
                            .unwrap_or_default(),
                        to_arg(x, vars),
                    )
                })
                .collect();
            J::Object(obj)
        }
        // Doubles with no fraction, big numbers, chars, bytes, tagged
        // literals, maps with other keys: EDN text.
        _ => edn(v),
    }
}

fn no_vars(_: &str) -> Option<String> {
    None
}

/// The targets exposing every op of `steps`.
fn targets_of(spec: &Spec, steps: &[Step]) -> Vec<&'static str> {
    BINDINGS
        .iter()
        .filter(|(_, t)| {
            steps
                .iter()
                .all(|s| spec.op(&s.op).is_some_and(|op| op.exposed_in(*t)))
        })
        .map(|(n, _)| *n)
        .collect()
}

fn memory_config(id: &str, extra: Option<&Value>) -> J {
    let mut m = serde_json::Map::new();
    m.insert("store".into(), json!({"backend": ":memory", "id": id}));
    if let Some(Value::Map(c)) = extra {
        for (k, v) in c.iter() {
            if let Some(k) = k.as_keyword() {
                m.insert(k.full().to_string(), to_arg(v, &no_vars));
            }
        }
    }
    J::Object(m)
}

/// Setup and teardown around a case's own steps: a fresh memory database
/// `id`, connected (`conn`) and read (`db`).
fn around(cfg: &J, body: Vec<Step>) -> Vec<Step> {
    let mut steps = vec![
        Step::new("create-database", vec![cfg.clone()]),
        Step::new("connect", vec![cfg.clone()]).save("conn"),
        Step::new("db", vec![var("conn")]).save("db"),
    ];
    steps.extend(body);
    steps.push(Step::new("release", vec![var("conn")]));
    steps.push(Step::new("delete-database", vec![cfg.clone()]));
    steps
}

/// Every example of every op that some binding exposes.
pub fn example_cases(spec: &Spec) -> Vec<Case> {
    let mut cases = Vec::new();
    for op in &spec.ops {
        if !BINDINGS.iter().any(|(_, t)| op.exposed_in(*t)) {
            continue;
        }
        for (i, ex) in op.examples.iter().enumerate() {
            let id = format!("example/{}/{}", op.name, i + 1);
            let fixtures = |s: &str| matches!(s, "conn" | "db").then(|| s.to_string());
            let args: Vec<J> = ex
                .arg_values()
                .iter()
                .map(|v| to_arg(v, &fixtures))
                .collect();
            let cfg = memory_config(&format!("binding-{id}"), None);
            let fixture = |text: &str| {
                let v = cairn::edn::read(text).unwrap_or(Value::Nil);
                Step::new("transact", vec![var("conn"), to_arg(&v, &no_vars)])
            };
            let steps = around(
                &cfg,
                vec![
                    fixture(crate::fixtures::SCHEMA),
                    fixture(crate::fixtures::DATA),
                    Step::new("db", vec![var("conn")]).save("db"),
                    Step::new(&op.name, args),
                ],
            );
            cases.push(Case {
                targets: targets_of(spec, &steps),
                id,
                steps,
            });
        }
    }
    cases
}

/// Compiles one conformance case into steps.
pub fn conformance_case(spec: &Spec, case: &Value, n: usize) -> Option<Case> {
    let id = format!("conformance/{}", case.get_kw("id")?.as_str()?);
    let cfg = memory_config(&format!("binding-conformance-{n}"), case.get_kw("config"));
    let is_var = |s: &str| s.starts_with('?').then(|| s.to_string());
    let mut body = Vec::new();
    if let Some(schema) = case.get_kw("schema") {
        body.push(Step::new(
            "transact",
            vec![var("conn"), to_arg(schema, &no_vars)],
        ));
    }
    for step in case.get_kw("steps")?.as_seq()? {
        let get = |k: &str| step.get_kw(k).cloned().unwrap_or(Value::Nil);
        let arg = |k: &str| to_arg(&get(k), &is_var);
        let op = get("op").as_keyword()?.full().to_string();
        if op != "transact" {
            body.push(Step::new("db", vec![var("conn")]).save("db"));
        }
        let view = match step.get_kw("db") {
            Some(v) if v.get_kw("as-of").is_some() => Some(("as-of", v.get_kw("as-of")?)),
            Some(v) if v.get_kw("since").is_some() => Some(("since", v.get_kw("since")?)),
            Some(v) if v.get_kw("history").is_some() => Some(("history", v.get_kw("history")?)),
            _ => None,
        };
        let db = match view {
            Some(("history", _)) => {
                body.push(Step::new("history", vec![var("db")]).save("view"));
                var("view")
            }
            Some((kind, t)) => {
                body.push(Step::new(kind, vec![var("db"), to_arg(t, &is_var)]).save("view"));
                var("view")
            }
            None => var("db"),
        };
        let trim = |mut args: Vec<J>| {
            while args.last() == Some(&J::Null) {
                args.pop();
            }
            args
        };
        let mut s = match op.as_str() {
            "transact" => Step::new("transact", vec![var("conn"), arg("tx")]),
            "q" => {
                let mut inputs = vec![db];
                if let Some(xs) = get("args").as_seq() {
                    inputs.extend(xs.iter().map(|x| to_arg(x, &is_var)));
                }
                Step::new("q", vec![edn(&get("query")), J::Array(inputs)])
            }
            "pull" => Step::new("pull", vec![db, edn(&get("selector")), arg("eid")]),
            "pull-many" => Step::new("pull-many", vec![db, edn(&get("selector")), arg("eids")]),
            "entity" => Step::new("entity", trim(vec![db, arg("eid"), arg("attr")])),
            "datoms" | "seek-datoms" => {
                Step::new(&op, trim(vec![db, arg("index"), arg("components")]))
            }
            "index-range" => Step::new(
                "index-range",
                vec![db, arg("attr"), arg("start"), arg("end")],
            ),
            "schema" => Step::new("schema", vec![db]),
            _ => return None,
        };
        if op == "transact" {
            if let Some(Value::Symbol(t)) = step.get_kw("bind-tx") {
                s.bind.push((t.full().to_string(), vec![json!("tx")]));
            }
            if let Some(Value::Map(m)) = step.get_kw("bind-tempids") {
                for (tid, v) in m.iter() {
                    let key = match tid {
                        Value::Str(s) => s.to_string(),
                        other => other.to_string(),
                    };
                    if let Value::Symbol(v) = v {
                        s.bind
                            .push((v.full().to_string(), vec![json!("tempids"), J::String(key)]));
                    }
                }
            }
        }
        body.push(s);
    }
    let steps = around(&cfg, body);
    Some(Case {
        targets: targets_of(spec, &steps),
        id,
        steps,
    })
}

/// Every `every`-th conformance case (sorted by file, then order in file).
pub fn conformance_cases(spec: &Spec, every: usize) -> Vec<Case> {
    let dir = crate::conformance::conformance_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "edn"));
    files.sort();
    let mut out = Vec::new();
    let mut n = 0;
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(suite) = cairn::edn::read(&text) else {
            continue;
        };
        for case in suite.get_kw("cases").and_then(Value::as_seq).unwrap_or(&[]) {
            n += 1;
            if n % every == 0
                && let Some(c) = conformance_case(spec, case, n)
            {
                out.push(c);
            }
        }
    }
    out
}

/// The shared scenario (`tests/bindings/scenario.edn`): a vector of
/// `{:id .. :steps [{:op name :args [..] :save name :bind {name path}}]}`
/// where symbols starting with `$` refer to saved or bound values.
pub fn scenario_cases(spec: &Spec, text: &str) -> Result<Vec<Case>, String> {
    let v = cairn::edn::read(text).map_err(|e| format!("scenario.edn: {e}"))?;
    let vars = |s: &str| s.strip_prefix('$').map(str::to_string);
    let mut out = Vec::new();
    for c in v
        .as_seq()
        .ok_or("scenario.edn: expected a vector of cases")?
    {
        let id = c
            .get_kw("id")
            .and_then(Value::as_str)
            .ok_or("scenario case without :id")?;
        let mut steps = Vec::new();
        for s in c.get_kw("steps").and_then(Value::as_seq).unwrap_or(&[]) {
            let op = match s.get_kw("op") {
                Some(Value::Symbol(o)) => o.full().to_string(),
                other => return Err(format!("{id}: step op must be a symbol, got {other:?}")),
            };
            if spec.op(&op).is_none() {
                return Err(format!("{id}: unknown op {op}"));
            }
            let args = s
                .get_kw("args")
                .and_then(Value::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(|a| match a {
                    // Queries and pull patterns travel as EDN text.
                    Value::Str(t) if t.starts_with('[') || t.starts_with('{') => {
                        json!({ "#edn": t.to_string() })
                    }
                    _ => to_arg(a, &vars),
                })
                .collect();
            let mut step = Step::new(&op, args);
            if let Some(Value::Symbol(n)) = s.get_kw("save") {
                step.save = Some(n.full().to_string());
            }
            if let Some(Value::Map(b)) = s.get_kw("bind") {
                for (k, path) in b.iter() {
                    let Value::Symbol(k) = k else { continue };
                    let path = path
                        .as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .map(|p| match p {
                            Value::Long(i) => json!(i),
                            Value::Keyword(k) => J::String(k.full().to_string()),
                            other => J::String(match other {
                                Value::Str(s) => s.to_string(),
                                o => o.to_string(),
                            }),
                        })
                        .collect();
                    step.bind.push((k.full().to_string(), path));
                }
            }
            steps.push(step);
        }
        out.push(Case {
            targets: targets_of(spec, &steps),
            id: id.to_string(),
            steps,
        });
    }
    Ok(out)
}

/// The script as JSON.
pub fn script_json(spec: &Spec, cases: &[Case]) -> J {
    json!({
        "spec-hash": spec.hash(),
        "cases": cases.iter().map(|c| json!({
            "id": c.id,
            "targets": c.targets,
            "steps": c.steps.iter().map(Step::to_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn substitute(j: &J, env: &BTreeMap<String, J>) -> Result<J, String> {
    Ok(match j {
        J::Object(m) if m.len() == 1 && m.contains_key("$var") => {
            let name = m["$var"].as_str().unwrap_or_default();
            env.get(name).cloned().ok_or_else(|| name.to_string())?
        }
        J::Object(m) => J::Object(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, env)?)))
                .collect::<Result<_, String>>()?,
        ),
        J::Array(xs) => J::Array(
            xs.iter()
                .map(|x| substitute(x, env))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn at_path<'a>(mut j: &'a J, path: &[J]) -> Option<&'a J> {
    for p in path {
        j = match p {
            J::String(k) => j.get(k.as_str())?,
            J::Number(n) => j.get(usize::try_from(n.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    Some(j)
}

/// Runs a case through [`cairn::api::dispatch()`] over the JSON wire, as a
/// binding does; one transcript entry per step.
pub fn run_case(case: &Case) -> Vec<J> {
    let mut env: BTreeMap<String, J> = BTreeMap::new();
    let mut out = Vec::new();
    for step in &case.steps {
        let args = match substitute(&J::Array(step.args.clone()), &env) {
            Ok(a) => a,
            Err(_) => {
                out.push(json!({"error": "unbound"}));
                continue;
            }
        };
        let answer = wire::from_json(&args)
            .and_then(|a| cairn::api::dispatch(&step.op, &a))
            .map(|v| serde_json::from_str::<J>(&wire::to_json_string(&v)).unwrap_or(J::Null));
        match answer {
            Ok(result) => {
                if let Some(name) = &step.save {
                    env.insert(name.clone(), result.clone());
                }
                for (name, path) in &step.bind {
                    if let Some(v) = at_path(&result, path) {
                        env.insert(name.clone(), v.clone());
                    }
                }
                out.push(json!({ "ok": result }));
            }
            Err(e) => out.push(json!({ "error": e.kind.as_str() })),
        }
    }
    out
}

/// All cases of the script: scenario, examples, every third conformance case.
pub fn all_cases(spec: &Spec) -> Result<Vec<Case>, String> {
    let scenario = include_str!("../bindings/scenario.edn");
    let mut cases = scenario_cases(spec, scenario)?;
    cases.extend(example_cases(spec));
    cases.extend(conformance_cases(spec, 3));
    Ok(cases)
}
