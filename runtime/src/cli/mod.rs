//! The `cairn` command line: one subcommand per operation of the API spec
//! (`api-spec/api.edn`) exposed in the CLI, each calling [`api::call`].
//!
//! How the spec becomes commands ([`commands()`]):
//!
//! * the command is the op's CLI name (`database-exists?` →
//!   `database-exists`), with the spec's aliases (`query` for `q`); its help
//!   is the op's doc followed by the spec's `:cli` examples;
//! * the spec's arguments are positional, in spec order; optional trailing
//!   ones may be left out; each one's help is its spec doc and type;
//! * an argument's spec type decides how its text is read: `Config` → a
//!   config file path or an inline EDN map; `Connection` → `conn:CONFIG`;
//!   `Db` → `db:`/`asof:`/`since:`/`history:` (a `conn:` works too);
//!   `Path` → taken as written; anything else → EDN, `edn:FILE`,
//!   `json:FILE` or `-`;
//! * a `QueryInputs` argument (`args` of `q`, `query-stats`, `explain`) is
//!   variadic: every positional word after the query is one input
//!   (`cairn query '[:find ?e :in $ ?n ...]' db:cfg.edn '"Ivan"'`), passed to
//!   the op as one list; the optional arguments after it become options
//!   (`--offset N`, `--limit N`);
//! * for `:arg-map? true` ops every argument after the first data one is
//!   optional on the command line, since that one may be the map of them all
//!   (`cairn datoms db:cfg.edn '{:index :avet :components [:name "Ivan"]}'`,
//!   `cairn index-range db:cfg.edn '{:attrid :age :start 10 :end 20}'`); the
//!   op layer checks the arity.
//!
//! Arguments are EDN literals or prefixed (Datahike's `dthk` conventions):
//!
//! | argument | means |
//! |---|---|
//! | `db:CONFIG` | the current database of the config file |
//! | `conn:CONFIG` | a connection |
//! | `asof:T:CONFIG`, `since:T:CONFIG` | a time view; `T` a tx id or an ISO instant |
//! | `history:CONFIG` | the history view |
//! | `edn:FILE`, `json:FILE` | data read from a file (JSON by the wire rule) |
//! | `-` | EDN read from standard input |
//! | `{:cairn/db ...}`, `{:cairn/connection ...}` | a handle printed earlier (by `db`, `as-of`, `connect`, ...), re-opened |
//! | anything else | an EDN literal (a config argument: a config file path) |
//!
//! Long operations (`export-db`, `import-db`, `gc-storage`, `load-entities`)
//! show a spinner with the elapsed time on standard error when it is a
//! terminal, and stay quiet when it is piped.
//!
//! One subcommand is not an op: `cairn serve` runs the HTTP transport
//! ([`crate::server`]) and prints `listening on http://HOST:PORT`.
//!
//! Output is EDN (`--format json` for the wire rule, `--format pretty` for
//! people). Errors print `error[KIND]: message` on stderr and exit 1 (2 for
//! usage errors); nothing is written on failure.

mod commands;
mod pretty;

use std::io::Read;
use std::path::Path;

pub use commands::{ArgKind, ArgSpec, CommandSpec, commands};

use crate::api::{self, Arg};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// EDN (default).
    Edn,
    /// JSON by the wire rule.
    Json,
    /// Indented EDN for people.
    Pretty,
}

/// Marks an error as a usage error (exit code 2).
pub fn usage_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Syntax, msg)
        .with_data(Value::map([(Value::kw("usage"), Value::Bool(true))]))
}

/// Is `e` a usage error?
pub fn is_usage(e: &Error) -> bool {
    e.data
        .as_ref()
        .and_then(|d| d.get_kw("usage"))
        .is_some_and(Value::is_truthy)
}

/// Connections opened while resolving arguments, released at the end.
#[derive(Debug, Default)]
pub struct Session {
    conns: Vec<crate::Connection>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for c in &self.conns {
            c.release();
        }
    }
}

