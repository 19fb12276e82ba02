//! Why a shared object could not be used as a ferryman library, in words a
//! user can act on (the messages every host gives).

use std::fmt;

use crate::reply::BoxError;
use crate::shape_error::ShapeError;
use crate::status::Status;

/// Who is loading: named in messages ("this ferryman Python package (0.1.0)
/// speaks ABI version 1"), so that the advice names what to upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostName {
    /// What the user installed: `"ferryman Python package"`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

impl HostName {
    /// This crate, used by a Rust program directly.
    pub const RUST: HostName = HostName {
        name: "ferryman-host crate",
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// A library that could not be loaded: its path, who tried, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The path as given, for messages.
    pub path: String,
    /// The host that tried to load it.
    pub host: HostName,
    /// What went wrong.
    pub kind: LoadErrorKind,
}

/// What went wrong while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The dynamic loader refused the file; its message.
    Open(String),
    /// The file loaded but does not export `ferryman_abi_version`.
    NotFerryman,
    /// The library speaks another ABI version.
    AbiMismatch(u32),
    /// The library exports `ferryman_abi_version` but not this symbol.
    MissingSymbol {
        /// The symbol.
        symbol: &'static str,
        /// The loader's message.
        reason: String,
    },
    /// The handshake's `wire` is not the version this crate speaks (`None`:
    /// it has none).
    WireMismatch(Option<u32>),
    /// `ferryman_handshake` failed or returned something unreadable.
    Handshake(Box<EntryError>),
}

impl std::error::Error for LoadError {}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LoadError { path, host, kind } = self;
        let HostName { name, version } = host;
        let ours = ferryman_abi::ABI_VERSION;
        match kind {
            LoadErrorKind::Open(reason) => write!(f, "cannot load {path}: {reason}"),
            LoadErrorKind::NotFerryman => write!(
                f,
                "{path} is not a ferryman library: it does not export `ferryman_abi_version`; \
                 build a crate with `#[ferryman::export]` functions as a cdylib"
            ),
            LoadErrorKind::AbiMismatch(theirs) => {
                write!(
                    f,
                    "{path} speaks ferryman ABI version {theirs}, but this {name} ({version}) \
                     speaks ABI version {ours}: "
                )?;
                if theirs > &ours {
                    write!(
                        f,
                        "upgrade the {name} to one that speaks ABI version {theirs}, or rebuild \
                         the library against a ferryman release with ABI version {ours}"
                    )
                } else {
                    write!(
                        f,
                        "rebuild the library against a ferryman release with ABI version {ours}, \
                         or use a {name} that speaks ABI version {theirs}"
                    )
                }
            }
            LoadErrorKind::MissingSymbol { symbol, reason } => write!(
                f,
                "{path} is a broken ferryman library: it exports `ferryman_abi_version` but not \
                 `{symbol}` ({reason})"
            ),
            LoadErrorKind::WireMismatch(wire) => {
                let wire = wire.map_or_else(|| "no".to_owned(), |wire| wire.to_string());
                write!(
                    f,
                    "{path} speaks ferryman wire version {wire}, but this {name} ({version}) \
                     speaks wire version {}: rebuild the library against a ferryman release \
                     with the same wire version, or install a {name} that speaks it",
                    ferryman_abi::WIRE_VERSION
                )
            }
            LoadErrorKind::Handshake(error) => write!(f, "{path}: {error}"),
        }
    }
}

/// Why an entry point that writes a map (`ferryman_handshake`,
/// `ferryman_describe`, `ferryman_live_closures`) gave nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// A status other than 0.
    #[error("{entry} returned status {code}")]
    Status {
        /// The entry point.
        entry: &'static str,
        /// Its status code.
        code: i32,
    },
    /// An output box that cannot be read.
    #[error("{entry}: {problem}")]
    Box {
        /// The entry point.
        entry: &'static str,
        /// What is wrong with the box.
        problem: BoxError,
    },
    /// Bytes that are not the map the spec describes.
    #[error("{entry} returned bytes that do not decode: {error}")]
    Shape {
        /// The entry point.
        entry: &'static str,
        /// What is wrong with them.
        error: ShapeError,
    },
}

impl EntryError {
    /// The status of a failed entry point, when it is a known one.
    pub fn status(&self) -> Option<Status> {
        match self {
            EntryError::Status { code, .. } => Status::from_code(*code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: LoadErrorKind) -> String {
        let host = HostName {
            name: "ferryman Python package",
            version: "0.1.0",
        };
        LoadError {
            path: "/x/libf.so".into(),
            host,
            kind,
        }
        .to_string()
    }

    #[test]
    fn the_messages_the_python_host_gives() {
        assert_eq!(
            message(LoadErrorKind::NotFerryman),
            "/x/libf.so is not a ferryman library: it does not export `ferryman_abi_version`; \
             build a crate with `#[ferryman::export]` functions as a cdylib"
        );
        let newer = message(LoadErrorKind::AbiMismatch(999));
        assert!(newer.contains("ABI version 999"), "{newer}");
        assert!(newer.contains("speaks ABI version 1"), "{newer}");
        assert!(
            newer.contains("upgrade the ferryman Python package"),
            "{newer}"
        );
        let older = message(LoadErrorKind::AbiMismatch(0));
        assert!(older.contains("rebuild the library against a ferryman release with ABI version 1"));
        let wire = message(LoadErrorKind::WireMismatch(None));
        assert!(
            wire.starts_with(
                "/x/libf.so speaks ferryman wire version no, but this ferryman \
                                  Python package (0.1.0) speaks wire version 1"
            ),
            "{wire}"
        );
    }
}
