use crate::{Call, NamedType, Reported};
use ferryman_wire::TypeDesc;

/// What a generated shim does: decode the arguments from the call, run the user
/// function, hand its result back to the call.
pub type Shim = fn(&mut Call<'_>) -> Result<(), Reported>;

/// One `#[ferryman::export]` function, registered with `inventory` by generated code.
#[derive(Debug)]
pub struct Export {
    /// The name hosts call it by.
    pub name: &'static str,
    /// `module::path::fn_name` of the Rust function.
    pub rust_path: &'static str,
    /// The doc comment.
    pub doc: &'static str,
    /// The parameters, in order.
    pub params: &'static [Param],
    /// The result type (`T` of `Result<T, E>`).
    pub returns: &'static TypeDesc,
    /// The result type as written.
    pub returns_rust: &'static str,
    /// `type_name` of `E`, for functions returning `Result<T, E>`.
    pub error: Option<fn() -> &'static str>,
    /// Where the function is defined.
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// Cargo package that defines it.
    pub crate_name: &'static str,
    /// Version of that package.
    pub crate_version: &'static str,
    /// The generated glue.
    pub shim: Shim,
    /// The named types of the signature, for describe's `types`.
    pub types: &'static [NamedType],
    /// What it is: a free function, or a member of an exported class.
    pub member: Member,
    /// How it answers: at once, as a future, or with a stream.
    pub flavor: Flavor,
}

/// How an [`Export`] answers: describe's `async` and `stream` marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A plain `fn`.
    Sync,
    /// An `async fn` (`spec/abi.md`, "Futures").
    Async,
    /// A function returning `impl Stream` (`spec/abi.md`, "Streams").
    Stream,
}

/// Whether an [`Export`] is a free function or a class member, and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The class, `None` for a free function.
    pub class: Option<&'static str>,
    /// Describe's `kind`: `function`, `constructor`, `static` or `method`.
    pub kind: &'static str,
}

impl Member {
    /// A free function.
    pub const FUNCTION: Member = Member {
        class: None,
        kind: "function",
    };
}

/// One parameter of an [`Export`].
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: &'static TypeDesc,
    pub rust: &'static str,
    /// The MessagePack bytes of its default, made by the macro: set for the
    /// trailing parameters a call may leave out (`nil` for an `Option`).
    pub default: Option<&'static [u8]>,
}

impl Export {
    /// How many arguments a call must send: the parameters before the
    /// trailing ones with a default.
    pub fn required_params(&self) -> usize {
        self.params
            .iter()
            .rposition(|param| param.default.is_none())
            .map_or(0, |last| last + 1)
    }
}

inventory::collect!(Export);
