//! [`FieldValue`]: how one Rust value is stored as one attribute value, and
//! read back. Implemented for every type `#[derive(Entity)]` accepts as a
//! field (or as the element of an `Option`, a collection or a tuple).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bigdecimal::BigDecimal;
use num_bigint::BigInt;

use super::schema::AttrDef;
use crate::error::{Error, Result};
use crate::schema::ValueType;
use crate::value::{Keyword, Value};

/// A Rust type stored as one attribute value.
///
/// `#[derive(Entity)]` calls these for each field; implement it for your
/// own types to store them (or derive it for a fieldless enum with
/// `#[derive(Entity)] #[entity(ns = "...")]`, stored as keywords).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored as an attribute value",
    label = "unsupported field type",
    note = "supported: String, i64/i32/i16/i8/u32/u16/u8, f64/f32, bool, uuid::Uuid, SystemTime, \
            chrono::DateTime<Utc> (feature `chrono`), Vec<u8>, Keyword, BigInt, BigDecimal, tuples, [T; N], Tuple<T>, \
            Ref<T>, EntityId, fieldless enums deriving Entity, and Option/Vec/BTreeSet/HashSet of these",
    note = "a struct deriving Entity is stored by reference: use `Ref<{Self}>`, or mark the field `#[entity(component)]`"
)]
pub trait FieldValue: Sized {
    /// The attribute's `:db/valueType`.
    const VALUE_TYPE: ValueType;

    /// `:db/tupleTypes` for a heterogeneous tuple type, `None` otherwise.
    fn tuple_types() -> Option<Vec<ValueType>> {
        None
    }

    /// `:db/tupleType` for a homogeneous tuple type (`[T; N]`,
    /// [`Tuple<T>`]), `None` otherwise.
    fn tuple_type() -> Option<ValueType> {
        None
    }

    /// The definition of a cardinality-one attribute `ident` holding this
    /// type: [`AttrDef::of`] (`:db/valueType` and tuple types).
    fn attr_def(ident: &'static str) -> AttrDef {
        AttrDef::of::<Self>(ident)
    }

    /// The value to transact.
    fn to_value(&self) -> Value;

    /// Reads a value pulled from the database. Errors (`type`) say what
    /// was expected and what was found.
    fn from_value(v: &Value) -> Result<Self>;
}

/// The `type` error of a value that does not convert.
pub fn mismatch(expected: &str, got: &Value) -> Error {
    Error::type_error(format!("expected {expected}, got {got}"))
}

impl FieldValue for String {
    const VALUE_TYPE: ValueType = ValueType::String;
    fn to_value(&self) -> Value {
        Value::str(self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| mismatch("a string", v))
    }
}

impl FieldValue for i64 {
    const VALUE_TYPE: ValueType = ValueType::Long;
    fn to_value(&self) -> Value {
        Value::Long(*self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        v.as_long().ok_or_else(|| mismatch("a long", v))
    }
}

macro_rules! small_int {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            const VALUE_TYPE: ValueType = ValueType::Long;
            fn to_value(&self) -> Value {
                Value::Long(i64::from(*self))
            }
            fn from_value(v: &Value) -> Result<Self> {
                let l = v.as_long().ok_or_else(|| mismatch("a long", v))?;
                <$t>::try_from(l).map_err(|_| {
                    Error::type_error(format!(
                        "{l} does not fit in {}", stringify!($t)
                    ))
                })
            }
        }
    )*};
}
small_int!(i32, i16, i8, u32, u16, u8);

impl FieldValue for f64 {
    const VALUE_TYPE: ValueType = ValueType::Double;
    fn to_value(&self) -> Value {
        Value::Double(*self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Double(d) => Ok(*d),
            _ => Err(mismatch("a double", v)),
        }
    }
}

impl FieldValue for f32 {
    const VALUE_TYPE: ValueType = ValueType::Float;
    fn to_value(&self) -> Value {
        Value::Double(f64::from(*self))
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            // Stored from an f32, so the narrowing is exact.
            Value::Double(d) => Ok(*d as f32),
            _ => Err(mismatch("a float", v)),
        }
    }
}

impl FieldValue for bool {
    const VALUE_TYPE: ValueType = ValueType::Boolean;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(*b),
            _ => Err(mismatch("a boolean", v)),
        }
    }
}

