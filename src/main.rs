use std::io::Write;
use std::process::ExitCode;

use bindery::cli::{self, Cli};
use bindery::text::sanitize;
use clap::Parser;

fn main() -> ExitCode {
    let args = Cli::parse();
    match cli::run(args) {
        Ok(output) => {
            eprint!("{}", output.stderr);
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`bindery list flows | head`) is not an error worth a message.
            let _ = stdout.write_all(output.stdout.as_bytes());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bindery: {}", sanitize(&err.to_string()));
            ExitCode::FAILURE
        }
    }
}
