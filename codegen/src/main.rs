//! `cairn-codegen generate [--out DIR]` writes every generated file;
//! `cairn-codegen check [--out DIR]` lists every stale, missing or extra
//! file and fails if there is any.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "cairn-codegen",
    about = "Generate Cairn's bindings from api-spec/api.edn"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write every generated file under the output directory.
    Generate {
        /// Output directory (default: the repository's generated/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Fail, listing each file, if the output directory differs from what
    /// the spec produces.
    Check {
        /// Directory to check (default: the repository's generated/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let spec = match cairn_api_spec::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: api-spec/api.edn is invalid:\n{e}");
            return ExitCode::from(2);
        }
    };
    let files = match cairn_codegen::generate(&spec) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: the spec cannot be generated:\n{e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Generate { out } => {
            let out = out.unwrap_or_else(cairn_codegen::default_out_dir);
            match cairn_codegen::write(&out, &files) {
                Ok(written) => {
                    println!("wrote {} files under {}", written.len(), out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: writing {}: {e}", out.display());
                    ExitCode::from(2)
                }
            }
        }
        Command::Check { out } => {
            let out = out.unwrap_or_else(cairn_codegen::default_out_dir);
            match cairn_codegen::stale(&out, &files) {
                Ok(s) if s.is_clean() => {
                    println!("generated/ is up to date ({} files)", files.len());
                    ExitCode::SUCCESS
                }
                Ok(s) => {
                    eprint!("{s}");
                    eprintln!(
                        "error: generated/ differs from the spec; run `{}`",
                        cairn_codegen::REGENERATE
                    );
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: reading {}: {e}", out.display());
                    ExitCode::from(2)
                }
            }
        }
    }
}
