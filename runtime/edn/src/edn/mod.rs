//! EDN: reader and printer, compatible with Clojure's `clojure.edn` and
//! `pr-str`.

mod inst;
mod printer;
mod reader;
#[cfg(test)]
mod tests;

pub use inst::{format_inst, parse_inst};
pub use printer::{to_string, write_value};
pub use printer::{write_bigdec, write_java_double};
pub use reader::{MAX_DEPTH, Reader, pos_of, read, read_all};
