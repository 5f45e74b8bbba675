//! `clojure.core` functions and Datahike's own built-ins (comparison,
//! arithmetic entry points, predicates, collections, conversions).

use std::cmp::Ordering;
use std::sync::Arc;

use num_traits::ToPrimitive;

use super::num;
use super::print::pr_str1;
use super::{arity, other_err, rand_f64, type_err};
use crate::error::Result;
use crate::value::{Keyword, Symbol, Value, to_f64};

// ---------------------------------------------------------------- compare

fn java_str_cmp(a: &str, b: &str) -> i64 {
    let mut x = a.encode_utf16();
    let mut y = b.encode_utf16();
    let (mut la, mut lb) = (0i64, 0i64);
    loop {
        match (x.next(), y.next()) {
            (Some(p), Some(q)) if p != q => return p as i64 - q as i64,
            (Some(_), Some(_)) => {
                la += 1;
                lb += 1;
            }
            (Some(_), None) => return (la + 1 + x.count() as i64) - lb,
            (None, Some(_)) => return la - (lb + 1 + y.count() as i64),
            (None, None) => return 0,
        }
    }
}

fn name_cmp(a: (Option<&str>, &str), b: (Option<&str>, &str)) -> i64 {
    if a == b {
        return 0;
    }
    match (a.0, b.0) {
        (None, Some(_)) => -1,
        (Some(_), None) => 1,
        (Some(x), Some(y)) if x != y => java_str_cmp(x, y),
        _ => java_str_cmp(a.1, b.1),
    }
}

fn ord_i64(o: Ordering) -> i64 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

fn cannot_compare(a: &Value, b: &Value) -> crate::error::Error {
    type_err(format!(
        "Cannot compare {} ({}) with {} ({})",
        pr_str1(a),
        a.type_name(),
        pr_str1(b),
        b.type_name()
    ))
}

/// Clojure `compare` (`Util.compare`): the JVM `compareTo` results, so
/// strings, keywords and symbols give character differences, everything
/// else -1/0/1. `nil` sorts first. Values of different kinds (and lists,
/// sets, maps, which are not `Comparable`) are an error.
pub(crate) fn clj_compare(a: &Value, b: &Value) -> Result<i64> {
    use Value::*;
    Ok(match (a, b) {
        (Nil, Nil) => 0,
        (Nil, _) => -1,
        (_, Nil) => 1,
        _ if a.is_number() && b.is_number() => match num::num_cmp("compare", a, b)? {
            Some(o) => ord_i64(o),
            None => 0,
        },
        (Str(x), Str(y)) => java_str_cmp(x, y),
        (Keyword(x), Keyword(y)) => name_cmp((x.namespace(), x.name()), (y.namespace(), y.name())),
        (Symbol(x), Symbol(y)) => name_cmp((x.namespace(), x.name()), (y.namespace(), y.name())),
        (Char(x), Char(y)) => *x as i64 - *y as i64,
        (Bool(x), Bool(y)) => ord_i64(x.cmp(y)),
        (Inst(x), Inst(y)) => ord_i64(x.cmp(y)),
        (Uuid(_), Uuid(_)) => ord_i64(crate::value::cmp_index(a, b)),
        (Vector(x), Vector(y)) => {
            if x.len() != y.len() {
                return Ok(ord_i64(x.len().cmp(&y.len())));
            }
            for (p, q) in x.iter().zip(y.iter()) {
                let c = clj_compare(p, q)?;
                if c != 0 {
                    return Ok(c);
                }
            }
            0
        }
        _ => return Err(cannot_compare(a, b)),
    })
}

pub(crate) fn compare(args: &[Value]) -> Result<Value> {
    arity("compare", args, 2, 2)?;
    clj_compare(&args[0], &args[1]).map(Value::Long)
}

/// Datahike's `lesser?`/`greater?`/... : dispatch on the first argument —
/// numbers compare numerically (`clojure.core/<`), instants chronologically,
/// anything else pairwise with `compare`. `ok` says whether the ordering of
/// each adjacent pair is acceptable.
fn chain(f: &str, args: &[Value], ok: fn(Ordering) -> bool) -> Result<Value> {
    arity(f, args, 1, usize::MAX)?;
    let first = &args[0];
    if first.is_nil() {
        return Err(type_err(format!("{f}: cannot compare nil")));
    }
    let mut result = true;
    for w in args.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let o = if first.is_number() {
            // Clojure `<` on numbers: NaN makes every comparison false.
            match num::num_cmp(f, a, b)? {
                Some(o) => Some(o),
                None => {
                    result = false;
                    None
                }
            }
        } else if let Value::Inst(_) = first {
            match (a, b) {
                (Value::Inst(x), Value::Inst(y)) => Some(x.cmp(y)),
                _ => return Err(cannot_compare(a, b)),
            }
        } else {
            Some(clj_compare(a, b)?.cmp(&0))
        };
        if let Some(o) = o {
            if !ok(o) {
                result = false;
            }
        }
        if !result {
            // Both `clojure.core/<` and Datahike's `reduced` stop at the
            // first failing pair.
            break;
        }
    }
    Ok(Value::Bool(result))
}

pub(crate) fn lt(args: &[Value]) -> Result<Value> {
    chain("<", args, |o| o == Ordering::Less)
}
pub(crate) fn gt(args: &[Value]) -> Result<Value> {
    chain(">", args, |o| o == Ordering::Greater)
}
pub(crate) fn le(args: &[Value]) -> Result<Value> {
    chain("<=", args, |o| o != Ordering::Greater)
}
pub(crate) fn ge(args: &[Value]) -> Result<Value> {
    chain(">=", args, |o| o != Ordering::Less)
}
pub(crate) fn before(args: &[Value]) -> Result<Value> {
    chain("before?", args, |o| o == Ordering::Less)
}
pub(crate) fn after(args: &[Value]) -> Result<Value> {
    chain("after?", args, |o| o == Ordering::Greater)
}

pub(crate) fn eq(args: &[Value]) -> Result<Value> {
    arity("=", args, 1, usize::MAX)?;
    Ok(Value::Bool(args.windows(2).all(|w| w[0] == w[1])))
}

