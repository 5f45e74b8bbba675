//! The numeric tower with Clojure (JVM) semantics: `Long` arithmetic is
//! overflow-checked, contagion goes Long → BigInt → Ratio → BigDec → Double,
//! ratio results that are integral become `BigInt` (as `clojure.lang.Numbers`
//! does), `/` of longs is exact.

use std::cmp::Ordering;
use std::sync::Arc;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{arith_err, print::pr_str1, type_err};
use crate::error::Result;
use crate::value::{Value, to_f64, to_ratio};

/// Number category, ordered so that the contagion result of two numbers is
/// the larger category.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Cat {
    Long,
    BigInt,
    Ratio,
    BigDec,
    Double,
}

/// The category of a number, or a type error naming `f`.
pub(crate) fn cat(f: &str, v: &Value) -> Result<Cat> {
    Ok(match v {
        Value::Long(_) => Cat::Long,
        Value::BigInt(_) => Cat::BigInt,
        Value::Ratio(_) => Cat::Ratio,
        Value::BigDec(_) => Cat::BigDec,
        Value::Double(_) => Cat::Double,
        _ => return Err(not_a_number(f, v)),
    })
}

pub(crate) fn not_a_number(f: &str, v: &Value) -> crate::error::Error {
    type_err(format!(
        "{f}: cannot cast {} ({}) to a number",
        pr_str1(v),
        v.type_name()
    ))
}

fn big(v: &Value) -> BigInt {
    match v {
        Value::Long(l) => BigInt::from(*l),
        Value::BigInt(b) => (**b).clone(),
        _ => to_ratio(v).to_integer(),
    }
}

/// A decimal as (unscaled digits, scale), like `java.math.BigDecimal`.
#[derive(Clone, Debug)]
pub(crate) struct Dec {
    pub(crate) digits: BigInt,
    pub(crate) scale: i64,
}

impl Dec {
    pub(crate) fn of(d: &BigDecimal) -> Dec {
        let (digits, scale) = d.as_bigint_and_exponent();
        Dec { digits, scale }
    }
    fn value(self) -> Value {
        Value::BigDec(Arc::new(BigDecimal::new(self.digits, self.scale)))
    }
    fn rescale(&self, scale: i64) -> BigInt {
        // Only called with scale >= self.scale.
        let k = (scale - self.scale).max(0) as usize;
        &self.digits * num_traits::pow(BigInt::from(10), k)
    }
    fn add(&self, o: &Dec) -> Dec {
        let s = self.scale.max(o.scale);
        Dec {
            digits: self.rescale(s) + o.rescale(s),
            scale: s,
        }
    }
    fn neg(&self) -> Dec {
        Dec {
            digits: -&self.digits,
            scale: self.scale,
        }
    }
    fn mul(&self, o: &Dec) -> Dec {
        Dec {
            digits: &self.digits * &o.digits,
            scale: self.scale + o.scale,
        }
    }
    pub(crate) fn ratio(&self) -> BigRational {
        let ten = BigInt::from(10);
        if self.scale >= 0 {
            BigRational::new(
                self.digits.clone(),
                num_traits::pow(ten, self.scale as usize),
            )
        } else {
            BigRational::from_integer(&self.digits * num_traits::pow(ten, (-self.scale) as usize))
        }
    }
}

/// The exact decimal for a rational with a terminating expansion, using
/// Java's preferred-scale rule: trailing zeros are stripped down to
/// `preferred` (never below the exact scale).
fn exact_decimal(f: &str, q: &BigRational, preferred: i64) -> Result<Dec> {
    let mut d = q.denom().clone();
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut i, mut j) = (0i64, 0i64);
    while d.is_even() {
        d /= &two;
        i += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        j += 1;
    }
    if !d.is_one() {
        return Err(arith_err(format!(
            "Non-terminating decimal expansion; no exact representable decimal result ({f} {})",
            q
        )));
    }
    let mut scale = i.max(j);
    let mut u = (q * BigRational::from_integer(num_traits::pow(BigInt::from(10), scale as usize)))
        .to_integer();
    let ten = BigInt::from(10);
    if u.is_zero() {
        return Ok(Dec {
            digits: u,
            scale: preferred,
        });
    }
    while scale > preferred && (&u % &ten).is_zero() {
        u /= &ten;
        scale -= 1;
    }
    if scale < preferred {
        u *= num_traits::pow(ten, (preferred - scale) as usize);
        scale = preferred;
    }
    Ok(Dec { digits: u, scale })
}

