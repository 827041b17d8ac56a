//! Values, money and the consistency checks (tables.md, "Cell values",
//! "Money", "Consistency checks").

pub mod cells;
pub mod checks;
pub mod money;
pub mod values;
