//! Validation of a read spec: every rule runs and every problem is kept.

use std::collections::{BTreeMap, BTreeSet};

use cairn_edn::Value;

use crate::error::{SpecErrorKind as K, SpecErrors};
use crate::model::*;
use crate::naming;

/// Runs every rule over `spec`, appending problems to `errs`.
pub(crate) fn check(spec: &Spec, errs: &mut SpecErrors) {
    check_types(spec, errs);
    check_error_kinds(spec, errs);
    let mut seen = BTreeSet::new();
    let mut unique_ops = Vec::new();
    for op in &spec.ops {
        if !seen.insert(op.name.as_str()) {
            errs.push(
                K::Duplicate,
                format!("op `{}`", op.name),
                "declared more than once",
            );
            continue;
        }
        unique_ops.push(op);
        check_op(spec, op, errs);
    }
    check_collisions(&unique_ops, errs);
}

fn check_ref(spec: &Spec, ty: &TypeRef, at: &str, errs: &mut SpecErrors) {
    for name in ty.names() {
        if name != "?" && spec.type_decl(name).is_none() {
            errs.push(
                K::UnknownType,
                at,
                format!("unknown type `{name}`: declare it under `:types` or use a declared one"),
            );
        }
    }
}

fn check_fields(spec: &Spec, fields: &[Field], at: &str, errs: &mut SpecErrors) {
    let mut seen = BTreeSet::new();
    for f in fields {
        let fat = format!("{at} field `{}`", f.name);
        if !seen.insert(&f.name) {
            errs.push(K::Duplicate, &fat, "declared more than once");
        }
        check_ref(spec, &f.ty, &fat, errs);
    }
}

fn check_types(spec: &Spec, errs: &mut SpecErrors) {
    let mut seen = BTreeSet::new();
    for t in &spec.types {
        let at = format!("type `{}`", t.name);
        if !seen.insert(t.name.as_str()) {
            errs.push(K::Duplicate, &at, "declared more than once");
        }
        if !naming::is_pascal(&t.name) {
            errs.push(K::Syntax, &at, "type names are PascalCase (`TxReport`)");
        }
        match &t.kind {
            TypeKind::Scalar { json } => {
                if *json == JsonScalar::Integer && t.rust != "i64" {
                    errs.push(
                        K::IntegerWidth,
                        &at,
                        format!(
                            "integers are 64-bit: `:rust` must be \"i64\", not \"{}\"",
                            t.rust
                        ),
                    );
                }
            }
            TypeKind::Map { fields, .. } | TypeKind::Handle { fields, .. } => {
                check_fields(spec, fields, &at, errs);
            }
            TypeKind::Vector { of } => check_ref(spec, of, &at, errs),
            TypeKind::Enum { values } => {
                if values.is_empty() {
                    errs.push(K::Missing, &at, "an enum needs at least one value");
                }
                let mut seen = BTreeSet::new();
                for v in values {
                    if !seen.insert(&v.value) {
                        errs.push(
                            K::Duplicate,
                            format!("{at} value `:{}`", v.value),
                            "declared more than once",
                        );
                    }
                }
            }
            TypeKind::Variant { variants } => {
                if variants.len() < 2 {
                    errs.push(K::Missing, &at, "a variant needs at least two alternatives");
                }
                let mut seen = BTreeSet::new();
                for v in variants {
                    let vat = format!("{at} variant `{}`", v.name);
                    if !seen.insert(&v.name) {
                        errs.push(K::Duplicate, &vat, "declared more than once");
                    }
                    check_ref(spec, &v.ty, &vat, errs);
                }
            }
        }
    }
}

fn check_error_kinds(spec: &Spec, errs: &mut SpecErrors) {
    let mut seen = BTreeSet::new();
    for e in spec.errors.iter().chain(&spec.transport_errors) {
        let at = format!("error kind `{}`", e.name);
        if !seen.insert(&e.name) {
            errs.push(
                K::Duplicate,
                &at,
                "declared more than once (kinds and transport kinds share one namespace)",
            );
        }
        if !(400..=599).contains(&e.http_status) {
            errs.push(
                K::Syntax,
                &at,
                format!(
                    "`:http-status` {} is not an HTTP error status (400-599)",
                    e.http_status
                ),
            );
        }
    }
}

