//! Claim objects read only from JSON objects.
//!
//! serde's derived `Deserialize` for a struct also takes a sequence (its fields in order), so
//! `["C-1", "2024-03-01", …]` would be read as a claim, and a line written as an array would
//! fail deep inside it with a JSON path to an element that is not there. The claim model says
//! each of its structs is an object: [`ObjectOnly`] passes a deserializer through but answers
//! an array with an error naming what was expected. The claim itself is read through it by
//! `parse_claim`; the structs inside it by their fields' `deserialize_with`, so that the
//! derives stay as they are.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// A deserializer that reads a struct only from a map (a JSON object).
pub(crate) struct ObjectOnly<D> {
    inner: D,
    /// What the object is, for the error: "a claim", "a line".
    what: &'static str,
}

impl<D> ObjectOnly<D> {
    pub(crate) fn new(inner: D, what: &'static str) -> Self {
        ObjectOnly { inner, what }
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_any(NoSequence {
            inner: visitor,
            what: self.what,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_struct(
            name,
            fields,
            NoSequence {
                inner: visitor,
                what: self.what,
            },
        )
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// A struct's visitor with its sequence form taken away.
struct NoSequence<V> {
    inner: V,
    what: &'static str,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NoSequence<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(de::Error::custom(format_args!(
            "{} is a JSON object, found an array",
            self.what
        )))
    }
}

/// A struct of the claim model that is read only from a JSON object, and what it is called in
/// the error for an array.
pub(crate) trait Object: for<'de> serde::Deserialize<'de> {
    /// "a line", "a provider".
    const WHAT: &'static str;
}

/// One `T`, read through [`ObjectOnly`].
pub(crate) fn object<'de, T: Object, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    T::deserialize(ObjectOnly::new(d, T::WHAT))
}

/// `T` read through [`ObjectOnly`], for the elements of a sequence or an option.
struct ObjectOf<T>(T);

impl<'de, T: Object> serde::Deserialize<'de> for ObjectOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(ObjectOf)
    }
}

/// A field holding an array of objects (`lines`, `procedures`), for `deserialize_with`.
pub(crate) fn objects<'de, T: Object, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let all: Vec<ObjectOf<T>> = serde::Deserialize::deserialize(d)?;
    Ok(all.into_iter().map(|o| o.0).collect())
}

/// A field holding an object or `null` (`provider`), for `deserialize_with`.
pub(crate) fn optional_object<'de, T: Object, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let one: Option<ObjectOf<T>> = serde::Deserialize::deserialize(d)?;
    Ok(one.map(|o| o.0))
}
