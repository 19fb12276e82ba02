//! The describe map (`spec/wire.md`, "Describe") as Rust values.

use crate::handshake::Identity;
use crate::keyed::{keep, opt_string, opt_uint, read_map, string, uint};
use crate::named_type::NamedType;
use crate::shape_error::{Context, ShapeError};
use crate::type_desc::Type;
use crate::value::Value;
use ferryman_wire::reader::Reader;

/// What `ferryman_describe` returns: the library's identity, its functions
/// and the named types they use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Describe {
    /// The keys describe shares with the handshake.
    pub identity: Identity,
    /// Every exported function, sorted by name; `id` is the index.
    pub functions: Vec<Function>,
    /// `types`: each user struct and enum the functions refer to, once
    /// (empty when the library predates it).
    pub types: Vec<NamedType>,
    /// `classes`: the exported classes, sorted by name; `id` is the index
    /// (empty when the library predates objects).
    pub classes: Vec<Class>,
    /// Keys this crate does not know, kept as they came.
    pub extra: Vec<(String, Value)>,
}

/// One exported function.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Function {
    /// The function id, for `ferryman_call`.
    pub id: u32,
    /// The name hosts call it by.
    pub name: String,
    /// Its doc comment (`""` when none; `None` when the key is missing or nil).
    pub doc: Option<String>,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// Its result type (`T` of `Result<T, E>`).
    pub returns: Typed,
    /// Its error type, for a function returning `Result<T, E>`.
    pub error: Option<ErrorType>,
    /// Where it is defined, as rustc's `file!()` names it.
    pub file: Option<String>,
    /// The line of its name.
    pub line: Option<u32>,
    /// The class it belongs to (`Tokenizer` for `Tokenizer.tokenize`), or
    /// `None` for a free function.
    pub class: Option<String>,
    /// What it is to its class.
    pub kind: FunctionKind,
}

/// What an entry of `functions` is (its `kind` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FunctionKind {
    /// A free function (also when the library predates the key).
    #[default]
    Function,
    /// `new` of a class: returns a new object.
    Constructor,
    /// An associated function without a receiver.
    Static,
    /// Takes `&self` or `&mut self` as its first parameter, `self`.
    Method,
    /// A kind this crate does not know (a newer library): call it as a function.
    Unknown,
}

impl FunctionKind {
    fn parse(text: &str) -> FunctionKind {
        match text {
            "function" => FunctionKind::Function,
            "constructor" => FunctionKind::Constructor,
            "static" => FunctionKind::Static,
            "method" => FunctionKind::Method,
            _ => FunctionKind::Unknown,
        }
    }
}

/// One exported class (an entry of describe's `classes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Class {
    /// Its class id, as extension 5 carries it.
    pub id: u32,
    /// The name hosts show (`Tokenizer`).
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// The Rust path of the type.
    pub rust: Option<String>,
    /// Where it is defined.
    pub file: Option<String>,
    /// The line of its name.
    pub line: Option<u32>,
    /// The function id of its constructor (`Tokenizer.new`).
    pub constructor: Option<u32>,
    /// The function ids of its methods (protocol dunders included).
    pub methods: Vec<u32>,
    /// The function ids of its static methods.
    pub statics: Vec<u32>,
    /// The protocols it opted in to (`display`, `debug`, `eq`, `hash`, `ord`, `iter`).
    pub protocols: Vec<String>,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type descriptor.
    pub ty: Type,
    /// The Rust type as written (for people; not unique).
    pub rust: Option<String>,
    /// What a call that leaves it out gets (`spec/wire.md`, "Defaults");
    /// `None` for a required parameter, `Some(Value::Nil)` for an `Option`'s.
    pub default: Option<Value>,
}

/// A type as a descriptor and as written in Rust.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    /// The type descriptor.
    pub ty: Type,
    /// The Rust type as written.
    pub rust: Option<String>,
}

impl Default for Typed {
    fn default() -> Typed {
        Typed {
            ty: Type::Unit,
            rust: None,
        }
    }
}

