//! The typed model of `api.edn`: what every consumer (the `api!` macro, the
//! generators, the CLI, the conformance runner) reads instead of the file.

use schemars::JsonSchema;
use serde::Serialize;

use crate::naming;

/// The whole validated API specification.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Spec {
    /// Version of the spec format (not of the API).
    pub format: i64,
    /// What the API is, in one paragraph.
    pub doc: String,
    /// The closed set of named types, in declaration order.
    pub types: Vec<TypeDecl>,
    /// The stable error kinds every operation may fail with.
    pub errors: Vec<ErrorKindDecl>,
    /// The kinds only the HTTP transport answers with (authentication,
    /// limits), each with its status.
    pub transport_errors: Vec<ErrorKindDecl>,
    /// Every operation, in declaration order.
    pub ops: Vec<Op>,
}

impl Spec {
    /// The operation named `name` (the spec name, e.g. `"database-exists?"`).
    pub fn op(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|op| op.name == name)
    }

    /// The named type `name` (e.g. `"TxReport"`).
    pub fn type_decl(&self, name: &str) -> Option<&TypeDecl> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The operations exposed in `target`, in declaration order.
    pub fn ops_for(&self, target: Target) -> impl Iterator<Item = &Op> {
        self.ops.iter().filter(move |op| op.exposed_in(target))
    }
}

/// One operation of the API: one signature, no overloads.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Op {
    /// Spec name in Datahike spelling, e.g. `database-exists?`, `pull-many`.
    pub name: String,
    /// Documentation; the first sentence is the summary.
    pub doc: String,
    /// Named, typed arguments; optional ones come last.
    pub args: Vec<Arg>,
    /// Return type.
    pub ret: TypeRef,
    /// Category tags (`:query`, `:write`, ...), without the colon.
    pub categories: Vec<String>,
    /// How settled the operation is.
    pub stability: Stability,
    /// May cross HTTP (served at [`Op::url_path`]).
    pub remote: bool,
    /// Referentially transparent: same arguments, same result, no effects.
    pub pure: bool,
    /// Also callable with one map whose keys are the argument names
    /// (Datahike's arg-map form, e.g. `{:query .. :args ..}` for `q`).
    pub arg_map: bool,
    /// Extra CLI command names (e.g. `query` for `q`).
    pub aliases: Vec<String>,
    /// Per-target name overrides, for names a rule cannot derive (reserved words).
    pub names: NameOverrides,
    /// Targets that expose the operation.
    pub targets: Vec<Target>,
    /// Usage examples, as data.
    pub examples: Vec<Example>,
}

impl Op {
    /// The summary: the doc up to and including the first `. ` that ends a
    /// sentence (not `e.g. `), or all of it.
    pub fn summary(&self) -> &str {
        // The first ". " that ends a sentence (not an abbreviation).
        let ends_sentence = |i: &usize| {
            let before = &self.doc[..*i];
            !["e.g", "i.e", "etc", "vs", "cf"]
                .iter()
                .any(|a| before.ends_with(a))
        };
        match self
            .doc
            .match_indices(". ")
            .map(|(i, _)| i)
            .find(ends_sentence)
        {
            Some(i) => &self.doc[..=i],
            None => &self.doc,
        }
    }

    /// CLI command: the name without a trailing `?`/`!` (`database-exists`).
    pub fn cli_name(&self) -> String {
        naming::bare(&self.name).to_string()
    }

    /// HTTP path: `/v1/<cli-name>`.
    pub fn url_path(&self) -> String {
        format!("/v1/{}", self.cli_name())
    }

    /// Python function name: snake_case, `?`/`!` dropped (`database_exists`).
    pub fn python_name(&self) -> String {
        self.names
            .python
            .clone()
            .unwrap_or_else(|| naming::snake(&self.name))
    }

    /// TypeScript and Java method name: camelCase (`pullMany`).
    pub fn camel_name(&self) -> String {
        self.names
            .camel
            .clone()
            .unwrap_or_else(|| naming::camel(&self.name))
    }