pub(crate) fn not_eq(args: &[Value]) -> Result<Value> {
    arity("not=", args, 1, usize::MAX)?;
    Ok(Value::Bool(!args.windows(2).all(|w| w[0] == w[1])))
}

pub(crate) fn num_eq(args: &[Value]) -> Result<Value> {
    arity("==", args, 1, usize::MAX)?;
    let mut r = true;
    for w in args.windows(2) {
        if num::num_cmp("==", &w[0], &w[1])? != Some(Ordering::Equal) {
            r = false;
            break;
        }
    }
    Ok(Value::Bool(r))
}

// ------------------------------------------------------------- arithmetic

fn fold(f: &str, args: &[Value], op: fn(&str, &Value, &Value) -> Result<Value>) -> Result<Value> {
    let mut acc = args[0].clone();
    num::cat(f, &acc)?;
    for x in &args[1..] {
        acc = op(f, &acc, x)?;
    }
    Ok(acc)
}

pub(crate) fn plus(args: &[Value]) -> Result<Value> {
    if args.is_empty() {
        return Ok(Value::Long(0));
    }
    fold("+", args, num::add)
}

pub(crate) fn times(args: &[Value]) -> Result<Value> {
    if args.is_empty() {
        return Ok(Value::Long(1));
    }
    fold("*", args, num::mul)
}

pub(crate) fn minus(args: &[Value]) -> Result<Value> {
    arity("-", args, 1, usize::MAX)?;
    if args.len() == 1 {
        return num::negate("-", &args[0]);
    }
    fold("-", args, num::sub)
}

pub(crate) fn divide(args: &[Value]) -> Result<Value> {
    arity("/", args, 1, usize::MAX)?;
    if args.len() == 1 {
        return num::div("/", &Value::Long(1), &args[0]);
    }
    fold("/", args, num::div)
}

pub(crate) fn quot(args: &[Value]) -> Result<Value> {
    arity("quot", args, 2, 2)?;
    num::quot("quot", &args[0], &args[1])
}
pub(crate) fn rem(args: &[Value]) -> Result<Value> {
    arity("rem", args, 2, 2)?;
    num::rem("rem", &args[0], &args[1])
}
pub(crate) fn modulo(args: &[Value]) -> Result<Value> {
    arity("mod", args, 2, 2)?;
    num::modulo("mod", &args[0], &args[1])
}
pub(crate) fn inc(args: &[Value]) -> Result<Value> {
    arity("inc", args, 1, 1)?;
    num::add("inc", &args[0], &Value::Long(1))
}
pub(crate) fn dec(args: &[Value]) -> Result<Value> {
    arity("dec", args, 1, 1)?;
    num::sub("dec", &args[0], &Value::Long(1))
}
pub(crate) fn abs(args: &[Value]) -> Result<Value> {
    arity("abs", args, 1, 1)?;
    num::abs("abs", &args[0])
}

/// `clojure.core/max`: numeric, returns the argument itself (no contagion);
/// NaN wins.
pub(crate) fn num_max(args: &[Value]) -> Result<Value> {
    num_extreme("max", args, Ordering::Greater)
}
/// `clojure.core/min`.
pub(crate) fn num_min(args: &[Value]) -> Result<Value> {
    num_extreme("min", args, Ordering::Less)
}
fn num_extreme(f: &str, args: &[Value], want: Ordering) -> Result<Value> {
    arity(f, args, 1, usize::MAX)?;
    let mut acc = args[0].clone();
    num::cat(f, &acc)?;
    for x in &args[1..] {
        match num::num_cmp(f, &acc, x)? {
            None => {
                if !matches!(acc, Value::Double(d) if d.is_nan()) {
                    acc = x.clone();
                }
            }
            Some(o) if o == want => {}
            Some(_) => acc = x.clone(),
        }
    }
    Ok(acc)
}

fn one_number(f: &str, args: &[Value]) -> Result<i8> {
    arity(f, args, 1, 1)?;
    num::signum(f, &args[0])
}
pub(crate) fn is_zero(args: &[Value]) -> Result<Value> {
    arity("zero?", args, 1, 1)?;
    num::is_zero("zero?", &args[0]).map(Value::Bool)
}
pub(crate) fn is_pos(args: &[Value]) -> Result<Value> {
    Ok(Value::Bool(one_number("pos?", args)? > 0))
}
pub(crate) fn is_neg(args: &[Value]) -> Result<Value> {
    Ok(Value::Bool(one_number("neg?", args)? < 0))
}
fn parity(f: &str, args: &[Value]) -> Result<bool> {
    arity(f, args, 1, 1)?;
    match &args[0] {
        Value::Long(l) => Ok(l & 1 == 0),
        Value::BigInt(b) => Ok(!b.bit(0)),
        v => Err(type_err(format!(
            "{f}: Argument must be an integer: {}",
            pr_str1(v)
        ))),
    }
}
pub(crate) fn is_even(args: &[Value]) -> Result<Value> {
    parity("even?", args).map(Value::Bool)
}
pub(crate) fn is_odd(args: &[Value]) -> Result<Value> {
    parity("odd?", args).map(|e| Value::Bool(!e))
}

pub(crate) fn rand(args: &[Value]) -> Result<Value> {
    arity("rand", args, 0, 1)?;
    let r = rand_f64();
    match args.first() {
        None => Ok(Value::Double(r)),
        Some(n) => num::mul("rand", &Value::Double(r), n),
    }
}

pub(crate) fn rand_int(args: &[Value]) -> Result<Value> {
    arity("rand-int", args, 1, 1)?;
    let x = num::mul("rand-int", &Value::Double(rand_f64()), &args[0])?;
    int_cast("rand-int", &x, i32::MIN as i64, i32::MAX as i64)
}

// ------------------------------------------------------------------ logic

fn pred1(f: &str, args: &[Value], p: fn(&Value) -> bool) -> Result<Value> {
    arity(f, args, 1, 1)?;
    Ok(Value::Bool(p(&args[0])))
}

/// Defines one-argument predicate built-ins.
macro_rules! preds {
    ($($fn_name:ident $name:literal $p:expr;)*) => {
        $(pub(crate) fn $fn_name(args: &[Value]) -> Result<Value> {
            pred1($name, args, $p)
        })*
    };
}

