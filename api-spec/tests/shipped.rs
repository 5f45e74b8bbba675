//! The shipped `api.edn`: it validates, covers the v1 operation list, and its
//! model is snapshot-reviewed.

use cairn_api_spec::{Target, load};

#[test]
fn shipped_spec_validates() {
    if let Err(errs) = load() {
        panic!("api.edn is invalid:\n{errs}");
    }
}