    /// C ABI symbol: `cairn_` + snake_case (`cairn_pull_many`).
    pub fn c_name(&self) -> String {
        format!("cairn_{}", naming::snake(&self.name))
    }

    /// Rust method name: snake_case (`database_exists`).
    pub fn rust_name(&self) -> String {
        naming::snake(&self.name)
    }

    /// Whether `target` exposes this operation.
    pub fn exposed_in(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }

    /// Number of arguments a call must pass (the non-optional ones).
    pub fn required_arity(&self) -> usize {
        self.args.iter().filter(|a| !a.optional).count()
    }
}

/// One named argument.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Arg {
    /// Name in kebab-case (`tx-data`); per-target spellings are derived.
    pub name: String,
    /// One line of documentation.
    pub doc: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// May be omitted (then [`Arg::default`] applies, or absence means "none").
    pub optional: bool,
    /// Default value as EDN text, when an omitted optional argument has one.
    pub default: Option<String>,
}

/// A reference to a type: a named type or a collection of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "ref", rename_all = "kebab-case")]
pub enum TypeRef {
    /// A named type declared in the spec (`Db`).
    Named {
        /// The type's name.
        name: String,
    },
    /// `[:vector T]`: a sequence of `T`.
    Vector {
        /// Element type.
        of: Box<TypeRef>,
    },
    /// `[:maybe T]`: `T` or nil.
    Maybe {
        /// The non-nil type.
        of: Box<TypeRef>,
    },
    /// `[:map-of K V]`: a map from `K` to `V`.
    MapOf {
        /// Key type.
        key: Box<TypeRef>,
        /// Value type.
        value: Box<TypeRef>,
    },
}

impl TypeRef {
    /// A reference to the named type `name`.
    pub fn named(name: &str) -> TypeRef {
        TypeRef::Named {
            name: name.to_string(),
        }
    }

    /// Every named type this reference mentions, outermost first.
    pub fn names(&self) -> Vec<&str> {
        match self {
            TypeRef::Named { name } => vec![name.as_str()],
            TypeRef::Vector { of } | TypeRef::Maybe { of } => of.names(),
            TypeRef::MapOf { key, value } => {
                let mut v = key.names();
                v.extend(value.names());
                v
            }
        }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Named { name } => f.write_str(name),
            TypeRef::Vector { of } => write!(f, "[:vector {of}]"),
            TypeRef::Maybe { of } => write!(f, "[:maybe {of}]"),
            TypeRef::MapOf { key, value } => write!(f, "[:map-of {key} {value}]"),
        }
    }
}

/// How settled an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stability {
    /// Covered by compatibility promises.
    Stable,
    /// Shape may still change.
    Beta,
    /// May change or go away.
    Experimental,
}

/// A consumer of the spec that exposes operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// The Rust `Api` trait.
    Rust,
    /// The `cairn` command line.
    Cli,
    /// The HTTP server (`POST /v1/<op>`); only `remote?` operations.
    Http,
    /// The C ABI (`cairn_call`).
    C,
    /// Python bindings (over the C ABI).
    Python,
    /// TypeScript bindings (over HTTP); only `remote?` operations.
    Typescript,
    /// Java bindings (over the C ABI).
    Java,
}

impl Target {
    /// Every target, in a fixed order.
    pub const ALL: [Target; 7] = [
        Target::Rust,
        Target::Cli,
        Target::Http,
        Target::C,
        Target::Python,
        Target::Typescript,
        Target::Java,
    ];

    /// The target's keyword name in the spec (`"typescript"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Rust => "rust",
            Target::Cli => "cli",
            Target::Http => "http",
            Target::C => "c",
            Target::Python => "python",
            Target::Typescript => "typescript",
            Target::Java => "java",
        }
    }

    /// Whether the target reaches the runtime over HTTP (and so needs `remote?`).
    pub fn is_remote(self) -> bool {
        matches!(self, Target::Http | Target::Typescript)
    }
}

/// Names that override a derived one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NameOverrides {
    /// Python name instead of the snake_case rule.
    pub python: Option<String>,
    /// TypeScript/Java name instead of the camelCase rule.
    pub camel: Option<String>,
}