fn dec(f: &str, v: &Value) -> Result<Dec> {
    match v {
        Value::BigDec(d) => Ok(Dec::of(d)),
        Value::Long(_) | Value::BigInt(_) => Ok(Dec {
            digits: big(v),
            scale: 0,
        }),
        // Ratio.decimalValue() with an unlimited context: exact or throws.
        Value::Ratio(r) => exact_decimal(f, r, 0),
        _ => Err(not_a_number(f, v)),
    }
}

/// An exact rational result: integral → `BigInt` (Clojure's normalisation).
pub(crate) fn ratio_value(r: BigRational) -> Value {
    if r.denom().is_one() {
        Value::bigint(r.to_integer())
    } else {
        Value::Ratio(Arc::new(r))
    }
}

/// A big integer result that is a `Long` when it fits (used where Clojure
/// itself returns a long, e.g. `long`).
pub(crate) fn int_value(b: BigInt) -> Value {
    match b.to_i64() {
        Some(l) => Value::Long(l),
        None => Value::bigint(b),
    }
}

fn overflow(f: &str, a: &Value, b: &Value) -> crate::error::Error {
    arith_err(format!(
        "integer overflow: ({f} {} {})",
        pr_str1(a),
        pr_str1(b)
    ))
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Double(d) if d.is_nan())
}

/// `(+ a b)`.
pub(crate) fn add(f: &str, a: &Value, b: &Value) -> Result<Value> {
    Ok(match cat(f, a)?.max(cat(f, b)?) {
        Cat::Long => match (a, b) {
            (Value::Long(x), Value::Long(y)) => {
                Value::Long(x.checked_add(*y).ok_or_else(|| overflow(f, a, b))?)
            }
            _ => Value::bigint(big(a) + big(b)),
        },
        Cat::BigInt => Value::bigint(big(a) + big(b)),
        Cat::Ratio => ratio_value(to_ratio(a) + to_ratio(b)),
        Cat::BigDec => dec(f, a)?.add(&dec(f, b)?).value(),
        Cat::Double => Value::Double(to_f64(a) + to_f64(b)),
    })
}

/// `(- a b)`.
pub(crate) fn sub(f: &str, a: &Value, b: &Value) -> Result<Value> {
    Ok(match cat(f, a)?.max(cat(f, b)?) {
        Cat::Long => match (a, b) {
            (Value::Long(x), Value::Long(y)) => {
                Value::Long(x.checked_sub(*y).ok_or_else(|| overflow(f, a, b))?)
            }
            _ => Value::bigint(big(a) - big(b)),
        },
        Cat::BigInt => Value::bigint(big(a) - big(b)),
        Cat::Ratio => ratio_value(to_ratio(a) - to_ratio(b)),
        Cat::BigDec => dec(f, a)?.add(&dec(f, b)?.neg()).value(),
        Cat::Double => Value::Double(to_f64(a) - to_f64(b)),
    })
}

/// `(* a b)`.
pub(crate) fn mul(f: &str, a: &Value, b: &Value) -> Result<Value> {
    Ok(match cat(f, a)?.max(cat(f, b)?) {
        Cat::Long => match (a, b) {
            (Value::Long(x), Value::Long(y)) => {
                Value::Long(x.checked_mul(*y).ok_or_else(|| overflow(f, a, b))?)
            }
            _ => Value::bigint(big(a) * big(b)),
        },
        Cat::BigInt => Value::bigint(big(a) * big(b)),
        Cat::Ratio => ratio_value(to_ratio(a) * to_ratio(b)),
        Cat::BigDec => dec(f, a)?.mul(&dec(f, b)?).value(),
        Cat::Double => Value::Double(to_f64(a) * to_f64(b)),
    })
}

