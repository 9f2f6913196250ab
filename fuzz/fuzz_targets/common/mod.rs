//! Helpers shared by several targets (included with `#[path]`, not a target).
#![allow(dead_code)]

/// Splits an input into documents at NUL bytes (XML cannot contain NUL, so
/// a seed is just documents joined with `\0`). At most `max` pieces.
pub fn documents(data: &[u8], max: usize) -> impl Iterator<Item = &[u8]> {
    data.split(|b| *b == 0).take(max)
}

/// Reads small values off the front of the fuzz input; yields zeros once
/// the input runs out, so every input decodes to something.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// `Some(u32)` or `None`, one byte deciding.
    pub fn opt_u32(&mut self) -> Option<u32> {
        if self.bool() {
            Some(self.u32())
        } else {
            None
        }
    }

    /// A string of up to `max` bytes (length byte, then lossy UTF-8).
    pub fn string(&mut self, max: usize) -> String {
        let len = (self.u8() as usize).min(max).min(self.data.len());
        let (s, rest) = self.data.split_at(len);
        self.data = rest;
        String::from_utf8_lossy(s).into_owned()
    }

    /// Whatever is left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}
