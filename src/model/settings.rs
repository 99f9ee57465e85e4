//! Declaring typed settings structs with authentik's defaults in one place.

/// Declares a settings struct whose every field has authentik's default. Missing fields take the
/// default when read; unknown fields are refused, so a typo never silently changes meaning.
macro_rules! settings {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $default,)* }
            }
        }

        impl $name {
            /// Each field with the kind of form field that edits it (reference targets come
            /// from the type's references).
            pub fn field_specs() -> Vec<$crate::model::fields::FieldSpec> {
                vec![$($crate::model::fields::FieldSpec {
                    name: stringify!($field),
                    kind: <$ty as $crate::model::fields::FieldType>::kind(),
                }),*]
            }
        }
    };
}
pub(crate) use settings;