preds! {
    is_true "true?" |v| matches!(v, Value::Bool(true));
    is_false "false?" |v| matches!(v, Value::Bool(false));
    is_nil "nil?" Value::is_nil;
    is_some "some?" |v| !v.is_nil();
    not "not" |v| !v.is_truthy();
    is_boolean "boolean?" |v| matches!(v, Value::Bool(_));
    is_string "string?" |v| matches!(v, Value::Str(_));
    is_keyword "keyword?" |v| matches!(v, Value::Keyword(_));
    is_symbol "symbol?" |v| matches!(v, Value::Symbol(_));
    is_char "char?" |v| matches!(v, Value::Char(_));
    is_number "number?" Value::is_number;
    is_integer "integer?" num::is_integer;
    is_int "int?" |v| matches!(v, Value::Long(_));
    is_float "float?" |v| matches!(v, Value::Double(_));
    is_double "double?" |v| matches!(v, Value::Double(_));
    is_ratio "ratio?" |v| matches!(v, Value::Ratio(_));
    is_decimal "decimal?" |v| matches!(v, Value::BigDec(_));
    is_rational "rational?" |v| matches!(v, Value::Long(_) | Value::BigInt(_) | Value::Ratio(_) | Value::BigDec(_));
    is_vector "vector?" |v| matches!(v, Value::Vector(_));
    is_list "list?" |v| matches!(v, Value::List(_));
    is_map "map?" |v| matches!(v, Value::Map(_));
    is_set "set?" |v| matches!(v, Value::Set(_));
    is_coll "coll?" |v| matches!(v, Value::List(_) | Value::Vector(_) | Value::Set(_) | Value::Map(_));
    is_seq "seq?" |v| matches!(v, Value::List(_));
    is_sequential "sequential?" |v| matches!(v, Value::List(_) | Value::Vector(_));
    is_uuid "uuid?" |v| matches!(v, Value::Uuid(_));
    is_inst "inst?" |v| matches!(v, Value::Inst(_));
    is_bytes "bytes?" |v| matches!(v, Value::Bytes(_));
    is_nat_int "nat-int?" |v| matches!(v, Value::Long(l) if *l >= 0);
    is_pos_int "pos-int?" |v| matches!(v, Value::Long(l) if *l > 0);
    is_neg_int "neg-int?" |v| matches!(v, Value::Long(l) if *l < 0);
    is_ident "ident?" |v| matches!(v, Value::Keyword(_) | Value::Symbol(_));
    is_simple_keyword "simple-keyword?" |v| matches!(v, Value::Keyword(k) if k.namespace().is_none());
    is_qualified_keyword "qualified-keyword?" |v| matches!(v, Value::Keyword(k) if k.namespace().is_some());
    is_simple_symbol "simple-symbol?" |v| matches!(v, Value::Symbol(s) if s.namespace().is_none());
    is_qualified_symbol "qualified-symbol?" |v| matches!(v, Value::Symbol(s) if s.namespace().is_some());
    is_any "any?" |_| true;
    boolean "boolean" Value::is_truthy;
}

/// Datahike's `and-fn`: the first falsy argument, else the last (`true` for none).
pub(crate) fn and(args: &[Value]) -> Result<Value> {
    let mut acc = Value::Bool(true);
    for a in args {
        if !a.is_truthy() {
            return Ok(a.clone());
        }
        acc = a.clone();
    }
    Ok(acc)
}

/// Datahike's `or-fn`: the first truthy argument, else the last (`nil` for none).
pub(crate) fn or(args: &[Value]) -> Result<Value> {
    let mut acc = Value::Nil;
    for a in args {
        if a.is_truthy() {
            return Ok(a.clone());
        }
        acc = a.clone();
    }
    Ok(acc)
}

/// `identical?`, best effort over values: the JVM shares nil, booleans,
/// keywords, small longs (-128..127) and ASCII chars; other values are
/// identical only when they share storage.
pub(crate) fn identical(args: &[Value]) -> Result<Value> {
    arity("identical?", args, 2, 2)?;
    use Value::*;
    let r = match (&args[0], &args[1]) {
        (Nil, Nil) => true,
        (Bool(a), Bool(b)) => a == b,
        (Keyword(a), Keyword(b)) => a == b,
        (Long(a), Long(b)) => a == b && (-128..=127).contains(a),
        (Char(a), Char(b)) => a == b && (*a as u32) < 128,
        (Str(a), Str(b)) => Arc::ptr_eq(a, b),
        (List(a), List(b)) | (Vector(a), Vector(b)) => Arc::ptr_eq(a, b),
        (Set(a), Set(b)) => Arc::ptr_eq(a, b),
        (Map(a), Map(b)) => Arc::ptr_eq(a, b),
        _ => false,
    };
    Ok(Value::Bool(r))
}

/// `identity`, also Datahike's `ground` and `untuple`.
pub(crate) fn identity(args: &[Value]) -> Result<Value> {
    arity("identity", args, 1, 1)?;
    Ok(args[0].clone())
}

/// `meta`: values carry no metadata.
pub(crate) fn meta(args: &[Value]) -> Result<Value> {
    arity("meta", args, 1, 1)?;
    Ok(Value::Nil)
}

/// Datahike's `-differ?`: the first half of the arguments differs from the
/// second half (halves split at `ceil(n/2)` like `(take (/ n 2) xs)`).
pub(crate) fn differ(args: &[Value]) -> Result<Value> {
    let h = args.len().div_ceil(2);
    let (a, b) = args.split_at(h);
    Ok(Value::Bool(a != b))
}