/// `(- a)`.
pub(crate) fn negate(f: &str, a: &Value) -> Result<Value> {
    Ok(match a {
        Value::Long(x) => Value::Long(
            x.checked_neg()
                .ok_or_else(|| arith_err(format!("integer overflow: ({f} {x})")))?,
        ),
        Value::BigInt(b) => Value::bigint(-(**b).clone()),
        Value::Ratio(r) => Value::Ratio(Arc::new(-(**r).clone())),
        Value::BigDec(_) => dec(f, a)?.neg().value(),
        Value::Double(d) => Value::Double(-d),
        _ => return Err(not_a_number(f, a)),
    })
}

/// Clojure `zero?` on a number.
pub(crate) fn is_zero(f: &str, v: &Value) -> Result<bool> {
    Ok(match v {
        Value::Long(l) => *l == 0,
        Value::BigInt(b) => b.is_zero(),
        Value::Ratio(r) => r.is_zero(),
        Value::BigDec(d) => d.is_zero(),
        Value::Double(d) => *d == 0.0,
        _ => return Err(not_a_number(f, v)),
    })
}

/// Sign of a number: -1, 0, 1 (NaN gives 0).
pub(crate) fn signum(f: &str, v: &Value) -> Result<i8> {
    Ok(match v {
        Value::Long(l) => l.signum() as i8,
        Value::BigInt(b) => sign_of(b.is_positive(), b.is_negative()),
        Value::Ratio(r) => sign_of(r.is_positive(), r.is_negative()),
        Value::BigDec(d) => sign_of(d.is_positive(), d.is_negative()),
        Value::Double(d) => sign_of(*d > 0.0, *d < 0.0),
        _ => return Err(not_a_number(f, v)),
    })
}

fn sign_of(pos: bool, neg: bool) -> i8 {
    if pos {
        1
    } else if neg {
        -1
    } else {
        0
    }
}

fn divide_by_zero(f: &str, a: &Value, b: &Value) -> crate::error::Error {
    arith_err(format!(
        "Divide by zero: ({f} {} {})",
        pr_str1(a),
        pr_str1(b)
    ))
}

/// `(/ a b)`.
pub(crate) fn div(f: &str, a: &Value, b: &Value) -> Result<Value> {
    let c = cat(f, a)?.max(cat(f, b)?);
    if is_nan(a) {
        return Ok(a.clone());
    }
    if is_nan(b) {
        return Ok(b.clone());
    }
    if is_zero(f, b)? {
        return Err(divide_by_zero(f, a, b));
    }
    Ok(match c {
        Cat::Long => {
            let q = to_ratio(a) / to_ratio(b);
            if q.denom().is_one() {
                int_value(q.to_integer())
            } else {
                Value::Ratio(Arc::new(q))
            }
        }
        Cat::BigInt | Cat::Ratio => ratio_value(to_ratio(a) / to_ratio(b)),
        Cat::BigDec => {
            let (x, y) = (dec(f, a)?, dec(f, b)?);
            let q = x.ratio() / y.ratio();
            exact_decimal(f, &q, x.scale - y.scale)?.value()
        }
        Cat::Double => Value::Double(to_f64(a) / to_f64(b)),
    })
}

/// Truncated integral quotient as a decimal (`divideToIntegralValue`).
fn dec_quot(f: &str, x: &Dec, y: &Dec) -> Result<Dec> {
    let q = BigRational::from_integer((x.ratio() / y.ratio()).trunc().to_integer());
    exact_decimal(f, &q, x.scale - y.scale)
}

fn double_trunc_quot(f: &str, a: &Value, b: &Value) -> Result<f64> {
    let q = to_f64(a) / to_f64(b);
    if !q.is_finite() {
        return Err(arith_err(format!(
            "Infinite or NaN quotient: ({f} {} {})",
            pr_str1(a),
            pr_str1(b)
        )));
    }
    Ok(q.trunc())
}

/// `(quot a b)`: truncating division.
pub(crate) fn quot(f: &str, a: &Value, b: &Value) -> Result<Value> {
    let c = cat(f, a)?.max(cat(f, b)?);
    if is_zero(f, b)? {
        return Err(divide_by_zero(f, a, b));
    }
    Ok(match c {
        Cat::Long => match (a, b) {
            // Java long division (Long.MIN_VALUE / -1 wraps, as on the JVM).
            (Value::Long(x), Value::Long(y)) => Value::Long(x.wrapping_div(*y)),
            _ => Value::bigint(big(a) / big(b)),
        },
        Cat::BigInt => Value::bigint(big(a) / big(b)),
        Cat::Ratio => Value::bigint((to_ratio(a) / to_ratio(b)).trunc().to_integer()),
        Cat::BigDec => dec_quot(f, &dec(f, a)?, &dec(f, b)?)?.value(),
        Cat::Double => Value::Double(double_trunc_quot(f, a, b)?),
    })
}