impl FieldValue for uuid::Uuid {
    const VALUE_TYPE: ValueType = ValueType::Uuid;
    fn to_value(&self) -> Value {
        Value::Uuid(*self)
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Uuid(u) => Ok(*u),
            _ => Err(mismatch("a uuid", v)),
        }
    }
}

/// Instants are stored with millisecond precision (like Datahike's
/// `java.util.Date`): sub-millisecond digits are dropped.
impl FieldValue for SystemTime {
    const VALUE_TYPE: ValueType = ValueType::Instant;
    fn to_value(&self) -> Value {
        let ms = match self.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => {
                // Before the epoch: round towards negative infinity.
                let d = e.duration();
                let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
                if d.subsec_nanos() % 1_000_000 != 0 {
                    -ms - 1
                } else {
                    -ms
                }
            }
        };
        Value::Inst(ms)
    }
    fn from_value(v: &Value) -> Result<Self> {
        let Value::Inst(ms) = v else {
            return Err(mismatch("an instant", v));
        };
        let d = Duration::from_millis(ms.unsigned_abs());
        let t = if *ms >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        };
        t.ok_or_else(|| Error::type_error(format!("instant {v} is out of range for SystemTime")))
    }
}

/// `chrono::DateTime<Utc>`, millisecond precision.
#[cfg(feature = "chrono")]
impl FieldValue for chrono::DateTime<chrono::Utc> {
    const VALUE_TYPE: ValueType = ValueType::Instant;
    fn to_value(&self) -> Value {
        Value::Inst(self.timestamp_millis())
    }
    fn from_value(v: &Value) -> Result<Self> {
        let Value::Inst(ms) = v else {
            return Err(mismatch("an instant", v));
        };
        chrono::DateTime::from_timestamp_millis(*ms).ok_or_else(|| {
            Error::type_error(format!("instant {v} is out of range for chrono::DateTime"))
        })
    }
}

/// `Vec<u8>` is a byte array (`:db.type/bytes`), not a cardinality-many
/// attribute of small numbers.
impl FieldValue for Vec<u8> {
    const VALUE_TYPE: ValueType = ValueType::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(Arc::from(self.as_slice()))
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Bytes(b) => Ok(b.to_vec()),
            _ => Err(mismatch("bytes", v)),
        }
    }
}

impl FieldValue for Keyword {
    const VALUE_TYPE: ValueType = ValueType::Keyword;
    fn to_value(&self) -> Value {
        Value::Keyword(self.clone())
    }
    fn from_value(v: &Value) -> Result<Self> {
        v.as_keyword()
            .cloned()
            .ok_or_else(|| mismatch("a keyword", v))
    }
}

impl FieldValue for BigInt {
    const VALUE_TYPE: ValueType = ValueType::BigInt;
    fn to_value(&self) -> Value {
        Value::bigint(self.clone())
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::BigInt(b) => Ok((**b).clone()),
            // `:db.type/bigint` also accepts longs.
            Value::Long(l) => Ok(BigInt::from(*l)),
            _ => Err(mismatch("a bigint", v)),
        }
    }
}

impl FieldValue for BigDecimal {
    const VALUE_TYPE: ValueType = ValueType::BigDec;
    fn to_value(&self) -> Value {
        Value::BigDec(Arc::new(self.clone()))
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::BigDec(b) => Ok((**b).clone()),
            _ => Err(mismatch("a bigdec", v)),
        }
    }
}