/// `type`: a symbol naming the JVM class the value would have.
pub(crate) fn type_of(args: &[Value]) -> Result<Value> {
    arity("type", args, 1, 1)?;
    let n = match &args[0] {
        Value::Nil => return Ok(Value::Nil),
        Value::Bool(_) => "java.lang.Boolean",
        Value::Long(_) => "java.lang.Long",
        Value::BigInt(_) => "clojure.lang.BigInt",
        Value::Ratio(_) => "clojure.lang.Ratio",
        Value::Double(_) => "java.lang.Double",
        Value::BigDec(_) => "java.math.BigDecimal",
        Value::Str(_) => "java.lang.String",
        Value::Char(_) => "java.lang.Character",
        Value::Keyword(_) => "clojure.lang.Keyword",
        Value::Symbol(_) => "clojure.lang.Symbol",
        Value::Uuid(_) => "java.util.UUID",
        Value::Inst(_) => "java.util.Date",
        Value::Bytes(_) => "[B",
        Value::List(v) if v.is_empty() => "clojure.lang.PersistentList$EmptyList",
        Value::List(_) => "clojure.lang.PersistentList",
        Value::Vector(_) => "clojure.lang.PersistentVector",
        Value::Set(_) => "clojure.lang.PersistentHashSet",
        Value::Map(m) if m.len() <= 8 => "clojure.lang.PersistentArrayMap",
        Value::Map(_) => "clojure.lang.PersistentHashMap",
        v if super::print::regex_source(v).is_some() => "java.util.regex.Pattern",
        Value::Tagged(_) => "clojure.lang.TaggedLiteral",
    };
    Ok(Value::sym(n))
}

// ------------------------------------------------------------ conversions

pub(crate) fn name(args: &[Value]) -> Result<Value> {
    arity("name", args, 1, 1)?;
    match &args[0] {
        Value::Str(_) => Ok(args[0].clone()),
        Value::Keyword(k) => Ok(Value::str(k.name())),
        Value::Symbol(s) => Ok(Value::str(s.name())),
        v => Err(type_err(format!(
            "name: {} ({}) is not a string, keyword or symbol",
            pr_str1(v),
            v.type_name()
        ))),
    }
}

pub(crate) fn namespace(args: &[Value]) -> Result<Value> {
    arity("namespace", args, 1, 1)?;
    let ns = match &args[0] {
        Value::Keyword(k) => k.namespace(),
        Value::Symbol(s) => s.namespace(),
        v => {
            return Err(type_err(format!(
                "namespace: {} ({}) is not a keyword or symbol",
                pr_str1(v),
                v.type_name()
            )));
        }
    };
    Ok(ns.map(Value::str).unwrap_or(Value::Nil))
}

fn name_parts(f: &str, args: &[Value]) -> Result<Option<String>> {
    arity(f, args, 1, 2)?;
    if args.len() == 2 {
        let ns = match &args[0] {
            Value::Nil => None,
            Value::Str(s) => Some(s.to_string()),
            v => {
                return Err(type_err(format!(
                    "{f}: namespace {} is not a string",
                    pr_str1(v)
                )));
            }
        };
        let n = match &args[1] {
            Value::Str(s) => s.to_string(),
            v => {
                return Err(type_err(format!(
                    "{f}: name {} is not a string",
                    pr_str1(v)
                )));
            }
        };
        return Ok(Some(match ns {
            Some(ns) => format!("{ns}/{n}"),
            None => n,
        }));
    }
    Ok(match &args[0] {
        Value::Str(s) => Some(s.to_string()),
        Value::Keyword(k) => Some(k.full().to_string()),
        Value::Symbol(s) => Some(s.full().to_string()),
        _ => None,
    })
}

pub(crate) fn keyword(args: &[Value]) -> Result<Value> {
    Ok(match name_parts("keyword", args)? {
        Some(s) => Value::Keyword(Keyword(crate::value::Name::new(&s))),
        None => Value::Nil,
    })
}

pub(crate) fn symbol(args: &[Value]) -> Result<Value> {
    match name_parts("symbol", args)? {
        Some(s) => Ok(Value::Symbol(Symbol::new(&s))),
        None => Err(type_err(format!(
            "symbol: no conversion to symbol from {}",
            pr_str1(&args[0])
        ))),
    }
}

fn int_cast(f: &str, v: &Value, lo: i64, hi: i64) -> Result<Value> {
    if let Value::Char(c) = v {
        return Ok(Value::Long(*c as i64));
    }
    num::cat(f, v)?;
    let b = num::trunc_integer(v);
    match b.and_then(|b| b.to_i64()) {
        Some(l) if (lo..=hi).contains(&l) => Ok(Value::Long(l)),
        _ => Err(other_err(format!(
            "{f}: Value out of range: {}",
            pr_str1(v)
        ))),
    }
}

pub(crate) fn int(args: &[Value]) -> Result<Value> {
    arity("int", args, 1, 1)?;
    int_cast("int", &args[0], i32::MIN as i64, i32::MAX as i64)
}

pub(crate) fn long(args: &[Value]) -> Result<Value> {
    arity("long", args, 1, 1)?;
    int_cast("long", &args[0], i64::MIN, i64::MAX)
}

pub(crate) fn double(args: &[Value]) -> Result<Value> {
    arity("double", args, 1, 1)?;
    num::cat("double", &args[0])?;
    Ok(Value::Double(to_f64(&args[0])))
}

pub(crate) fn float(args: &[Value]) -> Result<Value> {
    arity("float", args, 1, 1)?;
    num::cat("float", &args[0])?;
    let d = to_f64(&args[0]);
    if d.is_finite() && d.abs() > f32::MAX as f64 {
        return Err(other_err(format!(
            "float: Value out of range for float: {}",
            pr_str1(&args[0])
        )));
    }
    Ok(Value::Double(d as f32 as f64))
}

pub(crate) fn bigint(args: &[Value]) -> Result<Value> {
    arity("bigint", args, 1, 1)?;
    num::cat("bigint", &args[0])?;
    match num::trunc_integer(&args[0]) {
        Some(b) => Ok(Value::bigint(b)),
        None => Err(other_err(format!(
            "bigint: cannot convert {}",
            pr_str1(&args[0])
        ))),
    }
}

pub(crate) fn bigdec(args: &[Value]) -> Result<Value> {
    arity("bigdec", args, 1, 1)?;
    let v = &args[0];
    let d = match v {
        Value::BigDec(_) => return Ok(v.clone()),
        Value::Long(l) => bigdecimal::BigDecimal::from(*l),
        Value::BigInt(b) => bigdecimal::BigDecimal::new((**b).clone(), 0),
        // BigDecimal.valueOf(double) goes through Double.toString.
        Value::Double(d) => super::print::double_string(*d)
            .parse::<bigdecimal::BigDecimal>()
            .map_err(|_| other_err(format!("bigdec: cannot convert {}", pr_str1(v))))?,
        Value::Ratio(_) => {
            return num::div(
                "bigdec",
                &Value::BigDec(Arc::new(num_numer(v)?)),
                &denom_value(v),
            );
        }
        _ => return Err(num::not_a_number("bigdec", v)),
    };
    Ok(Value::BigDec(Arc::new(d)))
}

