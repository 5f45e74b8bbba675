//! The command table: one entry per operation with its arguments, docs and
//! examples. (To be generated from `api-spec/api.edn` once the spec lands.)

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
            ArgKind::Config => "CONFIG file",
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
    /// Its name.
    pub name: String,
    /// What it accepts.
    pub kind: ArgKind,
    /// One line of documentation.
    pub doc: String,
    /// May be left out.
    pub optional: bool,
    /// Takes any number of values (only last).
    pub variadic: bool,
}

/// One command.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The operation it calls.
    pub op: String,
    /// The subcommand name.
    pub cli: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Documentation (first line is the summary).
    pub doc: String,
    /// Arguments in order.
    pub args: Vec<ArgSpec>,
    /// Example command lines.
    pub examples: Vec<String>,
}

fn arg(name: &str, kind: ArgKind, doc: &str) -> ArgSpec {
    ArgSpec {
        name: name.into(),
        kind,
        doc: doc.into(),
        optional: false,
        variadic: false,
    }
}

fn cmd(op: &str, doc: &str, args: Vec<ArgSpec>, examples: &[&str]) -> CommandSpec {
    CommandSpec {
        op: op.into(),
        cli: op.trim_end_matches(['?', '!']).into(),
        aliases: if op == "q" {
            vec!["query".into()]
        } else {
            vec![]
        },
        doc: doc.into(),
        args,
        examples: examples.iter().map(|s| s.to_string()).collect(),
    }
}

