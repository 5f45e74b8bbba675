//! Cairn's generators: the validated spec model (`cairn-api-spec`) → a
//! per-language view model → askama templates (`codegen/templates/`) →
//! files under `generated/`.
//!
//! - `generated/c/cairn.h`: the C ABI of the `cairn-ffi` cdylib.
//! - `generated/openapi.json`: the HTTP API (`cairn serve`).
//! - `generated/python/`: a pip-installable package over the C ABI (ctypes).
//! - `generated/typescript/`: an npm package over HTTP (`fetch`).
//! - `generated/java/`: `io.cairn` classes over JNI, and the Rust side of
//!   the JNI entry points.
//!
//! Every generator declares what it can express ([`Support`]); a spec it
//! cannot express is refused with an error naming the op. Output is
//! deterministic: the same spec gives byte-identical files, each starting
//! with a header naming the generator, the spec hash and the command that
//! regenerates it ([`header`]).
//!
//! ```
//! let spec = cairn_api_spec::load().unwrap();
//! let files = cairn_codegen::generate(&spec).unwrap();
//! let header = files.iter().find(|f| f.path == "c/cairn.h").unwrap();
//! assert!(header.contents.contains(&spec.hash()));
//! assert!(header.contents.contains("cairn_call"));
//! ```
#![warn(missing_docs)]

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use cairn_api_spec::{JsonScalar, Op, Spec, Target, TypeKind, TypeRef};

pub mod c;
pub mod java;
pub mod openapi;
pub mod python;
pub mod typescript;

/// The command that regenerates `generated/`, quoted in every header.
pub const REGENERATE: &str = "cargo run -p cairn-codegen -- generate";

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to `generated/`, with `/` separators.
    pub path: String,
    /// Full contents.
    pub contents: String,
}

impl GeneratedFile {
    /// A file at `path` (relative to `generated/`).
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> Self {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// A reason a generator refuses a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodegenError {
    /// The generator (`python`, `typescript`, ...).
    pub generator: &'static str,
    /// The op it cannot express, if the problem is one op's.
    pub op: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.op {
            Some(op) => write!(
                f,
                "{} generator: op `{op}`: {}",
                self.generator, self.message
            ),
            None => write!(f, "{} generator: {}", self.generator, self.message),
        }
    }
}

impl std::error::Error for CodegenError {}

/// Every problem found, one per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodegenErrors(pub Vec<CodegenError>);

impl fmt::Display for CodegenErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CodegenErrors {}

/// What a generator can express. [`check_support`] compares it with every
/// op the generator's target exposes.
#[derive(Clone, Debug)]
pub struct Support {
    /// Kinds of named types it can express: `scalar`, `map`, `vector`,
    /// `enum`, `variant`, `handle`.
    pub type_kinds: &'static [&'static str],
    /// JSON scalar kinds (`boolean`, `integer`, `number`, `string`,
    /// `keyword`, `instant`, `uuid`, `nil`, `any`).
    pub json_scalars: &'static [&'static str],
    /// Whether it can express optional arguments.
    pub optional_args: bool,
}

/// A generator: one target language or document.
pub trait Generator {
    /// Short name (`python`), used in headers and errors.
    fn name(&self) -> &'static str;
    /// The target whose ops it exposes (`None` for every op, e.g. the C
    /// header, which covers everything `cairn_call` dispatches).
    fn target(&self) -> Option<Target>;
    /// What it can express.
    fn support(&self) -> Support;
    /// The files (paths relative to `generated/`).
    fn generate(&self, spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors>;
}

/// The generators, in output order.
pub fn generators() -> Vec<Box<dyn Generator>> {
    vec![
        Box::new(c::CHeader),
        Box::new(openapi::OpenApi),
        Box::new(python::Python),
        Box::new(typescript::TypeScript),
        Box::new(java::Java),
    ]
}

/// The ops a generator exposes: those of its target, or every op that
/// crosses a process boundary (not Rust-only) when it has none.
pub fn ops_of(spec: &Spec, target: Option<Target>) -> Vec<&Op> {
    spec.ops
        .iter()
        .filter(|op| match target {
            Some(t) => op.exposed_in(t),
            None => op.targets.iter().any(|t| *t != Target::Rust),
        })
        .collect()
}

/// The JSON scalar kind's name (`integer`, `keyword`, ...).
pub fn json_name(j: JsonScalar) -> &'static str {
    match j {
        JsonScalar::Boolean => "boolean",
        JsonScalar::Integer => "integer",
        JsonScalar::Number => "number",
        JsonScalar::String => "string",
        JsonScalar::Keyword => "keyword",
        JsonScalar::Instant => "instant",
        JsonScalar::Uuid => "uuid",
        JsonScalar::Nil => "nil",
        JsonScalar::Any => "any",
    }
}

/// The named types a type reference mentions, transitively (fields,
/// elements, variants).
pub fn types_used(spec: &Spec, ty: &TypeRef, out: &mut BTreeSet<String>) {
    for name in ty.names() {
        if !out.insert(name.to_string()) {
            continue;
        }
        let Some(decl) = spec.type_decl(name) else {
            continue;
        };
        match &decl.kind {
            TypeKind::Map { fields, .. } | TypeKind::Handle { fields, .. } => {
                for f in fields {
                    types_used(spec, &f.ty, out);
                }
            }
            TypeKind::Vector { of } => types_used(spec, of, out),
            TypeKind::Variant { variants } => {
                for v in variants {
                    types_used(spec, &v.ty, out);
                }
            }
            TypeKind::Scalar { .. } | TypeKind::Enum { .. } => {}
        }
    }
}

