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
    fn generate(&self, spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors> {
        // JSON has no comments: the provenance (generator, spec hash,
        // regenerate command) is in `info` (`x-generated-by`, `x-spec-hash`).
        let text = serde_json::to_string_pretty(&spec.openapi()).map_err(|e| {
            CodegenErrors(vec![crate::CodegenError {
                generator: "openapi",
                op: None,
                message: e.to_string(),
            }])
        })?;
        Ok(vec![GeneratedFile::new("openapi.json", text + "\n")])
    }
}
