//! References from one object to another, found generically so that validation, delete cascades,
//! where-used and export all agree on what points where.

use uuid::Uuid;

use super::ObjKind;

/// One reference held by an object: the field that holds it, what it points at, and whether the
/// referring object is deleted with its referent (bindings) or merely loses the reference
/// (authentik's `SET_NULL` foreign keys and many-to-many links).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub field: &'static str,
    pub kind: ObjKind,
    pub id: Uuid,
    pub on_delete: OnDelete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDelete {
    Cascade,
    Clear,
}

/// Objects whose settings may point at other objects.
pub trait Refs {
    fn refs(&self, _out: &mut Vec<Ref>) {}

    /// Removes every clearable reference to `id`; true when something changed.
    fn clear_ref(&mut self, _id: Uuid) -> bool {
        false
    }

    /// The kind a reference field points at.
    fn ref_target(_field: &str) -> Option<super::ObjKind>
    where
        Self: Sized,
    {
        None
    }
}

/// Implements [`Refs`] for a settings struct from a list of `field: Kind one|many`, and
/// `field: Other value|values [cascade]` for a JSON field that holds pks of objects outside
/// bindery's domain as written: a UUID there names an other authentik object when the store
/// has one (else it is a pk kept for the target instance, see `check::dangling`).
macro_rules! refs {
    ($ty:ty { $($field:ident : $kind:ident $arity:ident $($cascade:ident)?),* $(,)? }) => {
        #[allow(unused_variables, unused_mut)]
        impl $crate::model::refs::Refs for $ty {
            fn refs(&self, out: &mut Vec<$crate::model::refs::Ref>) {
                $( $crate::model::refs::refs!(@push self, out, $field, $kind, $arity $($cascade)?); )*
            }

            fn clear_ref(&mut self, id: uuid::Uuid) -> bool {
                let mut changed = false;
                $( $crate::model::refs::refs!(@clear self, id, changed, $field, $arity $($cascade)?); )*
                changed
            }

            fn ref_target(field: &str) -> Option<$crate::model::ObjKind> {
                match field {
                    $( stringify!($field) if $crate::model::refs::refs!(@typed $arity) => Some($crate::model::ObjKind::$kind), )*
                    _ => None,
                }
            }
        }
    };
    (@push $self:ident, $out:ident, $field:ident, Other, value $($cascade:ident)?) => {
        if let Some(id) = $self.$field.as_ref().and_then($crate::model::refs::uuid_in) {
            $out.push($crate::model::refs::Ref {
                field: stringify!($field),
                kind: $crate::model::ObjKind::Other,
                id,
                on_delete: $crate::model::refs::refs!(@on_delete $($cascade)?),
            });
        }
    };
    (@push $self:ident, $out:ident, $field:ident, Other, values) => {
        for id in $self.$field.iter().filter_map($crate::model::refs::uuid_in) {
            $out.push($crate::model::refs::Ref {
                field: stringify!($field),
                kind: $crate::model::ObjKind::Other,
                id,
                on_delete: $crate::model::refs::OnDelete::Clear,
            });
        }
    };
    (@on_delete cascade) => { $crate::model::refs::OnDelete::Cascade };
    (@on_delete) => { $crate::model::refs::OnDelete::Clear };
    (@clear $self:ident, $id:ident, $changed:ident, $field:ident, value $($cascade:ident)?) => {
        if $self.$field.as_ref().and_then($crate::model::refs::uuid_in) == Some($id) {
            $self.$field = None;
            $changed = true;
        }
    };
    (@clear $self:ident, $id:ident, $changed:ident, $field:ident, values) => {
        let before = $self.$field.len();
        $self.$field.retain(|x| $crate::model::refs::uuid_in(x) != Some($id));
        $changed |= $self.$field.len() != before;
    };
    (@typed one) => { true };
    (@typed many) => { true };
    (@typed value) => { false };
    (@typed values) => { false };
    (@push $self:ident, $out:ident, $field:ident, $kind:ident, one) => {
        if let Some(id) = $self.$field {
            $out.push($crate::model::refs::Ref {
                field: stringify!($field),
                kind: $crate::model::ObjKind::$kind,
                id,
                on_delete: $crate::model::refs::OnDelete::Clear,
            });
        }
    };
    (@push $self:ident, $out:ident, $field:ident, $kind:ident, many) => {
        for id in &$self.$field {
            $out.push($crate::model::refs::Ref {
                field: stringify!($field),
                kind: $crate::model::ObjKind::$kind,
                id: *id,
                on_delete: $crate::model::refs::OnDelete::Clear,
            });
        }
    };
    (@clear $self:ident, $id:ident, $changed:ident, $field:ident, one) => {
        if $self.$field == Some($id) {
            $self.$field = None;
            $changed = true;
        }
    };
    (@clear $self:ident, $id:ident, $changed:ident, $field:ident, many) => {
        let before = $self.$field.len();
        $self.$field.retain(|x| *x != $id);
        $changed |= $self.$field.len() != before;
    };
}
pub(crate) use refs;

/// The UUID a JSON pk value holds, if it is one.
pub fn uuid_in(value: &serde_json::Value) -> Option<Uuid> {
    value.as_str().and_then(|s| Uuid::parse_str(s).ok())
}
