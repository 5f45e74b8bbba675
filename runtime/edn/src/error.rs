//! The one error type. Its [`ErrorKind`] crosses every boundary (CLI, HTTP,
//! C ABI, bindings) as data; the message names the offending value.

use std::fmt;

use crate::value::Value;

/// Stable error kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Schema violation or unknown attribute.
    Schema,
    /// Unique constraint or upsert conflict.
    Unique,
    /// Lookup ref or entity not found, or an attribute not usable for lookup.
    Lookup,
    /// Malformed input (EDN, tx data, query, pull pattern).
    Syntax,
    /// A value of the wrong type.
    Type,
    /// A compare-and-set or concurrent-write conflict.
    Conflict,
    /// The store failed or holds corrupt data.
    Storage,
    /// A database, connection or file that does not exist.
    NotFound,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// The kind's name as it crosses boundaries (`"schema"`, `"not-found"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Schema => "schema",
            ErrorKind::Unique => "unique",
            ErrorKind::Lookup => "lookup",
            ErrorKind::Syntax => "syntax",
            ErrorKind::Type => "type",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Storage => "storage",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Other => "other",
        }
    }
}

/// A position in a text (1-based line and column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub col: u32,
}

/// An error with a stable kind, a message naming the offending value, and
/// optionally a position and structured data.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// The kind.
    pub kind: ErrorKind,
    /// Human-readable message.
    pub message: String,
    /// Position in the input, for parse errors.
    pub pos: Option<Pos>,
    /// Structured details (e.g. `{:error :transact/unique ...}`).
    pub data: Option<Value>,
}

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            pos: None,
            data: None,
        }
    }
    /// Attaches a position.
    pub fn at(mut self, pos: Pos) -> Error {
        self.pos = Some(pos);
        self
    }
    /// Attaches structured data.
    pub fn with_data(mut self, data: Value) -> Error {
        self.data = Some(data);
        self
    }
    /// Schema error.
    pub fn schema(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Schema, message)
    }
    /// Syntax error.
    pub fn syntax(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Syntax, message)
    }
    /// Type error.
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, message)
    }
    /// Unique error.
    pub fn unique(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unique, message)
    }
    /// Lookup error.
    pub fn lookup(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Lookup, message)
    }
    /// Storage error.
    pub fn storage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Storage, message)
    }
    /// Not-found error.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, message)
    }
    /// Conflict error.
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Conflict, message)
    }
    /// Other error.
    pub fn other(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Other, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)?;
        if let Some(p) = self.pos {
            write!(f, " (line {}, column {})", p.line, p.col)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
