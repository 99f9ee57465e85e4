//! The choice fields of authentik's models, spelled as authentik spells them.

/// Declares a choice enum with its wire names, its default (when authentik has one) and the list
/// of all values for pickers and error messages.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? } $(default $default:ident)?) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Every wire value, for messages such as "expected one of ...".
            pub fn choices() -> String {
                [$($wire),+].join(", ")
            }
        }

        $(
            impl Default for $name {
                fn default() -> Self {
                    $name::$default
                }
            }
        )?

        impl $crate::model::fields::FieldType for $name {
            fn kind() -> $crate::model::fields::FieldKind {
                $crate::model::fields::FieldKind::Choice($name::NAMES)
            }
        }

        impl $crate::model::fields::FieldType for Option<$name> {
            fn kind() -> $crate::model::fields::FieldKind {
                $crate::model::fields::FieldKind::OptionalChoice($name::NAMES)
            }
        }

        impl $crate::model::fields::FieldType for Vec<$name> {
            fn kind() -> $crate::model::fields::FieldKind {
                $crate::model::fields::FieldKind::MultiChoice($name::NAMES)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use choice;

choice!(
    /// `FlowDesignation`: what a flow is for. Required, no default.
    Designation {
        Authentication = "authentication",
        Authorization = "authorization",
        Invalidation = "invalidation",
        Enrollment = "enrollment",
        Unenrollment = "unenrollment",
        Recovery = "recovery",
        StageConfiguration = "stage_configuration",
    }
);

choice!(
    /// `PolicyEngineMode`: how the results of a target's bindings combine.
    EngineMode { All = "all", Any = "any" } default Any
);

choice!(
    /// `FlowLayout`.
    Layout {
        Stacked = "stacked",
        ContentLeft = "content_left",
        ContentRight = "content_right",
        SidebarLeft = "sidebar_left",
        SidebarRight = "sidebar_right",
        SidebarLeftFrameBackground = "sidebar_left_frame_background",
        SidebarRightFrameBackground = "sidebar_right_frame_background",
    } default Stacked
);

choice!(
    /// `FlowDeniedAction`: what happens when a flow does not apply.
    DeniedAction {
        MessageContinue = "message_continue",
        Message = "message",
        Continue = "continue",
    } default MessageContinue
);

choice!(
    /// `FlowAuthenticationRequirement`.
    AuthenticationRequirement {
        None = "none",
        RequireAuthenticated = "require_authenticated",
        RequireUnauthenticated = "require_unauthenticated",
        RequireSuperuser = "require_superuser",
        RequireRedirect = "require_redirect",
        RequireOutpost = "require_outpost",
    } default None
);

choice!(
    /// `InvalidResponseAction`: what a stage binding does with an invalid answer.
    InvalidResponseAction {
        Retry = "retry",
        Restart = "restart",
        RestartWithContext = "restart_with_context",
    } default Retry
);

choice!(
    /// `UserTypes`.
    UserType {
        Internal = "internal",
        External = "external",
        ServiceAccount = "service_account",
        InternalServiceAccount = "internal_service_account",
    } default Internal
);
