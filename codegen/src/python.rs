//! The Python binding (not yet generated).

use cairn_api_spec::{Spec, Target};

use crate::{CodegenErrors, GeneratedFile, Generator, Support};

/// The Python generator.
#[derive(Clone, Copy, Debug)]
pub struct Python;

impl Generator for Python {
    fn name(&self) -> &'static str {
        "python"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Python)
    }
    fn support(&self) -> Support {
        Support {
            type_kinds: &["scalar", "map", "vector", "enum", "variant", "handle"],
            json_scalars: &[
                "boolean", "integer", "number", "string", "keyword", "instant", "uuid", "nil",
                "any",
            ],
            optional_args: true,
        }
    }
    fn generate(&self, _spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors> {
        Ok(Vec::new())
    }
}
