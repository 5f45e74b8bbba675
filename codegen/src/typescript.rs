//! The TypeScript binding (not yet generated).

use cairn_api_spec::{Spec, Target};

use crate::{CodegenErrors, GeneratedFile, Generator, Support};

/// The TypeScript generator.
#[derive(Clone, Copy, Debug)]
pub struct TypeScript;

impl Generator for TypeScript {
    fn name(&self) -> &'static str {
        "typescript"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Typescript)
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
