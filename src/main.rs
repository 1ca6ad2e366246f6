//! The `paperboy` command line: parses arguments, loads the configuration and hands off to `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
