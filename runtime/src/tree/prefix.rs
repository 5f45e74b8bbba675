//! Order-preserving 64-bit key prefixes, kept per leaf key so that leaf
//! searches decide most comparisons on a compact `u64` array without
//! touching the datoms (or the heap data of their values).
//!
//! The rule: when both prefixes are known and differ, their order is the
//! datoms' order; equal or unknown prefixes fall back to the full
//! comparison. What a prefix covers depends on the order:
//! - EAVT orders: the entity id (the first component).
//! - AEVT / AVET orders: the second component (entity id / value); valid
//!   only between datoms with the same attribute, which the leaf search
//!   checks (a leaf whose first and last key share the search key's
//!   attribute holds only that attribute).

use crate::datom::{Datom, IndexOrder};
use crate::value::Value;

/// An unknown prefix: always fall back to the full comparison.
pub(crate) const UNKNOWN: u64 = u64::MAX;

const LOW60: u64 = (1 << 60) - 1;

/// Does a known prefix order datoms without any attribute check?
pub(crate) fn attribute_free(order: IndexOrder) -> bool {
    matches!(order, IndexOrder::Eavt | IndexOrder::TEavt)
}

/// The prefix of `d` in `order`.
pub(crate) fn prefix(order: IndexOrder, d: &Datom) -> u64 {
    match order {
        IndexOrder::Eavt | IndexOrder::TEavt | IndexOrder::Aevt | IndexOrder::TAevt => ord_i64(d.e),
        IndexOrder::Avet | IndexOrder::TAvet => value_prefix(&d.v),
    }
}

/// `i64` to `u64` preserving order.
fn ord_i64(x: i64) -> u64 {
    (x as u64) ^ (1 << 63)
}

fn tagged(rank: u8, payload: u64) -> u64 {
    ((rank as u64) << 60) | (payload & LOW60)
}

/// Numbers compare numerically across kinds; a double (rounding is
/// monotone) orders longs and doubles. Other number kinds are unknown.
fn number(d: f64) -> u64 {
    if d.is_nan() {
        return UNKNOWN;
    }
    let d = if d == 0.0 { 0.0 } else { d };
    let bits = d.to_bits();
    let o = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    tagged(2, o >> 4)
}

/// UTF-8 byte order differs from Java's UTF-16 order only for the lead
/// bytes of U+E000..U+FFFF (0xEE, 0xEF), which sort after supplementary
/// characters (leads 0xF0..0xF4) in UTF-16. Remap the leads accordingly.
fn utf16_byte(b: u8) -> u8 {
    match b {
        0xF0..=0xF4 => b - 2,
        0xEE => 0xF3,
        0xEF => 0xF4,
        _ => b,
    }
}

/// The first 7 bytes, zero padded (a shorter sequence sorts first, and a
/// zero byte ties with padding, leaving it to the full comparison).
fn bytes7(b: &[u8], map: fn(u8) -> u8) -> u64 {
    let mut x = 0u64;
    for i in 0..7 {
        x = (x << 8) | b.get(i).map_or(0, |&c| map(c)) as u64;
    }
    x
}

/// The prefix of a value, consistent with [`crate::value::cmp_index`]:
/// a 4-bit kind rank, then 60 bits of order-preserving payload.
pub(crate) fn value_prefix(v: &Value) -> u64 {
    match v {
        Value::Nil => tagged(0, 0),
        Value::Bool(b) => tagged(1, *b as u64),
        Value::Long(l) => number(*l as f64),
        Value::Double(d) => number(*d),
        Value::Char(c) => tagged(3, *c as u64),
        Value::Str(s) => tagged(4, bytes7(s.as_bytes(), utf16_byte)),
        Value::Inst(i) => tagged(7, ord_i64(*i) >> 4),
        Value::Uuid(u) => tagged(8, ord_i64(u.as_u64_pair().0 as i64) >> 4),
        Value::Bytes(b) => tagged(9, bytes7(b, |c| c)),
        _ => UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::cmp_index;
    use proptest::prelude::*;
    use std::cmp::Ordering;
    use std::sync::Arc;

    fn arb_value() -> impl Strategy<Value = Value> {
        let tricky = prop::sample::select(vec![
            '\0',
            'a',
            'b',
            'z',
            '\u{7F}',
            '\u{80}',
            '\u{7FF}',
            '\u{800}',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FF61}',
            '\u{FFFF}',
            '\u{10000}',
            '\u{1F600}',
            '\u{10FFFF}',
        ]);
        prop_oneof![
            Just(Value::Nil),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Long),
            (-3i64..3).prop_map(|x| Value::Long((1 << 53) + x)),
            (-3i64..3).prop_map(|x| Value::Double(((1i64 << 53) + x) as f64)),
            any::<f64>().prop_map(Value::Double),
            prop::sample::select(vec![0.0, -0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY])
                .prop_map(Value::Double),
            (-5i64..5).prop_map(Value::Long),
            any::<char>().prop_map(Value::Char),
            prop::collection::vec(tricky, 0..10)
                .prop_map(|cs| Value::str(&cs.into_iter().collect::<String>())),
            ".{0,10}".prop_map(|s: String| Value::str(&s)),
            any::<i64>().prop_map(Value::Inst),
            any::<u128>().prop_map(|u| Value::Uuid(uuid::Uuid::from_u128(u))),
            prop::collection::vec(0u8..3, 0..9).prop_map(|b| Value::Bytes(Arc::from(b))),
            Just(Value::kw("k")),
            Just(Value::vector(vec![])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]
        #[test]
        fn prefixes_agree_with_index_order(x in arb_value(), y in arb_value()) {
            let (px, py) = (value_prefix(&x), value_prefix(&y));
            if px != UNKNOWN && py != UNKNOWN && px != py {
                prop_assert_eq!(px.cmp(&py), cmp_index(&x, &y), "{:?} {:?}", x, y);
            }
            if cmp_index(&x, &y) == Ordering::Equal {
                prop_assert!(px == py || px == UNKNOWN || py == UNKNOWN);
            }
        }

        #[test]
        fn entity_prefixes_agree(x in any::<i64>(), y in any::<i64>()) {
            prop_assert_eq!(ord_i64(x).cmp(&ord_i64(y)), x.cmp(&y));
        }
    }
}
