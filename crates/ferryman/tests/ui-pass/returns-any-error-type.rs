//! `Result<T, E>` for any `E: std::error::Error` — also errors that are not
//! `Send` or `Sync` — and for the boxed trait objects, which do not implement
//! `Error` themselves; through aliases too.

use ferryman::__private::{inventory, Export};
use std::error::Error;
use std::fmt;
use std::rc::Rc;

#[derive(Debug)]
pub struct Local(Rc<str>);

impl fmt::Display for Local {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Local {}

/// The usual alias: a macro sees only its name, so it must be called `Result`.
pub mod boxed {
    pub type Result<T> = ::std::result::Result<T, Box<dyn std::error::Error>>;
}

#[ferryman::export]
pub fn plain_box() -> Result<u8, Box<dyn Error>> {
    Err("plain".into())
}

#[ferryman::export]
pub fn send_box() -> Result<u8, Box<dyn Error + Send>> {
    Err(Box::new(std::io::Error::other("send")))
}

#[ferryman::export]
pub fn sync_box() -> Result<u8, Box<dyn Error + Sync>> {
    Err(Box::new(std::io::Error::other("sync")))
}

#[ferryman::export]
pub fn send_sync_box() -> Result<u8, Box<dyn Error + Send + Sync + 'static>> {
    Err("both".into())
}

#[ferryman::export]
pub fn aliased_box() -> boxed::Result<()> {
    Ok(())
}

#[ferryman::export]
pub fn not_send() -> Result<u8, Local> {
    Err(Local("rc".into()))
}

#[ferryman::export]
pub fn boxed_concrete() -> Result<u8, Box<Local>> {
    Err(Box::new(Local("boxed".into())))
}

#[ferryman::export]
pub fn io() -> std::io::Result<String> {
    std::fs::read_to_string("/")
}

#[ferryman::export]
pub fn fmt_error() -> Result<(), fmt::Error> {
    Err(fmt::Error)
}

fn error_type(name: &str) -> &'static str {
    let export = inventory::iter::<Export>
        .into_iter()
        .find(|export| export.name == name)
        .unwrap_or_else(|| panic!("`{name}` was not registered"));
    (export.error.expect("returns a Result"))()
}

fn main() {
    assert!(error_type("plain_box").starts_with("alloc::boxed::Box<dyn "));
    assert!(error_type("send_box").ends_with("Send>"));
    assert!(error_type("sync_box").ends_with("Sync>"));
    assert!(error_type("send_sync_box").ends_with("Send + core::marker::Sync>"));
    assert_eq!(error_type("aliased_box"), error_type("plain_box"));
    assert!(error_type("not_send").ends_with("::Local"));
    assert_eq!(error_type("io"), "std::io::error::Error");
    assert_eq!(error_type("fmt_error"), "core::fmt::Error");
}
