//! Database configuration: an EDN map with defaults and `CAIRN_*`
//! environment overrides.
//!
//! ```edn
//! {:store {:backend :redb :path "cairn.redb"}   ; or {:backend :memory :id "x"}
//!  :schema-flexibility :write                   ; or :read
//!  :keep-history? true
//!  :attribute-refs? false
//!  :initial-tx [...]                            ; transacted once by create-database
//!  :name "my-db"
//!  :branch :db}
//! ```
//!
//! Precedence: defaults < the given map < environment variables:
//! `CAIRN_STORE_BACKEND` (`redb`/`memory`), `CAIRN_STORE_PATH`,
//! `CAIRN_STORE_ID`, `CAIRN_SCHEMA_FLEXIBILITY` (`read`/`write`),
//! `CAIRN_KEEP_HISTORY` (`true`/`false`), `CAIRN_ATTRIBUTE_REFS`,
//! `CAIRN_NAME`, `CAIRN_BRANCH`, `CAIRN_INITIAL_TX` (EDN tx data).

use std::path::PathBuf;

use crate::error::{Error, ErrorKind, Result};
use crate::store::StoreConfig;
use crate::value::Value;

/// The default redb file when no path is configured.
pub const DEFAULT_PATH: &str = "cairn.redb";

/// A validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Where the data lives.
    pub store: StoreConfig,
    /// `true` for `:schema-flexibility :write`.
    pub schema_write: bool,
    /// `:keep-history?`.
    pub keep_history: bool,
    /// `:attribute-refs?` (only `false` is supported).
    pub attribute_refs: bool,
    /// `:initial-tx`, transacted once by `create-database`.
    pub initial_tx: Option<Value>,
    /// `:name`, informational.
    pub name: Option<String>,
    /// The branch to connect to (`:db`).
    pub branch: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            store: StoreConfig::Redb {
                path: PathBuf::from(DEFAULT_PATH),
            },
            schema_write: true,
            keep_history: true,
            attribute_refs: false,
            initial_tx: None,
            name: None,
            branch: "db".into(),
        }
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Other,
        format!("Invalid configuration: {}", msg.into()),
    )
}

impl Config {
    /// `:schema-flexibility :write`?
    pub fn schema_write(&self) -> bool {
        self.schema_write
    }

    /// A memory database with `id` and otherwise default settings.
    pub fn memory(id: &str) -> Config {
        Config {
            store: StoreConfig::Memory { id: id.into() },
            ..Config::default()
        }
    }

    /// A redb database at `path` with otherwise default settings.
    pub fn redb(path: impl Into<PathBuf>) -> Config {
        Config {
            store: StoreConfig::Redb { path: path.into() },
            ..Config::default()
        }
    }

    /// Parses an EDN config map, applying defaults and the environment.
    pub fn from_value(v: &Value) -> Result<Config> {
        Config::from_value_env(v, &|k| std::env::var(k).ok())
    }

    /// Parses EDN config text.
    pub fn from_edn(text: &str) -> Result<Config> {
        let v = crate::edn::read(text)?;
        Config::from_value(&v)
    }