fn num_numer(v: &Value) -> Result<bigdecimal::BigDecimal> {
    match v {
        Value::Ratio(r) => Ok(bigdecimal::BigDecimal::new(r.numer().clone(), 0)),
        _ => Err(num::not_a_number("bigdec", v)),
    }
}
fn denom_value(v: &Value) -> Value {
    match v {
        Value::Ratio(r) => Value::bigint(r.denom().clone()),
        _ => Value::Long(1),
    }
}

pub(crate) fn numerator(args: &[Value]) -> Result<Value> {
    arity("numerator", args, 1, 1)?;
    match &args[0] {
        Value::Ratio(r) => Ok(Value::bigint(r.numer().clone())),
        v => Err(type_err(format!(
            "numerator: {} is not a ratio",
            pr_str1(v)
        ))),
    }
}

pub(crate) fn denominator(args: &[Value]) -> Result<Value> {
    arity("denominator", args, 1, 1)?;
    match &args[0] {
        Value::Ratio(r) => Ok(Value::bigint(r.denom().clone())),
        v => Err(type_err(format!(
            "denominator: {} is not a ratio",
            pr_str1(v)
        ))),
    }
}

pub(crate) fn char_(args: &[Value]) -> Result<Value> {
    arity("char", args, 1, 1)?;
    match &args[0] {
        Value::Char(_) => Ok(args[0].clone()),
        v if v.is_number() => {
            let code = int_cast("char", v, 0, 0xFFFF)?;
            match code.as_long().and_then(|c| char::from_u32(c as u32)) {
                Some(c) => Ok(Value::Char(c)),
                None => Err(other_err(format!(
                    "char: Value out of range for char: {}",
                    pr_str1(v)
                ))),
            }
        }
        v => Err(num::not_a_number("char", v)),
    }
}

pub(crate) fn inst_ms(args: &[Value]) -> Result<Value> {
    arity("inst-ms", args, 1, 1)?;
    match &args[0] {
        Value::Inst(ms) => Ok(Value::Long(*ms)),
        v => Err(type_err(format!(
            "inst-ms: {} is not an instant",
            pr_str1(v)
        ))),
    }
}

fn parse_arg<'a>(f: &str, args: &'a [Value]) -> Result<&'a str> {
    arity(f, args, 1, 1)?;
    args[0]
        .as_str()
        .ok_or_else(|| type_err(format!("{f}: {} is not a string", pr_str1(&args[0]))))
}

pub(crate) fn parse_long(args: &[Value]) -> Result<Value> {
    let s = parse_arg("parse-long", args)?;
    let ok = {
        let t = s.strip_prefix(['+', '-']).unwrap_or(s);
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
    };
    Ok(if ok {
        s.parse::<i64>().map(Value::Long).unwrap_or(Value::Nil)
    } else {
        Value::Nil
    })
}

pub(crate) fn parse_double(args: &[Value]) -> Result<Value> {
    let s = parse_arg("parse-double", args)?;
    let t = s.trim();
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        || matches!(t, "NaN" | "Infinity" | "-Infinity" | "+Infinity");
    Ok(if ok {
        let t = t.replace("Infinity", "inf");
        t.parse::<f64>().map(Value::Double).unwrap_or(Value::Nil)
    } else {
        Value::Nil
    })
}

pub(crate) fn parse_uuid(args: &[Value]) -> Result<Value> {
    let s = parse_arg("parse-uuid", args)?;
    let ok = s.len() == 36 && s.as_bytes().get(8) == Some(&b'-');
    Ok(match uuid::Uuid::parse_str(s) {
        Ok(u) if ok => Value::Uuid(u),
        _ => Value::Nil,
    })
}

pub(crate) fn random_uuid(args: &[Value]) -> Result<Value> {
    arity("random-uuid", args, 0, 0)?;
    Ok(Value::Uuid(uuid::Uuid::new_v4()))
}

// ------------------------------------------------------------ collections