fn read_file(path: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::not_found(format!("Cannot read {path}: {e}")))
}

fn config_file(path: &str) -> Result<Config> {
    Config::from_file(Path::new(path))
}

fn parse_edn_arg(text: &str, what: &str) -> Result<Value> {
    crate::edn::read(text).map_err(|e| {
        let mut u = usage_error(format!("{what} is not valid EDN: {}", e.message));
        u.pos = e.pos;
        u
    })
}

/// Parses a time point: a tx id or an ISO-8601 instant.
fn time_point(t: &str) -> Result<Value> {
    if let Ok(n) = t.parse::<i64>() {
        return Ok(Value::Long(n));
    }
    crate::edn::parse_inst(t).map(Value::Inst).ok_or_else(|| {
        usage_error(format!(
            "Bad time point {t:?}: expected a transaction id or an ISO instant"
        ))
    })
}

impl Session {
    fn connect(&mut self, cfg: &Config) -> Result<crate::Connection> {
        let c = crate::connect(cfg)?;
        self.conns.push(c.clone());
        Ok(c)
    }

    /// Resolves one raw command-line argument for a parameter of `kind`.
    pub fn resolve(&mut self, raw: &str, kind: ArgKind, name: &str) -> Result<Arg> {
        if raw == "-" {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::other(format!("Cannot read standard input: {e}")))?;
            return Ok(Arg::Value(parse_edn_arg(&s, "standard input")?));
        }
        if let Some((prefix, rest)) = raw.split_once(':').filter(|_| kind != ArgKind::Path) {
            match prefix {
                "db" => return Ok(Arg::Db(self.connect(&config_file(rest)?)?.db()?)),
                "conn" => return Ok(Arg::Conn(self.connect(&config_file(rest)?)?)),
                "history" => {
                    return Ok(Arg::Db(self.connect(&config_file(rest)?)?.db()?.history()?));
                }
                "asof" | "since" => {
                    let (t, path) = rest.rsplit_once(':').ok_or_else(|| {
                        usage_error(format!("{prefix}: expects {prefix}:T:CONFIG, got {raw}"))
                    })?;
                    let t = time_point(t)?;
                    let db = self.connect(&config_file(path)?)?.db()?;
                    return Ok(Arg::Db(if prefix == "asof" {
                        db.as_of(&t)?
                    } else {
                        db.since(&t)?
                    }));
                }
                "edn" => return Ok(Arg::Value(parse_edn_arg(&read_file(rest)?, rest)?)),
                "json" => {
                    return Ok(Arg::Value(crate::api::wire::from_json_str(&read_file(
                        rest,
                    )?)?));
                }
                _ => {}
            }
        }
        match kind {
            ArgKind::Config => {
                // A config file path, or an inline EDN map.
                if raw.trim_start().starts_with('{') {
                    Ok(Arg::Config(Config::from_value(&parse_edn_arg(raw, name)?)?))
                } else {
                    Ok(Arg::Config(config_file(raw)?))
                }
            }
            // A handle printed by `connect`, `db`, `as-of`, ... names the
            // same connection or database value again.
            ArgKind::Conn | ArgKind::Db if raw.trim_start().starts_with('{') => {
                let v = parse_edn_arg(raw, name)?;
                match api::open_handle(&v)? {
                    Some(arg) => Ok(arg),
                    None => Err(usage_error(format!(
                        "{name}: {raw} is not a connection or database handle"
                    ))),
                }
            }
            ArgKind::Conn => Err(usage_error(format!(
                "{name}: expected conn:CONFIG or a connection handle, got {raw}"
            ))),
            ArgKind::Db => Err(usage_error(format!(
                "{name}: expected db:CONFIG, asof:T:CONFIG, since:T:CONFIG, history:CONFIG or a database handle, got {raw}"
            ))),
            ArgKind::Data | ArgKind::Any => Ok(Arg::Value(parse_edn_arg(raw, name)?)),
            ArgKind::Path => Ok(Arg::Value(Value::str(raw))),
        }
    }
}

