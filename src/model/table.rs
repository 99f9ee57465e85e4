//! An ordered collection of objects keyed by their id. Order is creation order: it is what the
//! planner uses to break ties between stage bindings with the same `order`, and undo restores an
//! object at the index it was removed from, so the store round-trips exactly.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

/// Tables are looked up by id for every reference drawn or checked; foldhash (hashbrown's own
/// default, seeded per process, so a store of crafted ids cannot force collisions) hashes a
/// UUID several times faster than the standard library's SipHash.
type Ids<T> = IndexMap<Uuid, T, foldhash::fast::RandomState>;
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use super::Entity;

#[derive(Clone, Debug)]
pub struct Table<T> {
    items: Ids<T>,
}

/// Equal when the same objects stand in the same order: order is meaning here (it breaks ties
/// between bindings), and `IndexMap`'s own `==` ignores it.
impl<T: PartialEq> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.items.iter().eq(other.items.iter())
    }
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: Ids::default(),
        }
    }
}

impl<T: Entity> Table<T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: Uuid) -> Option<&T> {
        self.items.get(&id)
    }

    pub fn get_mut(&mut self, id: Uuid) -> Option<&mut T> {
        self.items.get_mut(&id)
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.items.contains_key(&id)
    }

    pub fn index_of(&self, id: Uuid) -> Option<usize> {
        self.items.get_index_of(&id)
    }

    /// The object at `index` in creation order.
    pub fn get_index(&self, index: usize) -> Option<&T> {
        self.items.get_index(index).map(|(_, item)| item)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.values()
    }

    /// Appends a new object, or replaces one with the same id where it stands; its id.
    pub fn put(&mut self, item: T) -> Uuid {
        let id = item.id();
        self.items.insert(id, item);
        id
    }

    /// Inserts at `index` (clamped to the end), or replaces in place when the id exists.
    pub fn put_at(&mut self, index: usize, item: T) {
        let id = item.id();
        if let Some(slot) = self.items.get_mut(&id) {
            *slot = item;
        } else {
            let index = index.min(self.items.len());
            self.items.shift_insert(index, id, item);
        }
    }

    /// Removes an object, keeping the order of the others; returns where it stood.
    pub fn remove(&mut self, id: Uuid) -> Option<(usize, T)> {
        self.items
            .shift_remove_full(&id)
            .map(|(index, _, item)| (index, item))
    }
}

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for item in self.items.values() {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl<'de, T: Entity + Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor<T>(PhantomData<T>);

        impl<'de, T: Entity + Deserialize<'de>> Visitor<'de> for TableVisitor<T> {
            type Value = Table<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of objects, each with a unique id")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Table<T>, A::Error> {
                let mut items =
                    Ids::with_capacity_and_hasher(seq.size_hint().unwrap_or(0), Default::default());
                while let Some(item) = seq.next_element::<T>()? {
                    let id = item.id();
                    if items.insert(id, item).is_some() {
                        return Err(de::Error::custom(format!("duplicate id {id}")));
                    }
                }
                Ok(Table { items })
            }
        }

        deserializer.deserialize_seq(TableVisitor(PhantomData))
    }
}
