//! Built-in query functions, predicates and aggregates, with the semantics
//! Clojure on the JVM gives them inside Datahike queries. All are pure
//! functions over already-evaluated [`Value`]s.
//!
//! Names resolve like Datahike does: first its `built-ins` table (where
//! `<`, `>`, `<=`, `>=` compare any mutually comparable values, `empty?` is
//! bound to `empty` and `max`/`min` to the aggregate implementations), then
//! `clojure.core` functions (also reachable as `clojure.core/name`), then
//! `clojure.string` functions as `clojure.string/name` or `str/name`.
//! Functions that need the database (`get-else`, `get-some`, `missing?`,
//! `q`) or function values (`complement`) are not here.
//!
//! Numbers follow `clojure.lang.Numbers`: `Long` `+ - * inc dec` overflow is
//! an error ("integer overflow"), contagion goes Long → BigInt → Ratio →
//! BigDec → Double, integral ratio results are `BigInt`, `(/ 4 2)` is the
//! long `2`, division by any zero is "Divide by zero".

mod agg;
mod core;
mod num;
mod print;
mod strings;
#[cfg(test)]
mod tests;

use std::cell::Cell;

use crate::error::{Error, Result};
use crate::value::Value;

/// A built-in function over evaluated arguments.
pub type BuiltinFn = fn(&[Value]) -> Result<Value>;

pub(crate) fn type_err(msg: impl Into<String>) -> Error {
    Error::type_error(msg)
}

pub(crate) fn other_err(msg: impl Into<String>) -> Error {
    Error::other(msg)
}

/// An `ArithmeticException` (overflow, division by zero, ...).
pub(crate) fn arith_err(msg: impl Into<String>) -> Error {
    Error::other(msg)
}

/// Checks the argument count, failing like Clojure's `ArityException`.
pub(crate) fn arity(f: &str, args: &[Value], min: usize, max: usize) -> Result<()> {
    if args.len() < min || args.len() > max {
        return Err(other_err(format!(
            "Wrong number of args ({}) passed to: {f}",
            args.len()
        )));
    }
    Ok(())
}

thread_local! {
    static RNG: Cell<u64> = Cell::new({
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.finish() | 1
    });
}