/// Every command.
pub fn commands() -> Vec<CommandSpec> {
    use ArgKind::*;
    let db = || arg("db", Db, "The database to read");
    let conn = || arg("conn", Conn, "The connection to write through");
    let config = || arg("config", Config, "The database configuration");
    let inputs = ArgSpec {
        name: "inputs".into(),
        kind: Any,
        doc: "Inputs bound by :in, in order ($ sources as db:CONFIG)".into(),
        optional: true,
        variadic: true,
    };
    vec![
        cmd(
            "database-exists?",
            "Does a database exist for the config?",
            vec![config()],
            &["cairn database-exists cfg.edn"],
        ),
        cmd(
            "create-database",
            "Creates a database (and transacts its :initial-tx).",
            vec![config()],
            &["cairn create-database cfg.edn"],
        ),
        cmd(
            "delete-database",
            "Deletes a database and its storage.",
            vec![config()],
            &["cairn delete-database cfg.edn"],
        ),
        cmd(
            "connect",
            "Connects to a database and prints the connection's handle.",
            vec![config()],
            &["cairn connect cfg.edn"],
        ),
        cmd(
            "release",
            "Releases a connection.",
            vec![conn()],
            &["cairn release conn:cfg.edn"],
        ),
        cmd(
            "db",
            "Prints the handle of a connection's current database value.",
            vec![conn()],
            &["cairn db conn:cfg.edn"],
        ),
        cmd(
            "transact",
            "Transacts tx data (a vector of forms, or {:tx-data [...] :tx-meta {...}}) and prints the report\n{:tempids {...} :tx-data [[e a v tx added] ...] :tx T}.",
            vec![conn(), arg("tx-data", Data, "The transaction data")],
            &[
                "cairn transact conn:cfg.edn '[{:db/id -1 :name \"Ivan\"}]'",
                "cat tx.edn | cairn transact conn:cfg.edn -",
            ],
        ),
        cmd(
            "with",
            "Applies tx data to a database value without committing; prints the report.",
            vec![db(), arg("tx-data", Data, "The transaction data")],
            &["cairn with db:cfg.edn '[{:name \"Test\"}]'"],
        ),
        cmd(
            "db-with",
            "Applies tx data to a database value without committing; prints the resulting value's handle.",
            vec![db(), arg("tx-data", Data, "The transaction data")],
            &["cairn db-with db:cfg.edn '[{:name \"Test\"}]'"],
        ),
        cmd(
            "q",
            "Runs a Datalog query.",
            vec![
                arg("query", Data, "The query (vector or map form)"),
                inputs.clone(),
            ],
            &[
                "cairn query '[:find ?n . :where [?e :name ?n]]' db:cfg.edn",
                "cairn query '[:find ?e :in $ ?n :where [?e :name ?n]]' db:cfg.edn '\"Ivan\"'",
            ],
        ),
        cmd(
            "query-stats",
            "Runs a query and prints its result with per-clause statistics.",
            vec![arg("query", Data, "The query"), inputs.clone()],
            &["cairn query-stats '[:find ?n :where [_ :name ?n]]' db:cfg.edn"],
        ),
        cmd(
            "explain",
            "Prints the plan the query engine chooses for a query.",
            vec![arg("query", Data, "The query"), inputs],
            &["cairn explain '[:find ?n :where [_ :name ?n]]' db:cfg.edn"],
        ),
        cmd(
            "pull",
            "Pulls an entity's attributes by a pattern.",
            vec![
                db(),
                arg("selector", Data, "The pull pattern"),
                arg("eid", Data, "Entity id, lookup ref or ident"),
            ],
            &["cairn pull db:cfg.edn '[*]' 10"],
        ),
        cmd(
            "pull-many",
            "Pulls several entities by one pattern.",
            vec![
                db(),
                arg("selector", Data, "The pull pattern"),
                arg("eids", Data, "A vector of entity ids"),
            ],
            &["cairn pull-many db:cfg.edn '[:name]' '[10 11]'"],
        ),
        cmd(
            "entity",
            "Prints an entity's attribute map with :db/id, or with ATTR the value of one attribute\n(a reverse :_attr, or a path [:a :b] followed step by step; entities print as {:db/id e}).",
            vec![
                db(),
                arg("eid", Data, "Entity id, lookup ref or ident"),
                ArgSpec {
                    optional: true,
                    ..arg("attr", Data, "An attribute, reverse attribute or path")
                },
            ],
            &[
                "cairn entity db:cfg.edn 10",
                "cairn entity db:cfg.edn '[:name \"Ivan\"]' '[:friend :name]'",
            ],
        ),
        cmd(
            "datoms",
            "Prints the datoms of an index matching leading components.",
            vec![
                db(),
                arg(
                    "index",
                    Data,
                    "{:index :eavt|:aevt|:avet :components [...]}",
                ),
            ],
            &["cairn datoms db:cfg.edn '{:index :avet :components [:name \"Ivan\"]}'"],
        ),
        cmd(
            "seek-datoms",
            "Prints the datoms of an index from the components to the end.",
            vec![db(), arg("index", Data, "{:index ... :components [...]}")],
            &["cairn seek-datoms db:cfg.edn '{:index :eavt :components [10]}'"],
        ),
        cmd(
            "rseek-datoms",
            "Prints the datoms of an index from the components back to the start.",
            vec![db(), arg("index", Data, "{:index ... :components [...]}")],
            &["cairn rseek-datoms db:cfg.edn '{:index :eavt :components [10]}'"],
        ),
        cmd(
            "index-range",
            "Prints the AVET datoms of an attribute with start <= v <= end.",
            vec![db(), arg("range", Data, "{:attrid :a :start s :end e}")],
            &["cairn index-range db:cfg.edn '{:attrid :age :start 10 :end 20}'"],
        ),
        cmd(
            "history",
            "Prints the handle of the history view of a database.",
            vec![db()],
            &["cairn history db:cfg.edn"],
        ),
        cmd(
            "as-of",
            "Prints the handle of the database as of a time point (inclusive).",
            vec![db(), arg("t", Data, "A tx id or #inst")],
            &["cairn as-of db:cfg.edn 536870913"],
        ),
        cmd(
            "since",
            "Prints the handle of the database since a time point (exclusive).",
            vec![db(), arg("t", Data, "A tx id or #inst")],
            &["cairn since db:cfg.edn 536870913"],
        ),
        cmd(
            "schema",
            "Prints the schema: {ident {attribute definition}}.",
            vec![db()],
            &["cairn schema db:cfg.edn"],
        ),
        cmd(
            "reverse-schema",
            "Prints the reverse schema: {property #{attributes}}.",
            vec![db()],
            &["cairn reverse-schema db:cfg.edn"],
        ),
        cmd(
            "metrics",
            "Prints datom counts per index, per attribute and per entity, and the storage size.",
            vec![db()],
            &["cairn metrics db:cfg.edn"],
        ),
        cmd(
            "gc-storage",
            "Removes stored nodes no retained commit reaches; with an instant, commits before it are dropped.",
            vec![
                conn(),
                ArgSpec {
                    optional: true,
                    ..arg("remove-before", Data, "Drop commits before this #inst")
                },
            ],
            &[
                "cairn gc-storage conn:cfg.edn",
                "cairn gc-storage conn:cfg.edn '#inst \"2026-01-01\"'",
            ],
        ),
        cmd(
            "export-db",
            "Writes every datom (with history) to a versioned, checksummed export file.",
            vec![
                arg(
                    "db",
                    Conn,
                    "The database to export (conn:CONFIG or db:CONFIG)",
                ),
                arg("file", Path, "The file to write"),
            ],
            &["cairn export-db conn:cfg.edn out.cairn"],
        ),
        cmd(
            "import-db",
            "Replays an export file into an empty database, keeping ids, transactions and instants.",
            vec![conn(), arg("file", Path, "The export file")],
            &["cairn import-db conn:cfg2.edn out.cairn"],
        ),
        cmd(
            "load-entities",
            "Loads [e a v tx added] datoms, remapping entity and transaction ids.",
            vec![conn(), arg("datoms", Data, "A vector of [e a v tx added]")],
            &["cairn load-entities conn:cfg.edn edn:datoms.edn"],
        ),
    ]
}
