//! Presence documents and presence logic, free of I/O.
//!
//! One module per document type (PIDF and its extensions, watcherinfo,
//! resource-lists, RLMI, pres-rules, dialog-info, xcap-caps), each with a
//! parser and a builder over the safe element tree in [`xml`]; and the status
//! model that turns documents into one availability per contact.

pub mod cipid;
pub mod dialog_info;
pub mod multipart;
pub mod pidf;
pub mod pres_rules;
pub mod resource_lists;
pub mod rlmi;
pub mod rls_services;
pub mod rpid;
pub mod status;
pub mod timed;
pub mod watcherinfo;
pub mod xcap;
pub mod xcap_caps;
pub mod xml;