/// xorshift64* — randomness for `rand`, `rand-int` and the `rand`/`sample`
/// aggregates (not cryptographic).
fn next_u64() -> u64 {
    RNG.with(|c| {
        let mut x = c.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        c.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A uniform double in `[0, 1)`.
pub(crate) fn rand_f64() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A uniform index in `0..n` (`n > 0`).
pub(crate) fn rand_below(n: usize) -> usize {
    ((next_u64() as u128 * n as u128) >> 64) as usize
}

/// Looks up the built-in function `name` (`"+"`, `"str"`, `"subs"`,
/// `"re-find"`, `"clojure.string/starts-with?"`, `"str/join"`, ...).
/// Unknown names give `None`. Calling the function with a wrong number or
/// wrong types of arguments gives an error (kind `Type` for wrong types,
/// `Other` for arity and arithmetic) whose message names the function and
/// the offending value, where Clojure would throw.
///
/// As in Datahike, plain `max`/`min` are the *aggregate* implementations
/// (`[(max ?coll) ?m]`, `[(max ?n ?coll) ?top]`, comparing with `compare`),
/// not "larger of two numbers"; the numeric variadic `clojure.core/max` and
/// `clojure.core/min` are reachable under their qualified names. Likewise
/// `empty?` is Datahike's binding to `empty` (truthy for any collection),
/// and `clojure.core/empty?` is the real predicate.
pub fn lookup(name: &str) -> Option<BuiltinFn> {
    if let Some(n) = name
        .strip_prefix("clojure.string/")
        .or_else(|| name.strip_prefix("str/"))
    {
        return lookup_string(n);
    }
    match name {
        "clojure.core/max" => return Some(core::num_max),
        "clojure.core/min" => return Some(core::num_min),
        "clojure.core/empty?" => return Some(core::is_empty),
        _ => {}
    }
    let core_name = name.strip_prefix("clojure.core/").unwrap_or(name);
    if core_name != name && is_datahike_only(core_name) {
        return None;
    }
    lookup_core(core_name)
}

/// Names in Datahike's table that are not `clojure.core` functions.
fn is_datahike_only(name: &str) -> bool {
    matches!(
        name,
        "!=" | "-differ?" | "ground" | "tuple" | "untuple" | "before?" | "after?"
    )
}

fn lookup_core(name: &str) -> Option<BuiltinFn> {
    use self::core as c;
    use self::strings as s;
    Some(match name {
        // Datahike's built-ins table.
        "=" => c::eq,
        "==" => c::num_eq,
        "not=" | "!=" => c::not_eq,
        "<" => c::lt,
        ">" => c::gt,
        "<=" => c::le,
        ">=" => c::ge,
        "before?" => c::before,
        "after?" => c::after,
        "+" => c::plus,
        "-" => c::minus,
        "*" => c::times,
        "/" => c::divide,
        "quot" => c::quot,
        "rem" => c::rem,
        "mod" => c::modulo,
        "inc" => c::inc,
        "dec" => c::dec,
        "max" => agg::dh_max,
        "min" => agg::dh_min,
        "zero?" => c::is_zero,
        "pos?" => c::is_pos,
        "neg?" => c::is_neg,
        "even?" => c::is_even,
        "odd?" => c::is_odd,
        "compare" => c::compare,
        "rand" => c::rand,
        "rand-int" => c::rand_int,
        "true?" => c::is_true,
        "false?" => c::is_false,
        "nil?" => c::is_nil,
        "some?" => c::is_some,
        "not" => c::not,
        "and" => c::and,
        "or" => c::or,
        "identical?" => c::identical,
        "identity" | "ground" | "untuple" => c::identity,
        "meta" => c::meta,
        "name" => c::name,
        "namespace" => c::namespace,
        "type" | "class" => c::type_of,
        "vector" | "tuple" => c::vector,
        "list" => c::list,
        "set" => c::set,
        "hash-map" | "array-map" => c::hash_map,
        "count" => c::count,
        "range" => c::range,
        "not-empty" => c::not_empty,
        "empty?" | "empty" => c::empty,
        "contains?" => c::contains,
        "str" => s::str_,
        "pr-str" => s::pr_str,
        "print-str" => s::print_str,
        "println-str" => s::println_str,
        "prn-str" => s::prn_str,
        "subs" => s::subs,
        "re-find" => s::re_find,
        "re-matches" => s::re_matches,
        "re-seq" => s::re_seq,
        "re-pattern" => s::re_pattern,
        "-differ?" => c::differ,
        // More of clojure.core.
        "abs" => c::abs,
        "keyword" => c::keyword,
        "symbol" => c::symbol,
        "int" => c::int,
        "long" => c::long,
        "double" => c::double,
        "float" => c::float,
        "bigint" | "biginteger" => c::bigint,
        "bigdec" => c::bigdec,
        "char" => c::char_,
        "boolean" => c::boolean,
        "numerator" => c::numerator,
        "denominator" => c::denominator,
        "inst-ms" => c::inst_ms,
        "parse-long" => c::parse_long,
        "parse-double" => c::parse_double,
        "parse-uuid" => c::parse_uuid,
        "random-uuid" => c::random_uuid,
        "boolean?" => c::is_boolean,
        "string?" => c::is_string,
        "keyword?" => c::is_keyword,
        "symbol?" => c::is_symbol,
        "char?" => c::is_char,
        "number?" => c::is_number,
        "integer?" => c::is_integer,
        "int?" => c::is_int,
        "float?" => c::is_float,
        "double?" => c::is_double,
        "ratio?" => c::is_ratio,
        "decimal?" => c::is_decimal,
        "rational?" => c::is_rational,
        "vector?" => c::is_vector,
        "list?" => c::is_list,
        "map?" => c::is_map,
        "set?" => c::is_set,
        "coll?" => c::is_coll,
        "seq?" => c::is_seq,
        "sequential?" => c::is_sequential,
        "uuid?" => c::is_uuid,
        "inst?" => c::is_inst,
        "bytes?" => c::is_bytes,
        "nat-int?" => c::is_nat_int,
        "pos-int?" => c::is_pos_int,
        "neg-int?" => c::is_neg_int,
        "ident?" => c::is_ident,
        "simple-keyword?" => c::is_simple_keyword,
        "qualified-keyword?" => c::is_qualified_keyword,
        "simple-symbol?" => c::is_simple_symbol,
        "qualified-symbol?" => c::is_qualified_symbol,
        "any?" => c::is_any,
        "hash-set" => c::hash_set,
        "vec" => c::vec,
        "seq" => c::seq,
        "first" => c::first,
        "second" => c::second,
        "last" => c::last,
        "rest" => c::rest,
        "next" => c::next,
        "nth" => c::nth,
        "get" => c::get,
        "get-in" => c::get_in,
        "conj" => c::conj,
        "into" => c::into,
        "concat" => c::concat,
        "cons" => c::cons,
        "keys" => c::keys,
        "vals" => c::vals,
        "assoc" => c::assoc,
        "dissoc" => c::dissoc,
        "merge" => c::merge,
        "reverse" => c::reverse,
        "distinct" => c::distinct,
        "sort" => c::sort,
        "take" => c::take,
        "drop" => c::drop,
        "peek" => c::peek,
        "subvec" => c::subvec,
        "frequencies" => c::frequencies,
        "zipmap" => c::zipmap,
        "select-keys" => c::select_keys,
        _ => return None,
    })
}

fn lookup_string(name: &str) -> Option<BuiltinFn> {
    use self::strings as s;
    Some(match name {
        "starts-with?" => s::starts_with,
        "ends-with?" => s::ends_with,
        "includes?" => s::includes,
        "blank?" => s::blank,
        "lower-case" => s::lower_case,
        "upper-case" => s::upper_case,
        "capitalize" => s::capitalize,
        "trim" => s::trim,
        "triml" => s::triml,
        "trimr" => s::trimr,
        "trim-newline" => s::trim_newline,
        "join" => s::join,
        "split" => s::split,
        "split-lines" => s::split_lines,
        "replace" => s::replace,
        "replace-first" => s::replace_first,
        "reverse" => s::reverse,
        "index-of" => s::index_of,
        "last-index-of" => s::last_index_of,
        "escape" => s::escape,
        _ => return None,
    })
}

/// Is `name` a built-in function (see [`lookup`])?
pub fn is_builtin(name: &str) -> bool {
    lookup(name).is_some()
}

/// Runs the aggregate `name` over one group.
///
/// Aggregates: `count count-distinct sum avg median variance stddev min max
/// distinct rand sample`. `extra` are the leading constant arguments (the
/// `n` of `(max 3 ?x)`, `(rand 2 ?x)`, `(sample 2 ?x)`), `values` the
/// collected values of the group, duplicates included as given.
///
/// Results follow Datahike: `avg`, `median` and `variance` use exact
/// arithmetic (`avg` of the longs 10 3 1 4 2 is the long 4, of 1 2 the ratio
/// 3/2), `variance` is the population variance, `stddev` a double, `min`/`max`
/// compare with `compare` (any comparable kind), `(min n ..)`/`(max n ..)`
/// give the n smallest/largest as an ascending vector, `distinct` a set,
/// `sample` n values from a shuffle.
///
/// The engine never calls an aggregate on an empty group (zero rows give no
/// groups); if it does, `count` gives 0, `sum` 0, `min`/`max` nil, `avg`
/// "Divide by zero", `median`/`rand` an error.
pub fn aggregate(name: &str, extra: &[Value], values: &[Value]) -> Result<Value> {
    agg::aggregate(name, extra, values)
}

/// Is `name` a built-in aggregate?
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name.strip_prefix("clojure.core/").unwrap_or(name),
        "count"
            | "count-distinct"
            | "sum"
            | "avg"
            | "median"
            | "variance"
            | "stddev"
            | "min"
            | "max"
            | "distinct"
            | "rand"
            | "sample"
    )
}
