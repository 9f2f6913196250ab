//! Automatic device presence (SPEC P5): idle detection and "in a meeting"
//! from an iCalendar calendar.

pub mod calendar;
pub mod idle;
