//! [`Labels`]: a list of short texts kept in one buffer. An anomaly search on a million rows can
//! label tens of thousands of rows; a heap string each costs more than finding them (in a fresh
//! process every new page of memory is a page fault, and 46,000 small strings take some 600
//! pages). It serializes as a JSON array of strings, like `Vec<String>`.

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Texts in one buffer, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    text: String,
    /// Where each text ends in `text` (u32: labels beyond 4 GiB in all are not made).
    ends: Vec<u32>,
}

impl Labels {
    /// Room for `count` texts of about `bytes` bytes in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Labels {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    pub fn push(&mut self, label: &str) {
        self.push_with(|text| text.push_str(label));
    }

    /// Appends a text written by `write` straight into the buffer. A text that would end past
    /// 4 GiB is left out.
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        let before = self.text.len();
        write(&mut self.text);
        match u32::try_from(self.text.len()) {
            Ok(end) => self.ends.push(end),
            Err(_) => self.text.truncate(before),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`-th text.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    pub fn contains(&self, label: &str) -> bool {
        self.iter().any(|l| l == label)
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Labels {
    fn from_iter<I: IntoIterator<Item = S>>(items: I) -> Self {
        let mut labels = Labels::default();
        for item in items {
            labels.push(item.as_ref());
        }
        labels
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Labels {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Labels {
    fn eq(&self, other: &[S; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl std::ops::Index<usize> for Labels {
    type Output = str;

    /// The `i`-th text; out of range is a bug in the caller, as for a `Vec`.
    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for label in self.iter() {
            seq.serialize_element(label)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_in_order_and_serialize_as_a_list() {
        let labels: Labels = ["2024-01-05", "", "row 7"].into_iter().collect();
        assert_eq!(labels.len(), 3);
        assert_eq!(&labels[0], "2024-01-05");
        assert_eq!(labels.get(1), Some(""));
        assert_eq!(labels.get(3), None, "past the end");
        assert!(labels.contains("row 7") && !labels.contains("row"));
        assert_eq!(labels, vec!["2024-01-05", "", "row 7"]);
        assert_eq!(
            serde_json::to_string(&labels).ok(),
            Some(r#"["2024-01-05","","row 7"]"#.to_string())
        );
        let mut built = Labels::with_capacity(1, 4);
        built.push_with(|s| s.push_str("42"));
        assert_eq!(built.to_vec(), vec!["42".to_string()]);
    }
}