    /// Reads and parses a config file.
    pub fn from_file(path: &std::path::Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::not_found(format!("Cannot read config file {}: {e}", path.display()))
        })?;
        Config::from_edn(&text).map_err(|mut e| {
            e.message = format!("{} (in config file {})", e.message, path.display());
            e
        })
    }

    /// Like [`Config::from_value`] with an explicit environment lookup.
    pub fn from_value_env(v: &Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let mut c = Config::default();
        let map = match v {
            Value::Nil => Default::default(),
            Value::Map(m) => (**m).clone(),
            other => return Err(invalid(format!("expected a map, got {other}"))),
        };
        for (k, val) in &map {
            let key = k
                .as_keyword()
                .map(|k| k.full().to_string())
                .ok_or_else(|| invalid(format!("key {k} is not a keyword")))?;
            match key.as_str() {
                "store" => c.store = parse_store(val)?,
                "schema-flexibility" => {
                    c.schema_write = match val.as_keyword().map(|k| k.full()) {
                        Some("write") => true,
                        Some("read") => false,
                        _ => {
                            return Err(invalid(format!(
                                ":schema-flexibility must be :read or :write, got {val}"
                            )));
                        }
                    }
                }
                "keep-history?" => c.keep_history = bool_of(val, ":keep-history?")?,
                "attribute-refs?" => c.attribute_refs = bool_of(val, ":attribute-refs?")?,
                "initial-tx" => {
                    if !val.is_nil() {
                        if val.as_seq().is_none() {
                            return Err(invalid(format!(
                                ":initial-tx must be a vector of tx data, got {val}"
                            )));
                        }
                        c.initial_tx = Some(val.clone());
                    }
                }
                "name" => c.name = Some(string_of(val, ":name")?),
                "branch" => {
                    c.branch = match val {
                        Value::Keyword(k) => k.full().to_string(),
                        Value::Str(s) => s.to_string(),
                        other => {
                            return Err(invalid(format!(":branch must be a keyword, got {other}")));
                        }
                    }
                }
                // Datahike keys without meaning here; accepted for compatibility.
                "index"
                | "store-cache-size"
                | "search-cache-size"
                | "writer"
                | "crypto-hash?"
                | "allow-unsafe-config"
                | "online-gc" => {}
                other => return Err(invalid(format!("unknown key :{other}"))),
            }
        }
        c.apply_env(env)?;
        if c.attribute_refs {
            return Err(invalid(
                ":attribute-refs? true is not supported yet by Cairn (keyword attributes only)",
            ));
        }
        Ok(c)
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        let backend = env("CAIRN_STORE_BACKEND");
        let path = env("CAIRN_STORE_PATH");
        let id = env("CAIRN_STORE_ID");
        match backend.as_deref() {
            Some("redb") => {
                let p = path
                    .clone()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| match &self.store {
                        StoreConfig::Redb { path } => path.clone(),
                        _ => PathBuf::from(DEFAULT_PATH),
                    });
                self.store = StoreConfig::Redb { path: p };
            }
            Some("memory") => {
                let i = id.clone().unwrap_or_else(|| match &self.store {
                    StoreConfig::Memory { id } => id.clone(),
                    _ => "default".into(),
                });
                self.store = StoreConfig::Memory { id: i };
            }
            Some(other) => {
                return Err(invalid(format!(
                    "CAIRN_STORE_BACKEND must be redb or memory, got {other}"
                )));
            }
            None => {
                if let (Some(p), StoreConfig::Redb { path }) = (&path, &mut self.store) {
                    *path = PathBuf::from(p);
                }
                if let (Some(i), StoreConfig::Memory { id }) = (&id, &mut self.store) {
                    *id = i.clone();
                }
            }
        }
        if let Some(s) = env("CAIRN_SCHEMA_FLEXIBILITY") {
            self.schema_write = match s.trim_start_matches(':') {
                "write" => true,
                "read" => false,
                other => {
                    return Err(invalid(format!(
                        "CAIRN_SCHEMA_FLEXIBILITY must be read or write, got {other}"
                    )));
                }
            };
        }
        if let Some(s) = env("CAIRN_KEEP_HISTORY") {
            self.keep_history = env_bool(&s, "CAIRN_KEEP_HISTORY")?;
        }
        if let Some(s) = env("CAIRN_ATTRIBUTE_REFS") {
            self.attribute_refs = env_bool(&s, "CAIRN_ATTRIBUTE_REFS")?;
        }
        if let Some(s) = env("CAIRN_NAME") {
            self.name = Some(s);
        }
        if let Some(s) = env("CAIRN_BRANCH") {
            self.branch = s.trim_start_matches(':').to_string();
        }
        if let Some(s) = env("CAIRN_INITIAL_TX") {
            let v = crate::edn::read(&s).map_err(|e| invalid(format!("CAIRN_INITIAL_TX: {e}")))?;
            self.initial_tx = Some(v);
        }
        Ok(())
    }

    /// The config as an EDN map (what is stored with the database).
    pub fn to_value(&self) -> Value {
        let kw = Value::kw;
        let store = match &self.store {
            StoreConfig::Redb { path } => Value::map([
                (kw("backend"), kw("redb")),
                (kw("path"), Value::str(&path.to_string_lossy())),
            ]),
            StoreConfig::Memory { id } => {
                Value::map([(kw("backend"), kw("memory")), (kw("id"), Value::str(id))])
            }
        };
        let mut entries = vec![
            (kw("store"), store),
            (
                kw("schema-flexibility"),
                kw(if self.schema_write { "write" } else { "read" }),
            ),
            (kw("keep-history?"), Value::Bool(self.keep_history)),
            (kw("attribute-refs?"), Value::Bool(self.attribute_refs)),
            (kw("branch"), kw(&self.branch)),
        ];
        if let Some(n) = &self.name {
            entries.push((kw("name"), Value::str(n)));
        }
        Value::map(entries)
    }
}