fn check_op(spec: &Spec, op: &Op, errs: &mut SpecErrors) {
    let at = format!("op `{}`", op.name);
    if !naming::is_kebab(&op.name) {
        errs.push(
            K::Syntax,
            &at,
            "op names are kebab-case, optionally ending in `?` or `!`",
        );
    }
    check_ref(spec, &op.ret, &format!("{at} ret"), errs);
    let mut seen = BTreeSet::new();
    let mut optional_seen: Option<&str> = None;
    for arg in &op.args {
        let aat = format!("{at} arg `{}`", arg.name);
        if !seen.insert(&arg.name) {
            errs.push(K::Duplicate, &aat, "declared more than once");
        }
        if !naming::is_kebab(&arg.name) || arg.name.ends_with('!') {
            errs.push(K::Syntax, &aat, "argument names are kebab-case");
        }
        for (target, name, reserved) in [
            ("Python", naming::snake(&arg.name), naming::PYTHON_RESERVED),
            (
                "TypeScript/Java",
                naming::camel(&arg.name),
                naming::CAMEL_RESERVED,
            ),
        ] {
            if reserved.contains(&name.as_str()) {
                errs.push(
                    K::Reserved,
                    &aat,
                    format!("`{name}` is reserved in {target}; rename the argument"),
                );
            }
        }
        check_ref(spec, &arg.ty, &aat, errs);
        match (arg.optional, optional_seen) {
            (true, _) => optional_seen = Some(&arg.name),
            (false, Some(prev)) => errs.push(
                K::OptionalOrder,
                &aat,
                format!("required argument after optional `{prev}`: optional arguments come last (no positional overloads)"),
            ),
            (false, None) => {}
        }
        if let Some(d) = &arg.default {
            if !arg.optional {
                errs.push(
                    K::Inconsistent,
                    &aat,
                    "`:default` only applies to `:optional? true` arguments",
                );
            }
            if let Ok(v) = cairn_edn::edn::read(d) {
                if let Err(msg) = fits(spec, &v, &arg.ty) {
                    errs.push(K::Example, &aat, format!("default {d}: {msg}"));
                }
            }
        }
    }
    for t in &op.targets {
        if t.is_remote() && !op.remote {
            errs.push(
                K::Inconsistent,
                &at,
                format!(
                    "target `:{}` reaches the runtime over HTTP but the op is not `:remote? true`",
                    t.as_str()
                ),
            );
        }
    }
    if op.remote && !op.targets.contains(&Target::Http) {
        errs.push(
            K::Inconsistent,
            &at,
            "`:remote? true` but `:http` is not among `:targets`",
        );
    }
    for (target, name, overridden, reserved) in [
        (
            "Python",
            op.python_name(),
            op.names.python.is_some(),
            naming::PYTHON_RESERVED,
        ),
        (
            "TypeScript/Java",
            op.camel_name(),
            op.names.camel.is_some(),
            naming::CAMEL_RESERVED,
        ),
    ] {
        if reserved.contains(&name.as_str()) {
            let fix = if overridden {
                "choose another override"
            } else {
                "add an override under `:names`"
            };
            errs.push(
                K::Reserved,
                &at,
                format!("derived name `{name}` is reserved in {target}; {fix}"),
            );
        }
    }
    for alias in &op.aliases {
        if !naming::is_kebab(alias) || alias.ends_with(['?', '!']) {
            errs.push(
                K::Syntax,
                &at,
                format!("alias `{alias}` is not a kebab-case command name"),
            );
        }
    }
    for (i, ex) in op.examples.iter().enumerate() {
        check_example(spec, op, ex, &format!("{at} example #{}", i + 1), errs);
    }
}