/// Renders a result in `format`.
pub fn render(v: &Value, format: Format) -> String {
    match format {
        Format::Edn => crate::edn::to_string(v),
        Format::Json => api::wire::to_json_string(v),
        Format::Pretty => pretty::to_pretty(v, 80),
    }
}

/// The clap command tree, built from the command table.
pub fn clap_command() -> clap::Command {
    use clap::{Arg as CArg, ArgAction, Command};
    let mut root = Command::new("cairn")
        .about("Cairn: a durable Datalog database compatible with Datahike")
        .long_about(
            "Cairn: a durable Datalog database compatible with Datahike.\n\n\
             Arguments are EDN literals or prefixed: db:CONFIG, conn:CONFIG, asof:T:CONFIG,\n\
             since:T:CONFIG, history:CONFIG, edn:FILE, json:FILE, and - for standard input.",
        )
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            CArg::new("format")
                .long("format")
                .global(true)
                .value_parser(["edn", "json", "pretty"])
                .default_value("edn")
                .help("Output format: edn, json (the wire rule) or pretty"),
        );
    for c in commands() {
        let mut sub = Command::new(c.cli.clone())
            .about(c.summary.clone())
            .long_about(c.doc.clone());
        if !c.examples.is_empty() {
            let mut ex = String::from("Examples:");
            for e in &c.examples {
                ex.push_str(&format!("\n  {e}"));
            }
            sub = sub.after_help(ex);
        }
        for alias in &c.aliases {
            sub = sub.visible_alias(alias.clone());
        }
        for a in &c.args {
            let help = format!("{} [{}]", a.doc, a.kind.label());
            let mut arg = CArg::new(clap_id(&a.name))
                .value_name(a.name.to_uppercase())
                .help(help)
                .allow_negative_numbers(true);
            arg = if a.option {
                arg.long(a.name.clone())
            } else if a.variadic {
                arg.action(ArgAction::Append).num_args(0..)
            } else {
                arg.required(!a.optional)
            };
            sub = sub.arg(arg);
        }
        root = root.subcommand(sub);
    }
    root.subcommand(serve_command())
}