/// One usage example, as data.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Example {
    /// What the example shows.
    pub desc: String,
    /// The argument values, each as canonical EDN text. A bare symbol names
    /// a fixture the example runner binds: `conn` (a connection to a fresh
    /// memory database), `db` (its current value), `tx-report`.
    pub args: Vec<String>,
    /// The same call on the command line.
    pub cli: Option<String>,
    /// The expected result as EDN text, when it is deterministic.
    pub ret: Option<String>,
}

impl Example {
    /// The argument values read back as EDN.
    pub fn arg_values(&self) -> Vec<cairn_edn::Value> {
        self.args
            .iter()
            .filter_map(|a| cairn_edn::edn::read(a).ok())
            .collect()
    }
}

/// One named type.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct TypeDecl {
    /// Name in PascalCase (`TxReport`).
    pub name: String,
    /// Documentation, including the wire form where it is not obvious.
    pub doc: String,
    /// The Rust type the runtime uses for it (`cairn_edn::TxReport`, `i64`).
    pub rust: String,
    /// Structure.
    #[serde(flatten)]
    pub kind: TypeKind,
}

/// The structure of a named type.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TypeKind {
    /// A single value with a fixed JSON representation.
    Scalar {
        /// Its JSON representation.
        json: JsonScalar,
    },
    /// A map with keyword keys.
    Map {
        /// Known keys.
        fields: Vec<Field>,
        /// Whether keys other than `fields` are allowed.
        open: bool,
    },
    /// A sequence of one element type.
    Vector {
        /// Element type.
        of: TypeRef,
    },
    /// One keyword out of a fixed set.
    Enum {
        /// The allowed keywords.
        values: Vec<EnumValue>,
    },
    /// One of several alternative types (a sum type, never an overload).
    Variant {
        /// The alternatives, tried in order.
        variants: Vec<Variant>,
    },
    /// A reference to runtime state that crosses boundaries as a small
    /// descriptor value.
    Handle {
        /// How the handle is identified (what makes two handles equal).
        identity: String,
        /// The descriptor's keys.
        fields: Vec<Field>,
    },
}

impl TypeKind {
    /// The kind's keyword name (`"scalar"`, `"handle"`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            TypeKind::Scalar { .. } => "scalar",
            TypeKind::Map { .. } => "map",
            TypeKind::Vector { .. } => "vector",
            TypeKind::Enum { .. } => "enum",
            TypeKind::Variant { .. } => "variant",
            TypeKind::Handle { .. } => "handle",
        }
    }
}

/// JSON representation of a scalar type (see the wire rule in DESIGN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JsonScalar {
    /// `true`/`false`.
    Boolean,
    /// A 64-bit signed integer.
    Integer,
    /// A 64-bit float.
    Number,
    /// A string.
    String,
    /// A keyword: a string starting with `:`.
    Keyword,
    /// An instant: an RFC 3339 string.
    Instant,
    /// A UUID string.
    Uuid,
    /// `null` (EDN `nil`).
    Nil,
    /// Any value under the wire rule.
    Any,
}

/// One key of a map or handle type.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Field {
    /// The keyword's name without the colon (`tx-data`, `db/id`).
    pub name: String,
    /// One line of documentation.
    pub doc: String,
    /// Type of the value.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// May be absent.
    pub optional: bool,
}

/// One value of an enum type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EnumValue {
    /// The keyword without the colon (`eavt`).
    pub value: String,
    /// One line of documentation.
    pub doc: String,
}

/// One alternative of a variant type.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Variant {
    /// Name of the alternative in kebab-case (`forms`), used for Rust enum variants.
    pub name: String,
    /// One line of documentation.
    pub doc: String,
    /// Type of the alternative.
    #[serde(rename = "type")]
    pub ty: TypeRef,
}

/// One stable error kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ErrorKindDecl {
    /// The kind as it crosses boundaries (`not-found`).
    pub name: String,
    /// When it is raised.
    pub doc: String,
    /// HTTP status the server answers with.
    pub http_status: i64,
}
