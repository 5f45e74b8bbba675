use super::*;
use crate::value::Value;

#[test]
fn smoke() {
    assert_eq!(read("1").unwrap(), Value::Long(1));
}