fn check_example(spec: &Spec, op: &Op, ex: &Example, at: &str, errs: &mut SpecErrors) {
    let n = ex.args.len();
    if n < op.required_arity() || n > op.args.len() {
        errs.push(
            K::Example,
            at,
            format!(
                "passes {n} argument(s); `{}` takes {} to {}",
                op.name,
                op.required_arity(),
                op.args.len()
            ),
        );
    }
    for (text, arg) in ex.args.iter().zip(&op.args) {
        match cairn_edn::edn::read(text) {
            Ok(v) => {
                if let Err(msg) = fits(spec, &v, &arg.ty) {
                    errs.push(K::Example, format!("{at} arg `{}`", arg.name), msg);
                }
            }
            Err(e) => errs.push(
                K::Example,
                at,
                format!("argument {text} does not parse: {e}"),
            ),
        }
    }
    if let Some(ret) = &ex.ret {
        match cairn_edn::edn::read(ret) {
            Ok(v) => {
                if let Err(msg) = fits(spec, &v, &op.ret) {
                    errs.push(K::Example, format!("{at} ret"), msg);
                }
            }
            Err(e) => errs.push(K::Example, at, format!("`:ret` does not parse: {e}")),
        }
    }
    if let Some(cli) = &ex.cli {
        // A shell pipeline may feed the command: check its last stage.
        let stage = cli.rsplit('|').next().unwrap_or(cli);
        let mut words = stage.split_whitespace();
        let (first, second) = (words.next(), words.next());
        let cmd = op.cli_name();
        let ok = first == Some("cairn")
            && second.is_some_and(|w| w == cmd || op.aliases.iter().any(|a| a == w));
        if !ok {
            errs.push(
                K::Example,
                at,
                format!("`:cli` must run `cairn {cmd} ...` (after any `|`), found `{cli}`"),
            );
        }
        if !op.exposed_in(Target::Cli) {
            errs.push(
                K::Example,
                at,
                "has a `:cli` usage but the op is not exposed in the CLI",
            );
        }
    }
}

/// Whether the example value `v` has the shape of `ty`. A bare symbol is a
/// fixture reference and fits any handle type.
pub(crate) fn fits(spec: &Spec, v: &Value, ty: &TypeRef) -> Result<(), String> {
    fits_in(spec, v, ty, &[])
}

/// `within` holds the named types already entered for this same value (not
/// for an element of it): entering one again is a cycle that would never
/// consume the value, e.g. a variant that is one of its own alternatives.
fn fits_in(spec: &Spec, v: &Value, ty: &TypeRef, within: &[&str]) -> Result<(), String> {
    match ty {
        TypeRef::Maybe { of } => {
            if v.is_nil() {
                Ok(())
            } else {
                fits_in(spec, v, of, within)
            }
        }
        TypeRef::Vector { of } => match v {
            Value::Vector(items) | Value::List(items) => {
                items.iter().try_for_each(|x| fits(spec, x, of))
            }
            Value::Set(items) => items.iter().try_for_each(|x| fits(spec, x, of)),
            _ => Err(format!("{v} is not a sequence of {of}")),
        },
        TypeRef::MapOf { key, value } => match v.as_map() {
            Some(m) => m
                .iter()
                .try_for_each(|(k, x)| fits(spec, k, key).and_then(|()| fits(spec, x, value))),
            None => Err(format!("{v} is not a map of {key} to {value}")),
        },
        TypeRef::Named { name } => {
            if within.contains(&name.as_str()) {
                return Err(format!(
                    "type `{name}` refers to itself without nesting (a cycle of variants)"
                ));
            }
            match spec.type_decl(name) {
                None => Ok(()), // reported as an unknown type already
                Some(decl) => {
                    let mut inner = within.to_vec();
                    inner.push(name);
                    fits_decl(spec, v, decl, &inner)
                }
            }
        }
    }
}

