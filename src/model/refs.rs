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

/// Implements [`Refs`] for a settings struct from a list of `field: Kind one|many`.
macro_rules! refs {
    ($ty:ty { $($field:ident : $kind:ident $arity:ident),* $(,)? }) => {
        #[allow(unused_variables, unused_mut)]
        impl $crate::model::refs::Refs for $ty {
            fn refs(&self, out: &mut Vec<$crate::model::refs::Ref>) {
                $( $crate::model::refs::refs!(@push self, out, $field, $kind, $arity); )*
            }

            fn clear_ref(&mut self, id: uuid::Uuid) -> bool {
                let mut changed = false;
                $( $crate::model::refs::refs!(@clear self, id, changed, $field, $arity); )*
                changed
            }

            fn ref_target(field: &str) -> Option<$crate::model::ObjKind> {
                match field {
                    $( stringify!($field) => Some($crate::model::ObjKind::$kind), )*
                    _ => None,
                }
            }
        }
    };
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