/// The elements of a seqable value, as Clojure's `seq` sees them.
pub(crate) fn seq_items(f: &str, v: &Value) -> Result<Vec<Value>> {
    Ok(match v {
        Value::Nil => Vec::new(),
        Value::List(x) | Value::Vector(x) => x.to_vec(),
        Value::Set(s) => s.iter().cloned().collect(),
        Value::Map(m) => m
            .iter()
            .map(|(k, x)| Value::vector(vec![k.clone(), x.clone()]))
            .collect(),
        Value::Str(s) => s.chars().map(Value::Char).collect(),
        Value::Bytes(b) => b.iter().map(|x| Value::Long(*x as i8 as i64)).collect(),
        _ => {
            return Err(type_err(format!(
                "{f}: Don't know how to create ISeq from: {} ({})",
                pr_str1(v),
                v.type_name()
            )));
        }
    })
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub(crate) fn count(args: &[Value]) -> Result<Value> {
    arity("count", args, 1, 1)?;
    let n = match &args[0] {
        Value::Nil => 0,
        Value::Str(s) => utf16_len(s),
        Value::List(x) | Value::Vector(x) => x.len(),
        Value::Set(s) => s.len(),
        Value::Map(m) => m.len(),
        Value::Bytes(b) => b.len(),
        v => {
            return Err(type_err(format!(
                "count not supported on this type: {} ({})",
                pr_str1(v),
                v.type_name()
            )));
        }
    };
    Ok(Value::Long(n as i64))
}

pub(crate) fn vector(args: &[Value]) -> Result<Value> {
    Ok(Value::vector(args.to_vec()))
}

pub(crate) fn list(args: &[Value]) -> Result<Value> {
    Ok(Value::list(args.to_vec()))
}

pub(crate) fn hash_set(args: &[Value]) -> Result<Value> {
    Ok(Value::set(args.iter().cloned()))
}

pub(crate) fn set(args: &[Value]) -> Result<Value> {
    arity("set", args, 1, 1)?;
    Ok(Value::set(seq_items("set", &args[0])?))
}

pub(crate) fn vec(args: &[Value]) -> Result<Value> {
    arity("vec", args, 1, 1)?;
    Ok(Value::vector(seq_items("vec", &args[0])?))
}

pub(crate) fn hash_map(args: &[Value]) -> Result<Value> {
    if args.len() % 2 == 1 {
        return Err(other_err(format!(
            "hash-map: No value supplied for key: {}",
            pr_str1(&args[args.len() - 1])
        )));
    }
    Ok(Value::map(
        args.chunks(2).map(|p| (p[0].clone(), p[1].clone())),
    ))
}

pub(crate) fn range(args: &[Value]) -> Result<Value> {
    const LIMIT: usize = 10_000_000;
    arity("range", args, 1, 3)?;
    let (start, end, step) = match args {
        [e] => (Value::Long(0), e.clone(), Value::Long(1)),
        [s, e] => (s.clone(), e.clone(), Value::Long(1)),
        [s, e, st] => (s.clone(), e.clone(), st.clone()),
        _ => return Err(other_err("range: wrong number of args")),
    };
    for v in [&start, &end, &step] {
        num::cat("range", v)?;
    }
    let sign = num::signum("range", &step)?;
    let mut out = Vec::new();
    let mut x = start;
    if sign == 0 {
        // Clojure: an infinite repetition of start, unless start == end.
        if num::num_cmp("range", &x, &end)? == Some(Ordering::Equal) {
            return Ok(Value::list(out));
        }
        return Err(other_err("range: step 0 gives an infinite sequence"));
    }
    let want = if sign > 0 {
        Ordering::Less
    } else {
        Ordering::Greater
    };
    while num::num_cmp("range", &x, &end)? == Some(want) {
        if out.len() >= LIMIT {
            return Err(other_err(format!("range: more than {LIMIT} elements")));
        }
        let next = num::add("range", &x, &step)?;
        out.push(x);
        x = next;
    }
    Ok(Value::list(out))
}

fn is_empty_seqable(f: &str, v: &Value) -> Result<bool> {
    Ok(match v {
        Value::Nil => true,
        Value::Str(s) => s.is_empty(),
        Value::List(x) | Value::Vector(x) => x.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        _ => {
            seq_items(f, v)?;
            false
        }
    })
}

pub(crate) fn not_empty(args: &[Value]) -> Result<Value> {
    arity("not-empty", args, 1, 1)?;
    Ok(if is_empty_seqable("not-empty", &args[0])? {
        Value::Nil
    } else {
        args[0].clone()
    })
}

/// `empty`: an empty collection of the same kind; `nil` for anything else.
/// Datahike binds `empty?` in queries to this function.
pub(crate) fn empty(args: &[Value]) -> Result<Value> {
    arity("empty", args, 1, 1)?;
    Ok(match &args[0] {
        Value::List(_) => Value::list(vec![]),
        Value::Vector(_) => Value::vector(vec![]),
        Value::Set(_) => Value::set([]),
        Value::Map(_) => Value::map([]),
        _ => Value::Nil,
    })
}

/// `clojure.core/empty?` proper (reachable as `clojure.core/empty?`).
pub(crate) fn is_empty(args: &[Value]) -> Result<Value> {
    arity("empty?", args, 1, 1)?;
    is_empty_seqable("empty?", &args[0]).map(Value::Bool)
}

fn index_of(k: &Value) -> Option<i64> {
    match k {
        Value::Long(l) => Some(*l),
        Value::BigInt(b) => b.to_i64(),
        _ => None,
    }
}

pub(crate) fn contains(args: &[Value]) -> Result<Value> {
    arity("contains?", args, 2, 2)?;
    let (c, k) = (&args[0], &args[1]);
    let r = match c {
        Value::Nil => false,
        Value::Map(m) => m.contains_key(k),
        Value::Set(s) => s.contains(k),
        Value::Vector(x) => index_of(k).is_some_and(|i| i >= 0 && (i as usize) < x.len()),
        Value::Str(s) => index_of(k).is_some_and(|i| i >= 0 && (i as usize) < utf16_len(s)),
        v => {
            return Err(other_err(format!(
                "contains? not supported on type: {} ({})",
                pr_str1(v),
                v.type_name()
            )));
        }
    };
    Ok(Value::Bool(r))
}

fn get1(c: &Value, k: &Value) -> Option<Value> {
    match c {
        Value::Map(m) => m.get(k).cloned(),
        Value::Set(s) => s.get(k).cloned(),
        Value::Vector(x) => index_of(k)
            .filter(|i| *i >= 0)
            .and_then(|i| x.get(i as usize).cloned()),
        Value::Str(s) => index_of(k)
            .filter(|i| *i >= 0)
            .and_then(|i| char_at(s, i as usize)),
        _ => None,
    }
}

fn char_at(s: &str, i: usize) -> Option<Value> {
    let unit = s.encode_utf16().nth(i)?;
    char::from_u32(unit as u32).map(Value::Char)
}

pub(crate) fn get(args: &[Value]) -> Result<Value> {
    arity("get", args, 2, 3)?;
    Ok(get1(&args[0], &args[1]).unwrap_or_else(|| args.get(2).cloned().unwrap_or(Value::Nil)))
}

pub(crate) fn get_in(args: &[Value]) -> Result<Value> {
    arity("get-in", args, 2, 3)?;
    let mut cur = args[0].clone();
    for k in seq_items("get-in", &args[1])? {
        match get1(&cur, &k) {
            Some(v) => cur = v,
            None => return Ok(args.get(2).cloned().unwrap_or(Value::Nil)),
        }
    }
    Ok(cur)
}

pub(crate) fn seq(args: &[Value]) -> Result<Value> {
    arity("seq", args, 1, 1)?;
    let items = seq_items("seq", &args[0])?;
    Ok(if items.is_empty() {
        Value::Nil
    } else {
        Value::list(items)
    })
}

pub(crate) fn first(args: &[Value]) -> Result<Value> {
    arity("first", args, 1, 1)?;
    Ok(seq_items("first", &args[0])?
        .into_iter()
        .next()
        .unwrap_or(Value::Nil))
}

pub(crate) fn second(args: &[Value]) -> Result<Value> {
    arity("second", args, 1, 1)?;
    Ok(seq_items("second", &args[0])?
        .into_iter()
        .nth(1)
        .unwrap_or(Value::Nil))
}

pub(crate) fn last(args: &[Value]) -> Result<Value> {
    arity("last", args, 1, 1)?;
    Ok(seq_items("last", &args[0])?.pop().unwrap_or(Value::Nil))
}

pub(crate) fn rest(args: &[Value]) -> Result<Value> {
    arity("rest", args, 1, 1)?;
    Ok(Value::list(
        seq_items("rest", &args[0])?.into_iter().skip(1).collect(),
    ))
}

pub(crate) fn next(args: &[Value]) -> Result<Value> {
    arity("next", args, 1, 1)?;
    let items: Vec<Value> = seq_items("next", &args[0])?.into_iter().skip(1).collect();
    Ok(if items.is_empty() {
        Value::Nil
    } else {
        Value::list(items)
    })
}

pub(crate) fn nth(args: &[Value]) -> Result<Value> {
    arity("nth", args, 2, 3)?;
    let (c, k) = (&args[0], &args[1]);
    let i = match k {
        v if v.is_number() => num::trunc_integer(v).and_then(|b| b.to_i64()),
        v => return Err(num::not_a_number("nth", v)),
    };
    let found = match c {
        Value::Nil => Some(Value::Nil),
        Value::Map(_) | Value::Set(_) => {
            return Err(other_err(format!(
                "nth not supported on this type: {}",
                c.type_name()
            )));
        }
        Value::Str(s) => i.filter(|i| *i >= 0).and_then(|i| char_at(s, i as usize)),
        _ => i
            .filter(|i| *i >= 0)
            .and_then(|i| seq_items("nth", c).ok()?.into_iter().nth(i as usize)),
    };
    match (found, args.get(2)) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d.clone()),
        (None, None) => {
            seq_items("nth", c)?;
            Err(other_err(format!(
                "nth: index {} out of bounds for {}",
                pr_str1(k),
                pr_str1(c)
            )))
        }
    }
}