/// The error type of a function returning `Result<T, E>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorType {
    /// The short name, as an error value's `type`.
    pub name: String,
    /// The full Rust type, as an error value's `rust_type`.
    pub rust: Option<String>,
    /// The type's base category (`spec/wire.md`, "Error bases").
    pub base: Option<String>,
    /// An enum error type's variants, when the library names them.
    pub variants: Option<Vec<String>>,
    /// `{"named": …}` of the type's entry in `types`, when describe knows
    /// its shape.
    pub ty: Option<Type>,
}

impl Describe {
    /// Decodes `bytes`, which must hold exactly the describe map.
    pub fn decode(bytes: &[u8]) -> Result<Describe, ShapeError> {
        let mut reader = Reader::new(bytes);
        let mut describe = Describe::default();
        let context = || "describe".to_owned();
        read_map(&mut reader, 1, &context, |key, r| {
            if describe.identity.read_key(key, r, &context)? {
                return Ok(());
            }
            let at = || format!("describe key `{key}`");
            match key {
                "functions" => {
                    r.check_level(2).context(at)?;
                    let len = r.array_len().context(at)?;
                    describe.functions = Vec::with_capacity(len.min(r.rest().len()));
                    for index in 0..len {
                        describe.functions.push(Function::read(r, index)?);
                    }
                }
                "types" => {
                    if r.try_nil() {
                        return Ok(());
                    }
                    r.check_level(2).context(at)?;
                    let len = r.array_len().context(at)?;
                    describe.types = Vec::with_capacity(len.min(r.rest().len()));
                    for index in 0..len {
                        describe.types.push(NamedType::read(r, 3, index)?);
                    }
                }
                "classes" => {
                    if r.try_nil() {
                        return Ok(());
                    }
                    r.check_level(2).context(at)?;
                    let len = r.array_len().context(at)?;
                    describe.classes = Vec::with_capacity(len.min(r.rest().len()));
                    for index in 0..len {
                        describe.classes.push(Class::read(r, index)?);
                    }
                }
                _ => keep(r, 2, key, &mut describe.extra, at)?,
            }
            Ok(())
        })?;
        reader.finish().context(context)?;
        Ok(describe)
    }

    /// The class called `name`.
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// The function called `name` (the first, if a broken library has two).
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The entry of `types` called `name`.
    pub fn named_type(&self, name: &str) -> Option<&NamedType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// Names given to more than one function (a library a host SHOULD
    /// refuse), each with the functions that have it.
    pub fn duplicate_names(&self) -> Vec<(&str, Vec<&Function>)> {
        let mut duplicates: Vec<(&str, Vec<&Function>)> = Vec::new();
        for (index, function) in self.functions.iter().enumerate() {
            let earlier = self.functions[..index]
                .iter()
                .any(|f| f.name == function.name);
            if earlier {
                continue;
            }
            let same: Vec<&Function> = self
                .functions
                .iter()
                .filter(|f| f.name == function.name)
                .collect();
            if same.len() > 1 {
                duplicates.push((&function.name, same));
            }
        }
        duplicates
    }
}

impl Function {
    /// Reads function `index` of `functions` at the cursor (level 3).
    fn read(reader: &mut Reader<'_>, index: usize) -> Result<Function, ShapeError> {
        let mut function = Function {
            id: u32::try_from(index).unwrap_or(u32::MAX),
            ..Function::default()
        };
        let mut named = false;
        let context = || format!("describe function {index}");
        read_map(reader, 3, &context, |key, r| {
            let at = || format!("describe function {index} key `{key}`");
            match key {
                "id" => function.id = opt_uint(r, at)?.unwrap_or(function.id),
                "name" => {
                    function.name = string(r, at)?;
                    named = true;
                }
                "doc" => function.doc = opt_string(r, at)?,
                "params" => {
                    r.check_level(4).context(at)?;
                    let len = r.array_len().context(at)?;
                    for position in 0..len {
                        function.params.push(param(r, index, position)?);
                    }
                }
                "returns" => function.returns = typed(r, 4, &at)?,
                "error" => {
                    function.error = match r.try_nil() {
                        true => None,
                        false => Some(error_type(r, &at)?),
                    }
                }
                "file" => function.file = opt_string(r, at)?,
                "line" => function.line = opt_uint(r, at)?,
                "class" => function.class = opt_string(r, at)?,
                "kind" => function.kind = FunctionKind::parse(&string(r, at)?),
                _ => r.skip_at(4).context(at)?,
            }
            Ok(())
        })?;
        if !named {
            return Err(ShapeError::Missing {
                context: context(),
                key: "name",
            });
        }
        Ok(function)
    }
}