/// Checks that `generator` can express every op its target exposes; the
/// errors name each op and the type or feature it cannot express.
pub fn check_support(spec: &Spec, generator: &dyn Generator) -> Result<(), CodegenErrors> {
    let support = generator.support();
    let mut errs = Vec::new();
    for op in ops_of(spec, generator.target()) {
        let mut used = BTreeSet::new();
        for a in &op.args {
            types_used(spec, &a.ty, &mut used);
            if a.optional && !support.optional_args {
                errs.push(CodegenError {
                    generator: generator.name(),
                    op: Some(op.name.clone()),
                    message: format!("optional argument `{}` cannot be expressed", a.name),
                });
            }
        }
        types_used(spec, &op.ret, &mut used);
        for name in &used {
            let Some(decl) = spec.type_decl(name) else {
                continue;
            };
            let kind = decl.kind.as_str();
            if !support.type_kinds.contains(&kind) {
                errs.push(CodegenError {
                    generator: generator.name(),
                    op: Some(op.name.clone()),
                    message: format!(
                        "type `{name}` is a {kind}, which this generator cannot express"
                    ),
                });
            }
            if let TypeKind::Scalar { json } = &decl.kind {
                let j = json_name(*json);
                if !support.json_scalars.contains(&j) {
                    errs.push(CodegenError {
                        generator: generator.name(),
                        op: Some(op.name.clone()),
                        message: format!(
                            "type `{name}` is a JSON {j} scalar, which this generator cannot express"
                        ),
                    });
                }
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(CodegenErrors(errs))
    }
}

/// The header every generated file starts with, as comment lines with
/// `prefix` (`//`, `#`): the generator, the spec hash, the regenerate
/// command.
pub fn header(prefix: &str, generator: &str, spec: &Spec) -> String {
    format!(
        "{prefix} Generated by cairn-codegen ({generator}) from api-spec/api.edn, spec hash {}.\n\
         {prefix} Do not edit: regenerate with `{REGENERATE}`.\n",
        spec.hash()
    )
}

/// Runs every generator; all support problems are reported together.
pub fn generate(spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors> {
    let mut files = Vec::new();
    let mut errs = Vec::new();
    for g in generators() {
        if let Err(e) = check_support(spec, g.as_ref()) {
            errs.extend(e.0);
            continue;
        }
        match g.generate(spec) {
            Ok(fs) => files.extend(fs),
            Err(e) => errs.extend(e.0),
        }
    }
    if errs.is_empty() {
        Ok(files)
    } else {
        Err(CodegenErrors(errs))
    }
}

/// The repository's `generated/` directory.
pub fn default_out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated")
}

/// Writes `files` under `out`, creating directories, and removes files
/// there that no generator produces (except `README.md`). Returns the paths
/// written.
pub fn write(out: &Path, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in files {
        let path = out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            std::fs::write(&path, &f.contents)?;
        }
        written.push(path);
    }
    for stray in stale(out, files)?.extra {
        std::fs::remove_file(out.join(stray))?;
    }
    Ok(written)
}

/// How `generated/` differs from what the spec produces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Files whose contents differ.
    pub changed: Vec<String>,
    /// Files the spec produces that are missing.
    pub missing: Vec<String>,
    /// Files present that no generator produces.
    pub extra: Vec<String>,
}

impl Staleness {
    /// Whether everything is up to date.
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

impl fmt::Display for Staleness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.changed {
            writeln!(f, "stale:   generated/{p}")?;
        }
        for p in &self.missing {
            writeln!(f, "missing: generated/{p}")?;
        }
        for p in &self.extra {
            writeln!(f, "extra:   generated/{p}")?;
        }
        Ok(())
    }
}

/// Files under `dir` (relative, `/`-separated), skipping build products
/// (`node_modules`, `__pycache__`, `*.egg-info`, `build`, `dist`, `*.class`).
fn list(dir: &Path, base: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        if e.file_type()?.is_dir() {
            if matches!(
                name.as_str(),
                "node_modules" | "__pycache__" | "build" | "dist" | ".pytest_cache"
            ) || name.ends_with(".egg-info")
            {
                continue;
            }
            list(&path, base, out)?;
        } else if !name.ends_with(".class") && !name.ends_with(".pyc") {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Compares `out` with `files`.
pub fn stale(out: &Path, files: &[GeneratedFile]) -> std::io::Result<Staleness> {
    let mut s = Staleness::default();
    for f in files {
        match std::fs::read_to_string(out.join(&f.path)) {
            Ok(text) if text == f.contents => {}
            Ok(_) => s.changed.push(f.path.clone()),
            Err(_) => s.missing.push(f.path.clone()),
        }
    }
    let mut present = Vec::new();
    list(out, out, &mut present)?;
    let produced: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    s.extra = present
        .into_iter()
        .filter(|p| p != "README.md" && !produced.contains(p.as_str()))
        .collect();
    s.extra.sort();
    Ok(s)
}

/// Splits `text` into lines of at most `width` characters at spaces (a
/// longer word stays whole), for doc comments.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// A type reference in the spec's notation (`[:vector Datom]`).
pub fn spec_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named { name } => name.clone(),
        TypeRef::Vector { of } => format!("[:vector {}]", spec_type(of)),
        TypeRef::Maybe { of } => format!("[:maybe {}]", spec_type(of)),
        TypeRef::MapOf { key, value } => {
            format!("[:map-of {} {}]", spec_type(key), spec_type(value))
        }
    }
}
