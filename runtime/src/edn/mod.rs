//! EDN: reader and printer.

mod printer;

pub use printer::{to_string, write_value};

/// Formats epoch milliseconds as Clojure prints `#inst`:
/// `2020-01-01T00:00:00.000-00:00`.
pub fn format_inst(ms: i64) -> String {
    use chrono::{DateTime, Utc};
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f-00:00").to_string(),
        None => format!("{ms}"),
    }
}