fn fits_decl(spec: &Spec, v: &Value, decl: &TypeDecl, within: &[&str]) -> Result<(), String> {
    let name = &decl.name;
    let mismatch = || Err(format!("{v} is not a {name}"));
    match &decl.kind {
        TypeKind::Scalar { json } => {
            let ok = match json {
                JsonScalar::Boolean => matches!(v, Value::Bool(_)),
                JsonScalar::Integer => matches!(v, Value::Long(_)),
                JsonScalar::Number => v.is_number(),
                JsonScalar::String => matches!(v, Value::Str(_)),
                JsonScalar::Keyword => matches!(v, Value::Keyword(_)),
                JsonScalar::Instant => matches!(v, Value::Inst(_)),
                JsonScalar::Uuid => matches!(v, Value::Uuid(_)),
                JsonScalar::Nil => v.is_nil(),
                JsonScalar::Any => true,
            };
            if ok { Ok(()) } else { mismatch() }
        }
        TypeKind::Map { fields, open } => fits_fields(spec, v, name, fields, *open),
        TypeKind::Handle { fields, .. } => match v {
            Value::Symbol(_) => Ok(()),
            _ => fits_fields(spec, v, name, fields, false),
        },
        TypeKind::Vector { of } => fits(
            spec,
            v,
            &TypeRef::Vector {
                of: Box::new(of.clone()),
            },
        )
        .map_err(|e| format!("{e} (in {name})")),
        TypeKind::Enum { values } => match v.as_keyword() {
            Some(k) if values.iter().any(|x| x.value == k.full()) => Ok(()),
            _ => {
                let all: Vec<String> = values.iter().map(|x| format!(":{}", x.value)).collect();
                Err(format!("{v} is not a {name} (one of {})", all.join(" ")))
            }
        },
        TypeKind::Variant { variants } => {
            let mut why = Vec::new();
            for x in variants {
                match fits_in(spec, v, &x.ty, within) {
                    Ok(()) => return Ok(()),
                    Err(e) => why.push(e),
                }
            }
            Err(format!("{v} is not a {name}: {}", why.join("; ")))
        }
    }
}

fn fits_fields(
    spec: &Spec,
    v: &Value,
    name: &str,
    fields: &[Field],
    open: bool,
) -> Result<(), String> {
    let Some(m) = v.as_map() else {
        return Err(format!("{v} is not a {name} map"));
    };
    let by_name: BTreeMap<&str, &Field> = fields.iter().map(|f| (f.name.as_str(), f)).collect();
    for (k, x) in m.iter() {
        let key = k.as_keyword().map(|k| k.full());
        match key.and_then(|k| by_name.get(k)) {
            Some(f) => fits(spec, x, &f.ty).map_err(|e| format!("{name} key :{}: {e}", f.name))?,
            None if open => {}
            None => return Err(format!("{name} has no key {k}")),
        }
    }
    for f in fields {
        if !f.optional && !m.contains_key(&Value::kw(&f.name)) {
            return Err(format!("{name} requires key :{}", f.name));
        }
    }
    Ok(())
}

fn check_collisions(ops: &[&Op], errs: &mut SpecErrors) {
    type Derive = fn(&Op) -> Vec<String>;
    let targets: [(&str, Derive); 5] = [
        ("CLI command", |op| {
            let mut v = vec![op.cli_name()];
            v.extend(op.aliases.iter().cloned());
            v
        }),
        ("URL path", |op| vec![op.url_path()]),
        ("Python name", |op| vec![op.python_name()]),
        ("TypeScript/Java name", |op| vec![op.camel_name()]),
        ("C symbol", |op| vec![op.c_name()]),
    ];
    for (what, derive) in targets {
        let mut owner: BTreeMap<String, &str> = BTreeMap::new();
        for op in ops {
            for name in derive(op) {
                match owner.get(name.as_str()) {
                    Some(first) if *first != op.name => errs.push(
                        K::Collision,
                        format!("op `{}`", op.name),
                        format!("{what} `{name}` collides with op `{first}`"),
                    ),
                    Some(_) => {}
                    None => {
                        owner.insert(name, &op.name);
                    }
                }
            }
        }
    }
}