/// The `serve` subcommand: not an op of the spec but the HTTP transport
/// over all of its remote ops ([`crate::server`]).
fn serve_command() -> clap::Command {
    use clap::{Arg as CArg, ArgAction, Command, value_parser};
    Command::new("serve")
        .about("Serve the API over HTTP: POST /v1/<command> for every remote operation")
        .long_about(
            "Serve the API over HTTP/1.1: POST /v1/<command> for every remote operation \
             (arguments as a JSON array or object by the wire rule, or EDN with \
             Content-Type: application/edn), GET /openapi.json (the OpenAPI 3.1 document) \
             and GET /health.\n\n\
             A request head must arrive within --header-timeout (also the idle keep-alive \
             timeout) and its body within --body-timeout (else 408); a body declared larger \
             than --max-body is refused (413) unread; at most --max-connections are open \
             at once.\n\n\
             Prints one line, `listening on http://HOST:PORT`, then serves until killed.",
        )
        .after_help(
            "Examples:\n  cairn serve --port 8080\n  \
             CAIRN_SERVER_TOKEN=s3cret cairn serve --port 0 --cors-origin https://app.example",
        )
        .arg(
            CArg::new("port")
                .long("port")
                .value_name("PORT")
                .value_parser(value_parser!(u16))
                .default_value("8080")
                .help("Port to listen on; 0 picks a free one"),
        )
        .arg(
            CArg::new("host")
                .long("host")
                .value_name("HOST")
                .default_value("127.0.0.1")
                .help("Interface to listen on"),
        )
        .arg(CArg::new("token").long("token").value_name("TOKEN").help(
            "Require Authorization: Bearer TOKEN on every /v1/ call \
                     (default: the CAIRN_SERVER_TOKEN environment variable, else none)",
        ))
        .arg(
            CArg::new("cors-origin")
                .long("cors-origin")
                .value_name("ORIGIN")
                .action(ArgAction::Append)
                .help("Allow browser calls from ORIGIN (repeatable; * for any)"),
        )
        .arg(
            CArg::new("max-body")
                .long("max-body")
                .value_name("BYTES")
                .value_parser(value_parser!(u64))
                .default_value(crate::server::DEFAULT_MAX_BODY.to_string())
                .help("Largest accepted request body in bytes (larger: 413)"),
        )
        .arg(
            CArg::new("header-timeout")
                .long("header-timeout")
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value(crate::server::DEFAULT_HEADER_TIMEOUT.as_secs().to_string())
                .help(
                    "Seconds a request head may take to arrive; also the idle keep-alive timeout",
                ),
        )
        .arg(
            CArg::new("body-timeout")
                .long("body-timeout")
                .value_name("SECONDS")
                .value_parser(value_parser!(f64))
                .default_value(crate::server::DEFAULT_BODY_TIMEOUT.as_secs().to_string())
                .help("Seconds a request body may take to arrive (later: 408)"),
        )
        .arg(
            CArg::new("max-connections")
                .long("max-connections")
                .value_name("N")
                .value_parser(value_parser!(usize))
                .default_value(crate::server::DEFAULT_MAX_CONNECTIONS.to_string())
                .help("Most connections open at once (more wait in the listen backlog)"),
        )
        .arg(
            CArg::new("threads")
                .long("threads")
                .value_name("N")
                .value_parser(value_parser!(usize))
                .help(
                    "Threads for network I/O, and the most calls run at once \
                     (default: the number of CPUs, 2 to 16)",
                ),
        )
}

/// Runs `cairn serve`: binds, prints `listening on http://HOST:PORT`, and
/// serves until the process is killed.
fn serve(sub: &clap::ArgMatches) -> Result<()> {
    use std::io::Write;
    let mut opts = crate::server::ServerOptions::default();
    if let Some(p) = sub.get_one::<u16>("port") {
        opts.port = *p;
    }
    if let Some(h) = sub.get_one::<String>("host") {
        opts.host = h.clone();
    }
    opts.token = sub
        .get_one::<String>("token")
        .cloned()
        .or_else(|| std::env::var("CAIRN_SERVER_TOKEN").ok())
        .filter(|t| !t.is_empty());
    opts.cors_origins = sub
        .get_many::<String>("cors-origin")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    if let Some(n) = sub.get_one::<u64>("max-body") {
        opts.max_body = *n;
    }
    if let Some(n) = sub.get_one::<usize>("threads") {
        opts.threads = *n;
    }
    let seconds = |name: &str| -> Result<Option<std::time::Duration>> {
        match sub.get_one::<f64>(name) {
            None => Ok(None),
            Some(s) if s.is_finite() && *s > 0.0 => {
                Ok(Some(std::time::Duration::from_secs_f64(s.min(1e9))))
            }
            Some(s) => Err(Error::new(
                ErrorKind::Syntax,
                format!("--{name} must be a positive number of seconds, got {s}"),
            )),
        }
    };
    if let Some(t) = seconds("header-timeout")? {
        opts.header_timeout = t;
    }
    if let Some(t) = seconds("body-timeout")? {
        opts.body_timeout = t;
    }
    if let Some(n) = sub.get_one::<usize>("max-connections") {
        if *n == 0 {
            return Err(Error::new(
                ErrorKind::Syntax,
                "--max-connections must be at least 1",
            ));
        }
        opts.max_connections = *n;
    }
    let server = crate::server::Server::bind(opts)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", server.url())
        .and_then(|()| out.flush())
        .map_err(|e| Error::other(format!("Cannot write to standard output: {e}")))?;
    drop(out);
    server.run();
    Ok(())
}