impl Class {
    /// Reads class `index` of `classes` at the cursor (level 3).
    fn read(reader: &mut Reader<'_>, index: usize) -> Result<Class, ShapeError> {
        let mut class = Class {
            id: u32::try_from(index).unwrap_or(u32::MAX),
            ..Class::default()
        };
        let context = || format!("describe class {index}");
        let ids = |r: &mut Reader<'_>, at: &dyn Fn() -> String| -> Result<Vec<u32>, ShapeError> {
            r.check_level(4).context(at)?;
            let len = r.array_len().context(at)?;
            (0..len).map(|_| uint(r, at)).collect()
        };
        read_map(reader, 3, &context, |key, r| {
            let at = || format!("describe class {index} key `{key}`");
            match key {
                "id" => class.id = opt_uint(r, at)?.unwrap_or(class.id),
                "name" => class.name = string(r, at)?,
                "doc" => class.doc = opt_string(r, at)?,
                "rust" => class.rust = opt_string(r, at)?,
                "file" => class.file = opt_string(r, at)?,
                "line" => class.line = opt_uint(r, at)?,
                "constructor" => class.constructor = opt_uint(r, at)?,
                "methods" => class.methods = ids(r, &at)?,
                "statics" => class.statics = ids(r, &at)?,
                "protocols" => {
                    r.check_level(4).context(at)?;
                    let len = r.array_len().context(at)?;
                    for _ in 0..len {
                        class.protocols.push(string(r, at)?);
                    }
                }
                _ => r.skip_at(4).context(at)?,
            }
            Ok(())
        })?;
        if class.name.is_empty() {
            return Err(ShapeError::Missing {
                context: context(),
                key: "name",
            });
        }
        Ok(class)
    }
}

fn param(reader: &mut Reader<'_>, function: usize, position: usize) -> Result<Param, ShapeError> {
    let context = || format!("describe function {function} param {position}");
    let mut param = Param {
        name: format!("arg{position}"),
        ty: Type::Unknown(Value::Nil),
        rust: None,
        default: None,
    };
    read_map(reader, 5, &context, |key, r| {
        let at = || format!("{} key `{key}`", context());
        match key {
            "name" => param.name = string(r, at)?,
            "type" => param.ty = Type::read(r, 6, &at)?,
            "rust" => param.rust = opt_string(r, at)?,
            "default" => param.default = Some(Value::read(r, 6).context(at)?),
            _ => r.skip_at(6).context(at)?,
        }
        Ok(())
    })?;
    Ok(param)
}

fn typed(
    reader: &mut Reader<'_>,
    level: usize,
    context: &dyn Fn() -> String,
) -> Result<Typed, ShapeError> {
    let mut typed = Typed::default();
    read_map(reader, level, context, |key, r| {
        let at = || format!("{} key `{key}`", context());
        match key {
            "type" => typed.ty = Type::read(r, level + 1, &at)?,
            "rust" => typed.rust = opt_string(r, at)?,
            _ => r.skip_at(level + 1).context(at)?,
        }
        Ok(())
    })?;
    Ok(typed)
}

