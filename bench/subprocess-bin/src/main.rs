//! The benchmark functions as a program a Python user shells out to: one
//! process per call, the way `subprocess.run` is used in practice.
//!
//! `bench-subprocess FUNCTION` reads the arguments on stdin and writes the
//! result on stdout:
//!
//! - `echo`: raw bytes in, the same raw bytes out (no encoding for bulk data);
//! - everything else: a JSON array of the arguments in, the JSON result out
//!   (`add` reads `[1, 2]` and writes `3`).
//!
//! A failure is exit status 1 with the message on stderr (`fail` always fails).

use std::io::{self, Read, Write};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

/// The record that `bump` takes and returns.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    name: String,
    id: i64,
    score: f64,
    tags: Vec<i64>,
}

fn add((a, b): (i64, i64)) -> i64 {
    a.wrapping_add(b)
}

fn sum((values,): (Vec<i64>,)) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

fn bump((mut record,): (Record,)) -> Record {
    record.name.push('!');
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    record
}

fn fail((code,): (i64,)) -> Result<i64, String> {
    Err(format!("failed with code {code}"))
}

/// Decodes the JSON arguments, runs `f` and encodes its result.
fn json<A, R, F>(input: &[u8], f: F) -> Result<Vec<u8>, String>
where
    A: for<'de> Deserialize<'de>,
    R: Serialize,
    F: FnOnce(A) -> Result<R, String>,
{
    let args = serde_json::from_slice(input).map_err(|e| format!("bad arguments: {e}"))?;
    let result = f(args)?;
    serde_json::to_vec(&result).map_err(|e| format!("cannot encode the result: {e}"))
}

fn run(function: &str, input: Vec<u8>) -> Result<Vec<u8>, String> {
    match function {
        "echo" => Ok(input),
        "add" => json(&input, |args| Ok(add(args))),
        "sum" => json(&input, |args| Ok(sum(args))),
        "bump" => json(&input, |args| Ok(bump(args))),
        "fail" => json(&input, fail),
        other => Err(format!("no function named `{other}`")),
    }
}

fn main() -> ExitCode {
    let Some(function) = std::env::args().nth(1) else {
        eprintln!("usage: bench-subprocess FUNCTION < arguments");
        return ExitCode::from(2);
    };
    let mut input = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut input) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    match run(&function, input) {
        Ok(output) => match io::stdout().lock().write_all(&output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cannot write stdout: {e}");
                ExitCode::from(2)
            }
        },
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