/// Inside a tuple, `None` is a `nil` element: what a composite tuple
/// (`tuple_attrs`) holds for a missing source. The database refuses nil in
/// a tuple that is asserted (as Datahike does), so writing `None` inside a
/// heterogeneous tuple is a `type` error. (At the top level of a field,
/// `Option<T>` makes the attribute optional instead.)
impl<T: FieldValue> FieldValue for Option<T> {
    const VALUE_TYPE: ValueType = T::VALUE_TYPE;
    fn tuple_types() -> Option<Vec<ValueType>> {
        T::tuple_types()
    }
    fn tuple_type() -> Option<ValueType> {
        T::tuple_type()
    }
    fn to_value(&self) -> Value {
        match self {
            Some(x) => x.to_value(),
            None => Value::Nil,
        }
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

macro_rules! tuple {
    ($n:literal; $($t:ident $i:tt),+) => {
        /// A heterogeneous tuple (`:db.type/tuple` with `:db/tupleTypes`).
        impl<$($t: FieldValue),+> FieldValue for ($($t,)+) {
            const VALUE_TYPE: ValueType = ValueType::Tuple;
            fn tuple_types() -> Option<Vec<ValueType>> {
                Some(vec![$($t::VALUE_TYPE),+])
            }
            fn to_value(&self) -> Value {
                Value::vector(vec![$(self.$i.to_value()),+])
            }
            fn from_value(v: &Value) -> Result<Self> {
                match v.as_vector() {
                    Some(xs) if xs.len() == $n => Ok(($($t::from_value(&xs[$i])?,)+)),
                    _ => Err(mismatch(concat!("a tuple of ", $n, " values"), v)),
                }
            }
        }
    };
}
tuple!(2; A 0, B 1);
tuple!(3; A 0, B 1, C 2);
tuple!(4; A 0, B 1, C 2, D 3);
tuple!(5; A 0, B 1, C 2, D 3, E 4);
tuple!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A homogeneous tuple of any length: one `:db.type/tuple` value with
/// `:db/tupleType` (`Tuple(vec![1, 2, 3])` is `[1 2 3]`). A `Vec<T>` field
/// is cardinality many instead; `[T; N]` is a tuple of exactly `N`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tuple<T>(pub Vec<T>);

impl<T: FieldValue> FieldValue for Tuple<T> {
    const VALUE_TYPE: ValueType = ValueType::Tuple;
    fn tuple_type() -> Option<ValueType> {
        Some(T::VALUE_TYPE)
    }
    fn to_value(&self) -> Value {
        Value::vector(self.0.iter().map(FieldValue::to_value).collect())
    }
    fn from_value(v: &Value) -> Result<Self> {
        match v.as_vector() {
            Some(xs) => xs
                .iter()
                .map(T::from_value)
                .collect::<Result<_>>()
                .map(Tuple),
            None => Err(mismatch("a tuple", v)),
        }
    }
}

/// A homogeneous tuple of exactly `N` values (`:db/tupleType`).
impl<T: FieldValue, const N: usize> FieldValue for [T; N] {
    const VALUE_TYPE: ValueType = ValueType::Tuple;
    fn tuple_type() -> Option<ValueType> {
        Some(T::VALUE_TYPE)
    }
    fn to_value(&self) -> Value {
        Value::vector(self.iter().map(FieldValue::to_value).collect())
    }
    fn from_value(v: &Value) -> Result<Self> {
        let wrong = || mismatch(&format!("a tuple of {N} values"), v);
        let xs = v.as_vector().filter(|xs| xs.len() == N).ok_or_else(wrong)?;
        let items = xs.iter().map(T::from_value).collect::<Result<Vec<T>>>()?;
        <[T; N]>::try_from(items).map_err(|_| wrong())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_to_milliseconds_on_both_sides_of_the_epoch() {
        let after = UNIX_EPOCH + Duration::from_micros(1_500);
        assert_eq!(after.to_value(), Value::Inst(1));
        let before = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(before.to_value(), Value::Inst(-2));
        let exact = UNIX_EPOCH - Duration::from_millis(3);
        assert_eq!(exact.to_value(), Value::Inst(-3));
        assert_eq!(SystemTime::from_value(&Value::Inst(-3)).ok(), Some(exact));
    }

    #[test]
    fn narrow_integers_refuse_values_that_do_not_fit() {
        assert_eq!(i32::from_value(&Value::Long(-5)).ok(), Some(-5));
        let e = u8::from_value(&Value::Long(300)).expect_err("too big");
        assert_eq!(e.message, "300 does not fit in u8");
        let e = i64::from_value(&Value::str("7")).expect_err("a string");
        assert_eq!(e.message, "expected a long, got \"7\"");
    }

    #[test]
    fn tuples_and_options() {
        let v = (String::from("a"), None::<i64>).to_value();
        assert_eq!(v, Value::vector(vec![Value::str("a"), Value::Nil]));
        assert_eq!(
            <(String, Option<i64>)>::from_value(&v).ok(),
            Some(("a".into(), None))
        );
        assert_eq!(
            <(String, Option<i64>)>::tuple_types(),
            Some(vec![ValueType::String, ValueType::Long])
        );
        assert!(<(String, i64)>::from_value(&Value::vector(vec![Value::str("a")])).is_err());
    }
}
