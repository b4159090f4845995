//! One audit record: `schema` says what each event is and what each of its fields means (the
//! one place to look them up); `encode` writes a record as its JSON line.

pub mod encode;
pub mod fixed;
pub mod schema;

pub use encode::{encode, hex, hex_into, push_u64};
pub use fixed::Fixed;
pub use schema::{
    Action, EndReason, FileId, GroupLeader, Header, Lost, Mode, PamItems, Program, SinkName,
};
