//! `generated/c/cairn.h`: the C ABI of the `cairn-ffi` cdylib — the four
//! entry points, the ABI version and spec hash it must report, and one
//! documented constant per operation `cairn_call` dispatches.

use askama::Template;
use cairn_api_spec::{Spec, Target};

use crate::{CodegenError, CodegenErrors, GeneratedFile, Generator, Support};

/// The C header generator.
#[derive(Clone, Copy, Debug)]
pub struct CHeader;

/// One operation as the header documents it.
#[derive(Debug)]
struct COp {
    /// `CAIRN_OP_PULL_MANY`.
    constant: String,
    /// `pull-many`.
    name: String,
    /// Doc comment lines.
    doc: Vec<String>,
}

#[derive(Template)]
#[template(path = "c/cairn.h", escape = "none")]
struct HeaderTemplate {
    header: String,
    abi_version: u32,
    spec_hash: String,
    ops: Vec<COp>,
}

impl Generator for CHeader {
    fn name(&self) -> &'static str {
        "c"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::C)
    }
    fn support(&self) -> Support {
        // Everything crosses as JSON text, so every type is expressible.
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
        let ops = crate::ops_of(spec, self.target())
            .into_iter()
            .map(|op| {
                let mut doc = crate::wrap(&op.doc, 72);
                doc.push(String::new());
                for a in &op.args {
                    let line = format!(
                        "{}{} ({}): {}",
                        a.name,
                        if a.optional { "?" } else { "" },
                        crate::spec_type(&a.ty),
                        a.doc
                    );
                    let mut wrapped = crate::wrap(&line, 70).into_iter();
                    if let Some(first) = wrapped.next() {
                        doc.push(format!("  {first}"));
                    }
                    doc.extend(wrapped.map(|l| format!("    {l}")));
                }
                doc.push(format!("Returns {}.", crate::spec_type(&op.ret)));
                COp {
                    constant: format!(
                        "CAIRN_OP_{}",
                        cairn_api_spec::naming::snake(&op.name).to_uppercase()
                    ),
                    name: op.name.clone(),
                    doc,
                }
            })
            .collect();
        let t = HeaderTemplate {
            header: crate::header("//", self.name(), spec),
            abi_version: cairn_api_spec::ABI_VERSION,
            spec_hash: spec.hash(),
            ops,
        };
        let text = t.render().map_err(|e| {
            CodegenErrors(vec![CodegenError {
                generator: "c",
                op: None,
                message: format!("template failed: {e}"),
            }])
        })?;
        Ok(vec![GeneratedFile::new("c/cairn.h", text)])
    }
}