/// The clap id of a spec argument (`format` is the global output option).
fn clap_id(name: &str) -> String {
    if name == "format" {
        "file-format".into()
    } else {
        name.to_string()
    }
}

/// Runs the CLI on `argv` (without the program name); returns the text to
/// print on stdout, or the error.
pub fn run(argv: &[String]) -> std::result::Result<String, CliError> {
    let matches = clap_command()
        .try_get_matches_from(std::iter::once("cairn".to_string()).chain(argv.iter().cloned()))
        .map_err(CliError::Clap)?;
    let format = match matches.get_one::<String>("format").map(String::as_str) {
        Some("json") => Format::Json,
        Some("pretty") => Format::Pretty,
        _ => Format::Edn,
    };
    let Some((name, sub)) = matches.subcommand() else {
        return Err(CliError::Cairn(usage_error(
            "no command given; see cairn --help",
        )));
    };
    if name == "serve" {
        serve(sub).map_err(CliError::Cairn)?;
        return Ok(String::new());
    }
    let table = commands();
    let cmd = table
        .iter()
        .find(|c| c.cli == name)
        .ok_or_else(|| CliError::Cairn(usage_error(format!("unknown command {name}"))))?;
    let mut session = Session::default();
    // One slot per spec argument; a left-out one before a given one is nil.
    let mut slots: Vec<Option<Arg>> = Vec::new();
    for a in &cmd.args {
        let raws: Vec<String> = sub
            .get_many::<String>(&clap_id(&a.name))
            .map(|v| v.cloned().collect())
            .unwrap_or_default();
        let mut resolved = Vec::new();
        for raw in raws {
            resolved.push(
                session
                    .resolve(&raw, a.kind, &a.name)
                    .map_err(CliError::Cairn)?,
            );
        }
        slots.push(if a.variadic {
            Some(Arg::List(resolved))
        } else {
            resolved.pop()
        });
    }
    while slots.last().is_some_and(|s| s.is_none()) {
        slots.pop();
    }
    let args: Vec<Arg> = slots
        .into_iter()
        .map(|s| s.unwrap_or(Arg::Value(Value::Nil)))
        .collect();
    let spinner = long_running(&cmd.op).then(|| progress(&cmd.op)).flatten();
    let result = api::call(&cmd.op, &args);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let result = result.map_err(CliError::Cairn)?;
    drop(session);
    Ok(render(&result, format))
}

/// Why the CLI failed.
#[derive(Debug)]
pub enum CliError {
    /// Argument parsing (or `--help`/`--version`, which clap reports this way).
    Clap(clap::Error),
    /// The operation failed.
    Cairn(Error),
}

/// The whole program: runs the CLI on the process arguments, prints the
/// result, or prints `error[KIND]: message` on stderr and exits 1 (2 for
/// usage errors).
pub fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        // (`serve` prints its own line and returns nothing.)
        Ok(out) if out.is_empty() => {}
        Ok(out) => println!("{out}"),
        Err(CliError::Clap(e)) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
        Err(CliError::Cairn(e)) => {
            let mut msg = e.message.clone();
            if let Some(p) = e.pos {
                msg.push_str(&format!(" (line {}, column {})", p.line, p.col));
            }
            eprintln!("error[{}]: {msg}", e.kind.as_str());
            std::process::exit(if is_usage(&e) { 2 } else { 1 });
        }
    }
}

/// Operations that may run long over large inputs.
fn long_running(op: &str) -> bool {
    matches!(
        op,
        "import-db" | "export-db" | "gc-storage" | "load-entities"
    )
}

/// A progress indicator on standard error when it is a terminal; `None`
/// when piped, so scripts see nothing.
fn progress(op: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(op.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}
