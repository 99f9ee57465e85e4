//! Typed objects whose type is an authentik model name: stages and policies. Each known model has
//! its own settings struct; a model bindery does not know is kept whole as raw attributes.
//!
//! On disk such an object is `{"id", "name", ..., "model", "settings"}`. Reading streams the
//! settings straight into the typed struct when `model` came first (as bindery writes it), so
//! errors keep their line and column; a hand-edited file with `settings` first still loads.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde_json::{Map, Value};
use uuid::Uuid;

/// What a picker shows about one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    pub model: &'static str,
    pub title: &'static str,
    pub description: &'static str,
}

/// The short name of a model: its app label without the given prefix
/// (`authentik_stages_identification.identificationstage` gives `identification`).
pub fn short_name<'a>(model: &'a str, prefix: &str) -> &'a str {
    let app = model.split('.').next().unwrap_or(model);
    app.strip_prefix(prefix).unwrap_or(app)
}

/// Implemented by the generated kind enums so one reader serves stages and policies.
pub trait KindEnum: Sized {
    fn next_settings<'de, A: MapAccess<'de>>(model: &str, map: &mut A) -> Result<Self, A::Error>;
    fn from_settings(model: &str, value: Value) -> Result<Self, serde_json::Error>;
    fn serialize_settings<S: SerializeMap>(&self, map: &mut S) -> Result<(), S::Error>;
    fn model(&self) -> &str;
}

macro_rules! kinds {
    ($(#[$meta:meta])* $name:ident prefix $prefix:literal {
        $($variant:ident($settings:ty) = $model:literal, $title:literal, $desc:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $($variant($settings),)+
            /// A type bindery does not model (newer or enterprise authentik): kept with its raw
            /// attributes and exported back unchanged.
            Other { model: String, attrs: serde_json::Map<String, serde_json::Value> },
        }

        impl $name {
            pub const TYPES: &'static [$crate::model::kinded::KindInfo] = &[
                $($crate::model::kinded::KindInfo { model: $model, title: $title, description: $desc },)+
            ];

            pub fn short(&self) -> &str {
                $crate::model::kinded::short_name(<Self as $crate::model::kinded::KindEnum>::model(self), $prefix)
            }

            pub fn title(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $title,)+
                    Self::Other { .. } => "Type not modelled by bindery",
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other { .. })
            }

            /// The type with authentik's defaults, or None for a model bindery does not know.
            pub fn default_for(model: &str) -> Option<Self> {
                match model {
                    $($model => Some(Self::$variant(Default::default())),)+
                    _ => None,
                }
            }

            /// Finds a known model by its full name or its short name.
            pub fn lookup(name: &str) -> Option<&'static $crate::model::kinded::KindInfo> {
                Self::TYPES.iter().find(|info| {
                    info.model == name || $crate::model::kinded::short_name(info.model, $prefix) == name
                })
            }

            /// The settings as JSON, with authentik's attribute names.
            pub fn settings_value(&self) -> serde_json::Value {
                match self {
                    $(Self::$variant(s) => serde_json::to_value(s).expect("settings serialise"),)+
                    Self::Other { attrs, .. } => serde_json::Value::Object(attrs.clone()),
                }
            }

            pub fn model(&self) -> &str {
                <Self as $crate::model::kinded::KindEnum>::model(self)
            }

            /// The form fields of a type, with reference targets resolved and code fields
            /// marked as multi-line. Empty for a type bindery does not model.
            pub fn field_specs(&self) -> Vec<$crate::model::fields::FieldSpec> {
                use $crate::model::fields::{FieldKind, FieldSpec, is_multiline, known_values};
                use $crate::model::refs::Refs;
                let specs: Vec<FieldSpec> = match self {
                    $(Self::$variant(_) => <$settings>::field_specs()
                        .into_iter()
                        .map(|spec| FieldSpec {
                            kind: match spec.kind {
                                FieldKind::Ref(_) => <$settings as Refs>::ref_target(spec.name)
                                    .map_or(FieldKind::Json, FieldKind::Ref),
                                FieldKind::RefList(_) => <$settings as Refs>::ref_target(spec.name)
                                    .map_or(FieldKind::Json, FieldKind::RefList),
                                FieldKind::Text if is_multiline(spec.name) => FieldKind::MultiLine,
                                FieldKind::TextList => known_values(spec.name)
                                    .map_or(FieldKind::TextList, FieldKind::MultiChoice),
                                other => other,
                            },
                            ..spec
                        })
                        .collect(),)+
                    Self::Other { .. } => Vec::new(),
                };
                specs
            }

            /// The type `model` with the given settings, a refusal naming the failing field.
            pub fn from_settings_json(
                model: &str,
                value: &serde_json::Value,
            ) -> Result<Self, $crate::model::typed::FieldProblem> {
                match model {
                    $($model => $crate::model::typed::from_json(value).map(Self::$variant),)+
                    _ => match value {
                        serde_json::Value::Object(attrs) => Ok(Self::Other { model: model.to_string(), attrs: attrs.clone() }),
                        _ => Err($crate::model::typed::FieldProblem::whole("settings must be an object")),
                    },
                }
            }

            /// The type `model` with the given settings (an object of authentik attributes).
            pub fn from_settings_value(model: &str, value: serde_json::Value) -> Result<Self, String> {
                <Self as $crate::model::kinded::KindEnum>::from_settings(model, value)
                    .map_err(|e| e.to_string())
            }
        }

        impl $crate::model::kinded::KindEnum for $name {
            fn next_settings<'de, A: serde::de::MapAccess<'de>>(model: &str, map: &mut A) -> Result<Self, A::Error> {
                match model {
                    $($model => map.next_value().map(Self::$variant),)+
                    _ => Ok(Self::Other { model: model.to_string(), attrs: map.next_value()? }),
                }
            }

            fn from_settings(model: &str, value: serde_json::Value) -> Result<Self, serde_json::Error> {
                match model {
                    $($model => serde_json::from_value(value).map(Self::$variant),)+
                    _ => match value {
                        serde_json::Value::Object(attrs) => Ok(Self::Other { model: model.to_string(), attrs }),
                        _ => Err(serde::de::Error::custom("settings must be an object")),
                    },
                }
            }

            fn serialize_settings<S: serde::ser::SerializeMap>(&self, map: &mut S) -> Result<(), S::Error> {
                match self {
                    $(Self::$variant(s) => map.serialize_entry("settings", s),)+
                    Self::Other { attrs, .. } => map.serialize_entry("settings", attrs),
                }
            }

            fn model(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $model,)+
                    Self::Other { model, .. } => model,
                }
            }
        }

        impl $crate::model::refs::Refs for $name {
            fn refs(&self, out: &mut Vec<$crate::model::refs::Ref>) {
                match self {
                    $(Self::$variant(s) => s.refs(out),)+
                    Self::Other { .. } => {}
                }
            }

            fn clear_ref(&mut self, id: uuid::Uuid) -> bool {
                match self {
                    $(Self::$variant(s) => s.clear_ref(id),)+
                    Self::Other { .. } => false,
                }
            }
        }
    };
}
pub(crate) use kinds;