fn conj1(f: &str, c: Value, x: &Value) -> Result<Value> {
    Ok(match c {
        Value::Nil => Value::list(vec![x.clone()]),
        Value::List(v) => {
            let mut v = (*v).clone();
            v.insert(0, x.clone());
            Value::list(v)
        }
        Value::Vector(v) => {
            let mut v = (*v).clone();
            v.push(x.clone());
            Value::vector(v)
        }
        Value::Set(s) => {
            let mut s = (*s).clone();
            s.insert(x.clone());
            Value::Set(Arc::new(s))
        }
        Value::Map(m) => {
            let mut m = (*m).clone();
            match x {
                Value::Vector(p) if p.len() == 2 => {
                    m.insert(p[0].clone(), p[1].clone());
                }
                Value::Map(o) => m.extend(o.iter().map(|(k, v)| (k.clone(), v.clone()))),
                Value::Nil => {}
                _ => {
                    return Err(other_err(format!(
                        "{f}: Vector arg to map conj must be a pair: {}",
                        pr_str1(x)
                    )));
                }
            }
            Value::Map(Arc::new(m))
        }
        other => {
            return Err(type_err(format!(
                "{f}: cannot conj onto {} ({})",
                pr_str1(&other),
                other.type_name()
            )));
        }
    })
}

pub(crate) fn conj(args: &[Value]) -> Result<Value> {
    if args.is_empty() {
        return Ok(Value::vector(vec![]));
    }
    let mut acc = args[0].clone();
    for x in &args[1..] {
        acc = conj1("conj", acc, x)?;
    }
    Ok(acc)
}

pub(crate) fn into(args: &[Value]) -> Result<Value> {
    arity("into", args, 0, 2)?;
    match args {
        [] => Ok(Value::vector(vec![])),
        [to] => Ok(to.clone()),
        [to, from] => {
            let mut acc = to.clone();
            for x in seq_items("into", from)? {
                acc = conj1("into", acc, &x)?;
            }
            Ok(acc)
        }
        _ => Err(other_err("into: wrong number of args")),
    }
}

pub(crate) fn concat(args: &[Value]) -> Result<Value> {
    let mut out = Vec::new();
    for a in args {
        out.extend(seq_items("concat", a)?);
    }
    Ok(Value::list(out))
}

pub(crate) fn cons(args: &[Value]) -> Result<Value> {
    arity("cons", args, 2, 2)?;
    let mut out = vec![args[0].clone()];
    out.extend(seq_items("cons", &args[1])?);
    Ok(Value::list(out))
}

fn map_arg<'a>(
    f: &str,
    v: &'a Value,
) -> Result<Option<&'a std::collections::BTreeMap<Value, Value>>> {
    match v {
        Value::Nil => Ok(None),
        Value::Map(m) => Ok(Some(m)),
        _ => Err(type_err(format!("{f}: {} is not a map", pr_str1(v)))),
    }
}

pub(crate) fn keys(args: &[Value]) -> Result<Value> {
    arity("keys", args, 1, 1)?;
    Ok(match map_arg("keys", &args[0])? {
        Some(m) if !m.is_empty() => Value::list(m.keys().cloned().collect()),
        _ => Value::Nil,
    })
}

pub(crate) fn vals(args: &[Value]) -> Result<Value> {
    arity("vals", args, 1, 1)?;
    Ok(match map_arg("vals", &args[0])? {
        Some(m) if !m.is_empty() => Value::list(m.values().cloned().collect()),
        _ => Value::Nil,
    })
}

