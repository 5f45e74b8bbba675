//! The engine's dependencies on built-ins and pull, in one place.

use crate::error::Result;
use crate::source::Source;
use crate::value::Value;

/// A built-in function.
pub type BuiltinFn = fn(&[Value]) -> Result<Value>;

/// Looks a built-in function up.
pub fn lookup(name: &str) -> Option<BuiltinFn> {
    super::builtins::lookup(name)
}

/// Runs an aggregate.
pub fn aggregate(name: &str, extra: &[Value], values: &[Value]) -> Result<Value> {
    super::builtins::aggregate(name, extra, values)
}

/// Is `name` an aggregate?
pub fn is_aggregate(name: &str) -> bool {
    super::builtins::is_aggregate(name)
}

/// Pulls `selector` for `eid`.
pub fn pull(src: &dyn Source, selector: &Value, eid: &Value) -> Result<Value> {
    crate::pull::pull(src, selector, eid)
}
