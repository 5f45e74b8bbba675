//! The command table, built from the API spec (`api-spec/api.edn`): one
//! command per operation the spec exposes in the CLI, with the spec's
//! names, aliases, docs, argument docs and types, and `:cli` examples.

use cairn_api_spec::{Op, Target, TypeRef};

/// What an argument accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A config: a file path, an inline EDN map.
    Config,
    /// A connection: `conn:CONFIG`.
    Conn,
    /// A database value: `db:`, `asof:`, `since:`, `history:`.
    Db,
    /// EDN data (or `edn:`/`json:` files, `-`).
    Data,
    /// Any of the above (query inputs).
    Any,
    /// A file path, taken as written.
    Path,
}

impl ArgKind {
    /// How help texts name the kind.
    pub fn label(self) -> &'static str {
        match self {
            ArgKind::Config => "CONFIG file or inline EDN map",
            ArgKind::Conn => "conn:CONFIG",
            ArgKind::Db => "db:CONFIG | asof:T:CONFIG | since:T:CONFIG | history:CONFIG",
            ArgKind::Data => "EDN",
            ArgKind::Any => "EDN or db:CONFIG ...",
            ArgKind::Path => "FILE",
        }
    }
}

/// One argument of a command.
#[derive(Clone, Debug)]
pub struct ArgSpec {
    /// Its spec name.
    pub name: String,
    /// What it accepts.
    pub kind: ArgKind,
    /// One line of documentation (with the spec type).
    pub doc: String,
    /// May be left out.
    pub optional: bool,
    /// Takes any number of values (a `QueryInputs` list).
    pub variadic: bool,
    /// Given as `--NAME VALUE` (the optional arguments after a variadic one).
    pub option: bool,
}

/// One command.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The operation it calls (spec name).
    pub op: String,
    /// The subcommand name.
    pub cli: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Documentation (first sentence is the summary).
    pub doc: String,
    /// The summary line.
    pub summary: String,
    /// Arguments in spec order.
    pub args: Vec<ArgSpec>,
    /// Example command lines.
    pub examples: Vec<String>,
}

/// The CLI kind of a spec argument type.
pub fn kind_of(ty: &TypeRef) -> ArgKind {
    match ty {
        TypeRef::Named { name } => match name.as_str() {
            "Config" => ArgKind::Config,
            "Connection" => ArgKind::Conn,
            "Db" => ArgKind::Db,
            "Path" => ArgKind::Path,
            "QueryInputs" => ArgKind::Any,
            _ => ArgKind::Data,
        },
        _ => ArgKind::Data,
    }
}

fn is_inputs(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named { name } if name == "QueryInputs")
}

/// The command of one spec operation (see the rules in [`super`]).
pub fn command(op: &Op) -> CommandSpec {
    let mut args: Vec<ArgSpec> = Vec::new();
    let mut after_variadic = false;
    // In arg-map ops, the first data argument may be the map of all the
    // others, so those are optional on the command line.
    let mut after_first_data = false;
    for a in &op.args {
        let kind = kind_of(&a.ty);
        let variadic = is_inputs(&a.ty);
        let mut doc = format!("{} (spec type {})", a.doc.trim_end_matches('.'), a.ty);
        if let Some(d) = &a.default {
            doc.push_str(&format!("; default {d}"));
        }
        let is_data = !matches!(kind, ArgKind::Config | ArgKind::Conn | ArgKind::Db);
        if op.arg_map && is_data && !after_first_data {
            let keys: Vec<String> = op
                .args
                .iter()
                .skip_while(|x| x.name != a.name)
                .map(|x| format!(":{} ..", x.name))
                .collect();
            doc.push_str(&format!(
                "; or one map {{{}}} of this and the following arguments",
                keys.join(" ")
            ));
        }
        args.push(ArgSpec {
            name: a.name.clone(),
            kind,
            doc,
            optional: a.optional || variadic || after_variadic || after_first_data,
            variadic,
            option: after_variadic,
        });
        after_variadic |= variadic;
        if op.arg_map && is_data {
            after_first_data = true;
        }
    }
    CommandSpec {
        op: op.name.clone(),
        cli: op.cli_name(),
        aliases: op.aliases.clone(),
        doc: op.doc.clone(),
        summary: op.summary().trim().to_string(),
        args,
        examples: op.examples.iter().filter_map(|e| e.cli.clone()).collect(),
    }
}

/// Every command: one per operation the spec exposes in the CLI, in spec
/// order.
pub fn commands() -> Vec<CommandSpec> {
    crate::api::spec()
        .ops_for(Target::Cli)
        .map(command)
        .collect()
}