fn parse_store(v: &Value) -> Result<StoreConfig> {
    let m = v
        .as_map()
        .ok_or_else(|| invalid(format!(":store must be a map, got {v}")))?;
    let backend = m
        .get(&Value::kw("backend"))
        .and_then(Value::as_keyword)
        .map(|k| k.full().to_string());
    match backend.as_deref() {
        Some("redb") | Some("file") => {
            let path = match m.get(&Value::kw("path")) {
                None | Some(Value::Nil) => PathBuf::from(DEFAULT_PATH),
                Some(Value::Str(s)) => PathBuf::from(&**s),
                Some(other) => {
                    return Err(invalid(format!(
                        ":store :path must be a string, got {other}"
                    )));
                }
            };
            Ok(StoreConfig::Redb { path })
        }
        Some("memory") | Some("mem") => {
            let id = match m.get(&Value::kw("id")) {
                None | Some(Value::Nil) => "default".to_string(),
                Some(Value::Str(s)) => s.to_string(),
                Some(Value::Keyword(k)) => k.full().to_string(),
                Some(Value::Uuid(u)) => u.to_string(),
                Some(other) => {
                    return Err(invalid(format!(":store :id must be a string, got {other}")));
                }
            };
            Ok(StoreConfig::Memory { id })
        }
        _ => Err(invalid(format!(
            ":store :backend must be :redb or :memory, got {}",
            m.get(&Value::kw("backend")).cloned().unwrap_or(Value::Nil)
        ))),
    }
}

fn bool_of(v: &Value, what: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(invalid(format!(
            "{what} must be true or false, got {other}"
        ))),
    }
}

fn string_of(v: &Value, what: &str) -> Result<String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        Value::Keyword(k) => Ok(k.full().to_string()),
        other => Err(invalid(format!("{what} must be a string, got {other}"))),
    }
}

fn env_bool(s: &str, what: &str) -> Result<bool> {
    match s {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(invalid(format!(
            "{what} must be true or false, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_apply_to_an_empty_map() {
        let c = Config::from_value_env(&Value::Nil, &env(&[])).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(
            c.store,
            StoreConfig::Redb {
                path: PathBuf::from(DEFAULT_PATH)
            }
        );
    }

    #[test]
    fn map_values_and_environment_overrides() {
        let v = crate::edn::read(
            r#"{:store {:backend :memory :id "a"} :keep-history? false :schema-flexibility :read}"#,
        )
        .unwrap();
        let c = Config::from_value_env(&v, &env(&[])).unwrap();
        assert_eq!(c.store, StoreConfig::Memory { id: "a".into() });
        assert!(!c.keep_history && !c.schema_write);
        let c = Config::from_value_env(
            &v,
            &env(&[
                ("CAIRN_STORE_BACKEND", "redb"),
                ("CAIRN_STORE_PATH", "/tmp/x.redb"),
                ("CAIRN_KEEP_HISTORY", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.store,
            StoreConfig::Redb {
                path: PathBuf::from("/tmp/x.redb")
            }
        );
        assert!(c.keep_history);
        // The stored form reads back to the same config.
        assert_eq!(Config::from_value_env(&c.to_value(), &env(&[])).unwrap(), c);
    }

    #[test]
    fn invalid_configs_name_the_key_and_value() {
        for (text, needle) in [
            ("{:schema-flexibility :sometimes}", ":sometimes"),
            ("{:store {:backend :s3}}", ":s3"),
            ("{:keep-history? 1}", ":keep-history?"),
            ("{:frobnicate true}", ":frobnicate"),
            ("[1 2]", "[1 2]"),
            ("{:attribute-refs? true}", ":attribute-refs?"),
        ] {
            let v = crate::edn::read(text).unwrap();
            let e = Config::from_value_env(&v, &env(&[])).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
        let e = Config::from_value_env(&Value::Nil, &env(&[("CAIRN_KEEP_HISTORY", "maybe")]))
            .unwrap_err();
        assert!(e.message.contains("maybe"));
        let e = Config::from_file(std::path::Path::new("/nonexistent/cairn.edn")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }
}
