//! One module per screen: state, update and render together.

pub mod case_file;
pub mod case_list;
pub mod dashboard;
pub mod drafts;
pub mod duplicates;
pub mod operator;
pub mod session;
pub mod visit_editor;