fn error_type(
    reader: &mut Reader<'_>,
    context: &dyn Fn() -> String,
) -> Result<ErrorType, ShapeError> {
    let mut error = ErrorType {
        name: String::new(),
        rust: None,
        base: None,
        variants: None,
        ty: None,
    };
    read_map(reader, 4, context, |key, r| {
        let at = || format!("{} key `{key}`", context());
        match key {
            "name" => error.name = string(r, at)?,
            "rust" => error.rust = opt_string(r, at)?,
            "base" => error.base = opt_string(r, at)?,
            "variants" => {
                error.variants = match r.try_nil() {
                    true => None,
                    false => {
                        r.check_level(5).context(at)?;
                        let len = r.array_len().context(at)?;
                        let mut variants = Vec::with_capacity(len.min(256));
                        for _ in 0..len {
                            variants.push(string(r, at)?);
                        }
                        Some(variants)
                    }
                }
            }
            "type" => {
                error.ty = match r.try_nil() {
                    true => None,
                    false => Some(Type::read(r, 5, &at)?),
                }
            }
            _ => r.skip_at(5).context(at)?,
        }
        Ok(())
    })?;
    Ok(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named_type::{Field, Shape, Variant};

    /// Just enough of a MessagePack writer for the spec's examples.
    enum M {
        S(&'static str),
        I(u8),
        B(bool),
        Nil,
        A(Vec<M>),
        Map(Vec<(&'static str, M)>),
    }

    fn write(m: &M, out: &mut Vec<u8>) {
        match m {
            M::S(s) => {
                out.push(0xa0 | s.len() as u8);
                out.extend_from_slice(s.as_bytes());
            }
            M::I(n) => out.push(*n),
            M::B(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
            M::Nil => out.push(0xc0),
            M::A(items) => {
                out.push(0x90 | items.len() as u8);
                items.iter().for_each(|i| write(i, out));
            }
            M::Map(entries) => {
                out.push(0x80 | entries.len() as u8);
                for (k, v) in entries {
                    write(&M::S(k), out);
                    write(v, out);
                }
            }
        }
    }

    fn field(name: &'static str, ty: M, optional: bool) -> M {
        M::Map(vec![
            ("name", M::S(name)),
            ("type", ty),
            ("optional", M::B(optional)),
        ])
    }

    #[test]
    fn functions_and_named_types_as_the_spec_writes_them() {
        let named = |n| M::Map(vec![("named", M::S(n))]);
        let describe = M::Map(vec![
            ("abi", M::I(1)),
            ("wire", M::I(1)),
            (
                "functions",
                M::A(vec![M::Map(vec![
                    ("id", M::I(0)),
                    ("name", M::S("area")),
                    ("doc", M::S("")),
                    (
                        "params",
                        M::A(vec![M::Map(vec![
                            ("name", M::S("shape")),
                            ("type", named("Shape")),
                            ("rust", M::S("Shape")),
                        ])]),
                    ),
                    (
                        "returns",
                        M::Map(vec![("type", M::S("f64")), ("rust", M::S("f64"))]),
                    ),
                    ("error", M::Nil),
                    ("file", M::S("src/lib.rs")),
                    ("line", M::I(5)),
                ])]),
            ),
            (
                "types",
                M::A(vec![
                    M::Map(vec![
                        ("name", M::S("Point")),
                        ("doc", M::Nil),
                        ("kind", M::S("struct")),
                        (
                            "fields",
                            M::A(vec![
                                field("x", M::S("f64"), false),
                                field("label", M::Map(vec![("option", M::S("str"))]), true),
                            ]),
                        ),
                    ]),
                    M::Map(vec![
                        ("name", M::S("Shape")),
                        ("doc", M::Nil),
                        ("kind", M::S("enum")),
                        (
                            "variants",
                            M::A(vec![
                                M::Map(vec![("name", M::S("Empty")), ("kind", M::S("unit"))]),
                                M::Map(vec![
                                    ("name", M::S("Square")),
                                    ("kind", M::S("newtype")),
                                    ("type", M::S("f64")),
                                ]),
                                M::Map(vec![
                                    ("name", M::S("Pair")),
                                    ("kind", M::S("tuple")),
                                    ("items", M::A(vec![M::S("i8"), M::S("u8")])),
                                ]),
                                M::Map(vec![
                                    ("name", M::S("Circle")),
                                    ("kind", M::S("struct")),
                                    ("fields", M::A(vec![field("center", named("Point"), false)])),
                                ]),
                            ]),
                        ),
                    ]),
                    M::Map(vec![
                        ("name", M::S("Meters")),
                        ("kind", M::S("newtype_struct")),
                        ("type", M::S("f64")),
                    ]),
                ]),
            ),
            ("future", M::B(true)),
        ]);
        let mut bytes = Vec::new();
        write(&describe, &mut bytes);
        let describe = Describe::decode(&bytes).unwrap();
        let area = describe.function("area").unwrap();
        assert_eq!(area.params[0].ty, Type::Named("Shape".into()));
        assert_eq!(
            (area.returns.ty.clone(), area.error.clone()),
            (Type::F64, None)
        );
        assert_eq!(
            describe.named_type("Point").unwrap().shape,
            Shape::Struct(vec![
                Field {
                    name: "x".into(),
                    ty: Type::F64,
                    optional: false
                },
                Field {
                    name: "label".into(),
                    ty: Type::Option(Box::new(Type::Str)),
                    optional: true
                },
            ])
        );
        let Shape::Enum(variants) = &describe.named_type("Shape").unwrap().shape else {
            panic!("an enum")
        };
        assert_eq!(
            variants[..3],
            [
                Variant {
                    name: "Empty".into(),
                    shape: Shape::Unit
                },
                Variant {
                    name: "Square".into(),
                    shape: Shape::Newtype(Type::F64)
                },
                Variant {
                    name: "Pair".into(),
                    shape: Shape::Tuple(vec![Type::I8, Type::U8])
                },
            ]
        );
        assert!(
            matches!(&variants[3].shape, Shape::Struct(fields) if fields[0].ty == Type::Named("Point".into()))
        );
        assert_eq!(
            describe.named_type("Meters").unwrap().shape,
            Shape::Newtype(Type::F64)
        );
        assert_eq!(
            describe.extra,
            vec![("future".to_owned(), Value::Bool(true))]
        );
    }

    #[test]
    fn classes_and_members() {
        let describe = M::Map(vec![
            (
                "functions",
                M::A(vec![
                    M::Map(vec![
                        ("name", M::S("Counter.add")),
                        ("class", M::S("Counter")),
                        ("kind", M::S("method")),
                    ]),
                    M::Map(vec![
                        ("name", M::S("Counter.new")),
                        ("class", M::S("Counter")),
                        ("kind", M::S("constructor")),
                    ]),
                    M::Map(vec![
                        ("name", M::S("free")),
                        ("class", M::Nil),
                        ("kind", M::S("function")),
                    ]),
                ]),
            ),
            (
                "classes",
                M::A(vec![M::Map(vec![
                    ("id", M::I(0)),
                    ("name", M::S("Counter")),
                    ("doc", M::S("A counter.")),
                    ("constructor", M::I(1)),
                    ("methods", M::A(vec![M::I(0)])),
                    ("statics", M::A(vec![])),
                    ("protocols", M::A(vec![M::S("display")])),
                ])]),
            ),
        ]);
        let mut bytes = Vec::new();
        write(&describe, &mut bytes);
        let describe = Describe::decode(&bytes).unwrap();
        let add = describe.function("Counter.add").unwrap();
        assert_eq!(
            (add.class.as_deref(), add.kind),
            (Some("Counter"), FunctionKind::Method)
        );
        assert_eq!(describe.function("free").unwrap().class, None);
        let counter = describe.class("Counter").unwrap();
        assert_eq!(
            (
                counter.constructor,
                &counter.methods[..],
                &counter.protocols[..]
            ),
            (Some(1), &[0][..], &["display".to_owned()][..])
        );
    }

    #[test]
    fn a_function_without_a_name_is_refused() {
        let mut bytes = Vec::new();
        write(
            &M::Map(vec![(
                "functions",
                M::A(vec![M::Map(vec![("id", M::I(0))])]),
            )]),
            &mut bytes,
        );
        assert_eq!(
            Describe::decode(&bytes).unwrap_err().to_string(),
            "describe function 0 has no `name`"
        );
    }
}
