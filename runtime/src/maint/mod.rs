//! Runtime maintenance operations: [`metrics`], [`gc_storage`],
//! [`export_db`] / [`import_db`] and [`load_entities`].
//!
//! * `metrics` counts datoms per index, attribute and entity (Datahike's
//!   `d/metrics`, plus storage size and every index's size).
//! * `gc_storage` deletes every stored blob no kept commit reaches
//!   (Datahike's `d/gc-storage`).
//! * `export_db` / `import_db` move a database between stores through a
//!   versioned, checksummed EDN-lines file that keeps entity ids,
//!   transaction ids and `:db/txInstant`, so history views round-trip.
//! * `load_entities` bulk-loads `[e a v tx added]` tuples with fresh ids
//!   (Datahike's `d/load-entities`).

mod export;
mod gc;
mod load;
mod metrics;

pub use export::{EXPORT_VERSION, export_db, import_db};
pub use gc::gc_storage;
pub use load::load_entities;
pub use metrics::metrics;

#[cfg(test)]
mod tests;
