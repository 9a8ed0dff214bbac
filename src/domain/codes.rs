//! Closed vocabularies (sex, channel, guardian status, ...) share one shape: a Rust enum
//! with a stable storage code. The code is what the database, the records and the import
//! files hold; the words a person reads come from `i18n` under the key `"<kind>.<code>"`.

/// What every closed vocabulary offers, so the store and the UI can treat them alike.
pub trait Code: Sized + Copy + 'static {
    const KIND: &'static str;
    fn code(&self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
    fn all() -> &'static [Self];
}

/// Declares a closed vocabulary: `ALL`, `code()`, `from_code()`, `KIND` and serde as the code.
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];
            /// The i18n key prefix: labels live at `"<KIND>.<code>"`.
            pub const KIND: &'static str = $kind;

            /// The stable code stored in the database and written in records.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $( $code => Some($name::$variant), )+ _ => None }
            }

            /// The i18n key of this value's label.
            pub fn label_key(self) -> String {
                format!("{}.{}", $kind, self.code())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::from_code(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown {} `{}`; expected one of: {}",
                        $kind,
                        s,
                        [$($code),+].join(", ")
                    ))
                })
            }
        }

        impl $crate::domain::codes::Code for $name {
            const KIND: &'static str = $kind;
            fn code(&self) -> &'static str { $name::code(*self) }
            fn from_code(code: &str) -> Option<Self> { $name::from_code(code) }
            fn all() -> &'static [Self] { $name::ALL }
        }
    };
}