pub(crate) fn assoc(args: &[Value]) -> Result<Value> {
    if args.len() < 3 || args.len() % 2 == 0 {
        return Err(other_err(format!(
            "Wrong number of args ({}) passed to: assoc",
            args.len()
        )));
    }
    match &args[0] {
        Value::Nil | Value::Map(_) => {
            let mut m = map_arg("assoc", &args[0])?.cloned().unwrap_or_default();
            for p in args[1..].chunks(2) {
                m.insert(p[0].clone(), p[1].clone());
            }
            Ok(Value::Map(Arc::new(m)))
        }
        Value::Vector(v) => {
            let mut v = (**v).clone();
            for p in args[1..].chunks(2) {
                match index_of(&p[0]) {
                    Some(i) if i >= 0 && (i as usize) < v.len() => v[i as usize] = p[1].clone(),
                    Some(i) if i >= 0 && i as usize == v.len() => v.push(p[1].clone()),
                    _ => {
                        return Err(other_err(format!(
                            "assoc: index {} out of bounds",
                            pr_str1(&p[0])
                        )));
                    }
                }
            }
            Ok(Value::vector(v))
        }
        v => Err(type_err(format!("assoc: cannot assoc on {}", pr_str1(v)))),
    }
}

pub(crate) fn dissoc(args: &[Value]) -> Result<Value> {
    arity("dissoc", args, 1, usize::MAX)?;
    match map_arg("dissoc", &args[0])? {
        None => Ok(Value::Nil),
        Some(m) => {
            let mut m = m.clone();
            for k in &args[1..] {
                m.remove(k);
            }
            Ok(Value::Map(Arc::new(m)))
        }
    }
}

pub(crate) fn merge(args: &[Value]) -> Result<Value> {
    let mut acc: Option<std::collections::BTreeMap<Value, Value>> = None;
    for a in args {
        if let Some(m) = map_arg("merge", a)? {
            let acc = acc.get_or_insert_with(Default::default);
            acc.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    Ok(acc.map(|m| Value::Map(Arc::new(m))).unwrap_or(Value::Nil))
}

pub(crate) fn reverse(args: &[Value]) -> Result<Value> {
    arity("reverse", args, 1, 1)?;
    let mut items = seq_items("reverse", &args[0])?;
    items.reverse();
    Ok(Value::list(items))
}

pub(crate) fn distinct(args: &[Value]) -> Result<Value> {
    arity("distinct", args, 1, 1)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for x in seq_items("distinct", &args[0])? {
        if seen.insert(x.clone()) {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

/// Stable sort with Clojure `compare`, failing on incomparable elements.
pub(crate) fn sort_values(items: &mut [Value]) -> Result<()> {
    let mut err = None;
    items.sort_by(|a, b| match clj_compare(a, b) {
        Ok(c) => c.cmp(&0),
        Err(e) => {
            err.get_or_insert(e);
            Ordering::Equal
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub(crate) fn sort(args: &[Value]) -> Result<Value> {
    arity("sort", args, 1, 1)?;
    let mut items = seq_items("sort", &args[0])?;
    sort_values(&mut items)?;
    Ok(Value::list(items))
}

fn count_arg(f: &str, v: &Value) -> Result<usize> {
    num::cat(f, v)?;
    Ok(match num::trunc_integer(v) {
        Some(b) if b.sign() == num_bigint::Sign::Minus => 0,
        Some(b) => b.to_usize().unwrap_or(usize::MAX),
        None => usize::MAX,
    })
}

pub(crate) fn take(args: &[Value]) -> Result<Value> {
    arity("take", args, 2, 2)?;
    let n = count_arg("take", &args[0])?;
    Ok(Value::list(
        seq_items("take", &args[1])?.into_iter().take(n).collect(),
    ))
}

pub(crate) fn drop(args: &[Value]) -> Result<Value> {
    arity("drop", args, 2, 2)?;
    let n = count_arg("drop", &args[0])?;
    Ok(Value::list(
        seq_items("drop", &args[1])?.into_iter().skip(n).collect(),
    ))
}

pub(crate) fn peek(args: &[Value]) -> Result<Value> {
    arity("peek", args, 1, 1)?;
    Ok(match &args[0] {
        Value::Nil => Value::Nil,
        Value::Vector(v) => v.last().cloned().unwrap_or(Value::Nil),
        Value::List(v) => v.first().cloned().unwrap_or(Value::Nil),
        v => return Err(type_err(format!("peek: {} is not a stack", pr_str1(v)))),
    })
}

pub(crate) fn subvec(args: &[Value]) -> Result<Value> {
    arity("subvec", args, 2, 3)?;
    let v = args[0]
        .as_vector()
        .ok_or_else(|| type_err(format!("subvec: {} is not a vector", pr_str1(&args[0]))))?;
    let start = index_of(&args[1]);
    let end = match args.get(2) {
        Some(e) => index_of(e),
        None => Some(v.len() as i64),
    };
    match (start, end) {
        (Some(s), Some(e)) if 0 <= s && s <= e && (e as usize) <= v.len() => {
            Ok(Value::vector(v[s as usize..e as usize].to_vec()))
        }
        _ => Err(other_err(format!(
            "subvec: index out of bounds for {}",
            pr_str1(&args[0])
        ))),
    }
}

pub(crate) fn frequencies(args: &[Value]) -> Result<Value> {
    arity("frequencies", args, 1, 1)?;
    let mut m: std::collections::BTreeMap<Value, Value> = Default::default();
    for x in seq_items("frequencies", &args[0])? {
        let n = m.get(&x).and_then(Value::as_long).unwrap_or(0);
        m.insert(x, Value::Long(n + 1));
    }
    Ok(Value::Map(Arc::new(m)))
}

pub(crate) fn zipmap(args: &[Value]) -> Result<Value> {
    arity("zipmap", args, 2, 2)?;
    let ks = seq_items("zipmap", &args[0])?;
    let vs = seq_items("zipmap", &args[1])?;
    Ok(Value::map(ks.into_iter().zip(vs)))
}

pub(crate) fn select_keys(args: &[Value]) -> Result<Value> {
    arity("select-keys", args, 2, 2)?;
    let m = map_arg("select-keys", &args[0])?;
    let mut out = std::collections::BTreeMap::new();
    for k in seq_items("select-keys", &args[1])? {
        if let Some(v) = m.and_then(|m| m.get(&k)) {
            out.insert(k, v.clone());
        }
    }
    Ok(Value::Map(Arc::new(out)))
}

/// Checks that a value is an exact non-negative count that fits memory.
pub(crate) fn n_arg(f: &str, v: &Value) -> Result<usize> {
    count_arg(f, v)
}
