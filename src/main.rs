use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use bindery::cli::{self, Cli};
use bindery::store::paths;
use bindery::text::sanitize;
use bindery::tui;
use clap::Parser;

/// Logs go to a file, never to the screen.
fn init_logging() {
    let Some(dir) = paths::log_dir() else { return };
    use std::os::unix::fs::DirBuilderExt;
    if std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .is_err()
    {
        return;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("bindery.log"));
    if let Ok(file) = file {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .try_init();
    }
}

fn run_ui(store: Option<std::path::PathBuf>) -> Result<(), String> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(
            "the terminal UI needs a terminal; for scripts use `bindery screen` or a subcommand (see --help)"
                .into(),
        );
    }
    let path = paths::store_path(store)?;
    let (keymap, theme) = tui::load_settings(paths::config_dir().as_deref(), tui::no_color())?;
    let app = tui::open_app(&path, keymap, false)?;
    tracing::info!("terminal UI on {}", sanitize(&path.display().to_string()));
    tui::terminal::run(app, theme).map_err(|e| format!("terminal: {e}"))
}

/// clap's own messages quote the arguments as given: shown escaped like every other message
/// (clap's colours are kept when there is nothing to escape).
fn parse_args() -> Cli {
    let err = match Cli::try_parse() {
        Ok(args) => return args,
        Err(err) => err,
    };
    let text = err.render().to_string();
    let safe: String = text
        .split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(line) => format!("{}\n", sanitize(line)),
            None => sanitize(line).into_owned(),
        })
        .collect();
    if safe == text {
        err.exit();
    }
    if err.use_stderr() {
        eprint!("{safe}");
    } else {
        print!("{safe}");
    }
    std::process::exit(err.exit_code());
}

fn main() -> ExitCode {
    let args = parse_args();
    init_logging();
    if args.command.is_none() && !args.version {
        return match run_ui(args.store) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("bindery: {}", sanitize(&err));
                ExitCode::FAILURE
            }
        };
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let result = cli::run_to(args, &mut stdout);
    // The rest of the output, and what is still buffered: a write that fails here (a full
    // disk) fails the command as one that failed while streaming does.
    let mut finish = |output: &cli::Output| -> std::io::Result<()> {
        eprint!("{}", output.stderr);
        stdout.write_all(output.stdout.as_bytes())?;
        stdout.flush()
    };
    let (written, code) = match result {
        Ok(output) => (finish(&output), ExitCode::SUCCESS),
        Err(cli::CliError::Findings(output) | cli::CliError::NotSaved(output)) => {
            (finish(&output), ExitCode::FAILURE)
        }
        // Only a closed pipe lets this one end well.
        Err(cli::CliError::Write(err)) => (Err(err), ExitCode::SUCCESS),
        Err(err) => {
            eprintln!("bindery: {}", sanitize(&err.to_string()));
            return ExitCode::FAILURE;
        }
    };
    match written {
        Ok(()) => code,
        // A closed pipe (`bindery list flows | head`) is not an error worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(err) => {
            eprintln!("bindery: writing the output: {err}");
            ExitCode::FAILURE
        }
    }
}