/// The common fields of a kinded object as read from disk.
pub struct Parts<K> {
    pub id: Uuid,
    pub name: String,
    pub execution_logging: bool,
    pub kind: K,
}

/// Writes `{"id", "name", [extra], "model", "settings"}`.
pub fn serialize_kinded<S, K>(
    serializer: S,
    id: Uuid,
    name: &str,
    execution_logging: Option<bool>,
    kind: &K,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    K: KindEnum,
{
    let mut map = serializer.serialize_map(None)?;
    map.serialize_entry("id", &id)?;
    map.serialize_entry("name", name)?;
    if let Some(flag) = execution_logging {
        map.serialize_entry("execution_logging", &flag)?;
    }
    map.serialize_entry("model", kind.model())?;
    kind.serialize_settings(&mut map)?;
    map.end()
}

/// Reads a kinded object; `with_logging` allows the policy-only `execution_logging` key.
pub fn deserialize_kinded<'de, D, K>(
    deserializer: D,
    what: &'static str,
    with_logging: bool,
) -> Result<Parts<K>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: KindEnum,
{
    struct PartsVisitor<K> {
        what: &'static str,
        with_logging: bool,
        kind: PhantomData<K>,
    }

    impl<'de, K: KindEnum> Visitor<'de> for PartsVisitor<K> {
        type Value = Parts<K>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(
                f,
                "a {} object with id, name, model and settings",
                self.what
            )
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts<K>, A::Error> {
            let mut id = None;
            let mut name = None;
            let mut logging = None;
            let mut model: Option<String> = None;
            let mut kind = None;
            let mut early_settings: Option<Value> = None;
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "id" => set_once(&mut id, "id", map.next_value()?)?,
                    "name" => set_once(&mut name, "name", map.next_value()?)?,
                    "execution_logging" if self.with_logging => {
                        set_once(&mut logging, "execution_logging", map.next_value()?)?
                    }
                    "model" => set_once(&mut model, "model", map.next_value()?)?,
                    "settings" => {
                        if kind.is_some() || early_settings.is_some() {
                            return Err(de::Error::duplicate_field("settings"));
                        }
                        match &model {
                            Some(model) => kind = Some(K::next_settings(model, &mut map)?),
                            None => early_settings = Some(map.next_value()?),
                        }
                    }
                    other => {
                        let known = if self.with_logging {
                            POLICY_KEYS
                        } else {
                            STAGE_KEYS
                        };
                        return Err(de::Error::unknown_field(other, known));
                    }
                }
            }
            let model = model.ok_or_else(|| de::Error::missing_field("model"))?;
            let kind = match (kind, early_settings) {
                (Some(kind), _) => kind,
                (None, settings) => {
                    let value = settings.unwrap_or_else(|| Value::Object(Map::new()));
                    K::from_settings(&model, value).map_err(de::Error::custom)?
                }
            };
            Ok(Parts {
                id: id.ok_or_else(|| de::Error::missing_field("id"))?,
                name: name.ok_or_else(|| de::Error::missing_field("name"))?,
                execution_logging: logging.unwrap_or(false),
                kind,
            })
        }
    }

    deserializer.deserialize_map(PartsVisitor {
        what,
        with_logging,
        kind: PhantomData,
    })
}

const STAGE_KEYS: &[&str] = &["id", "name", "model", "settings"];
const POLICY_KEYS: &[&str] = &["id", "name", "execution_logging", "model", "settings"];

fn set_once<T, E: de::Error>(slot: &mut Option<T>, field: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(field));
    }
    *slot = Some(value);
    Ok(())
}
