//! EDN: reader and printer, compatible with Clojure's `clojure.edn` and
//! `pr-str`.

mod printer;
mod reader;
#[cfg(test)]
mod tests;

pub use printer::{to_string, write_value};
pub use reader::{MAX_DEPTH, Reader, parse_inst, pos_of, read, read_all};

/// Formats epoch milliseconds as Clojure prints `#inst`:
/// `2020-01-01T00:00:00.000-00:00`.
pub fn format_inst(ms: i64) -> String {
    use chrono::{DateTime, Utc};
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f-00:00").to_string(),
        None => format!("{ms}"),
    }
}
