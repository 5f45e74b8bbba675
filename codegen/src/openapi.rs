//! `generated/openapi.json`: the HTTP API that `cairn serve` implements
//! (and serves at `/openapi.json`), from [`cairn_api_spec::Spec::openapi`].

use cairn_api_spec::{Spec, Target};

use crate::{CodegenErrors, GeneratedFile, Generator, Support};

/// The OpenAPI document generator.
#[derive(Clone, Copy, Debug)]
pub struct OpenApi;

impl Generator for OpenApi {
    fn name(&self) -> &'static str {
        "openapi"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Http)
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