/// `(rem a b)`: remainder with the sign of the dividend.
pub(crate) fn rem(f: &str, a: &Value, b: &Value) -> Result<Value> {
    let c = cat(f, a)?.max(cat(f, b)?);
    if is_zero(f, b)? {
        return Err(divide_by_zero(f, a, b));
    }
    Ok(match c {
        Cat::Long => match (a, b) {
            (Value::Long(x), Value::Long(y)) => Value::Long(x.wrapping_rem(*y)),
            _ => Value::bigint(big(a) % big(b)),
        },
        Cat::BigInt => Value::bigint(big(a) % big(b)),
        Cat::Ratio => {
            let (x, y) = (to_ratio(a), to_ratio(b));
            let q = (&x / &y).trunc();
            ratio_value(x - q * y)
        }
        Cat::BigDec => {
            let (x, y) = (dec(f, a)?, dec(f, b)?);
            let q = dec_quot(f, &x, &y)?;
            x.add(&q.mul(&y).neg()).value()
        }
        Cat::Double => {
            let q = double_trunc_quot(f, a, b)?;
            Value::Double(to_f64(a) - q * to_f64(b))
        }
    })
}

/// `(mod a b)`: remainder with the sign of the divisor (Clojure's definition).
pub(crate) fn modulo(f: &str, a: &Value, b: &Value) -> Result<Value> {
    let m = rem(f, a, b)?;
    if is_zero(f, &m)? || (signum(f, a)? > 0) == (signum(f, b)? > 0) {
        Ok(m)
    } else {
        add(f, &m, b)
    }
}

/// Numeric comparison as Clojure's `<`/`==` do it: doubles involved →
/// compare as doubles (`None` when a NaN is involved), else exactly.
pub(crate) fn num_cmp(f: &str, a: &Value, b: &Value) -> Result<Option<Ordering>> {
    let c = cat(f, a)?.max(cat(f, b)?);
    Ok(match (a, b) {
        (Value::Long(x), Value::Long(y)) => Some(x.cmp(y)),
        _ if c == Cat::Double => to_f64(a).partial_cmp(&to_f64(b)),
        _ if c == Cat::BigDec => Some(dec(f, a)?.ratio().cmp(&dec(f, b)?.ratio())),
        _ => Some(to_ratio(a).cmp(&to_ratio(b))),
    })
}

/// Clojure `abs` (Clojure 1.11): `Long.MIN_VALUE` stays itself, as on the JVM.
pub(crate) fn abs(f: &str, v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Long(l) => Value::Long(l.wrapping_abs()),
        Value::BigInt(b) => Value::bigint(b.abs()),
        Value::Ratio(r) => Value::Ratio(Arc::new(r.abs())),
        Value::BigDec(d) => Value::BigDec(Arc::new(d.abs())),
        Value::Double(d) => Value::Double(d.abs()),
        _ => return Err(not_a_number(f, v)),
    })
}

/// Truncates a number towards zero to an exact integer (`long`/`int` casts).
/// Non-finite doubles give `None`.
pub(crate) fn trunc_integer(v: &Value) -> Option<BigInt> {
    match v {
        Value::Long(l) => Some(BigInt::from(*l)),
        Value::BigInt(b) => Some((**b).clone()),
        Value::Double(d) if !d.is_finite() => None,
        Value::Double(d) => BigRational::from_float(d.trunc()).map(|r| r.to_integer()),
        Value::Ratio(_) | Value::BigDec(_) => Some(to_ratio(v).trunc().to_integer()),
        _ => None,
    }
}

/// Is this an integer (`Long` or `BigInt`) — Clojure `integer?`.
pub(crate) fn is_integer(v: &Value) -> bool {
    matches!(v, Value::Long(_) | Value::BigInt(_))
}
