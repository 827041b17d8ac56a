//! Table rows with spans → the grid column of every printed cell: the one
//! place that expands spans, for every format that has them.
//!
//! It takes a table row by row, each row as the slots its source gives:
//! printed cells with a column span and a row span (HTML's `colspan` and
//! `rowspan`; DOCX's `gridSpan`), slots covered by a cell printed above
//! (DOCX's `vMerge` continuation cells, which DOCX writes out) and empty
//! slots that are no cell at all (DOCX's `gridBefore`/`gridAfter`). It gives
//! each printed cell the grid column of its first slot. A slot covered by a
//! span is not a cell of its own: a value is never repeated into rows or
//! columns it was not printed in. Spans beyond the limits below are clamped,
//! so a hostile table costs memory in its number of printed cells only.

/// The widest column span taken (the HTML standard's limit).
pub const MAX_COLSPAN: u32 = 1000;
/// Row spans are tracked over this many grid columns; a cell beyond it gets
/// a column, but no row below is kept out of it.
pub const MAX_GRID_COLS: usize = 1024;
/// The longest row span taken (the HTML standard's limit); a span of 0
/// ("to the end of the table") is this.
pub const MAX_ROWSPAN: u32 = 65534;

/// One slot of a row as its source gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A printed cell over `colspan` columns and `rowspan` rows (0 means to
    /// the end of the table).
    Cell { colspan: u32, rowspan: u32 },
    /// Columns taken by a cell printed in a row above (a DOCX `vMerge`
    /// continuation): they are no cell.
    Covered { colspan: u32 },
    /// Columns left empty where the row starts late or ends early (DOCX
    /// `gridBefore`/`gridAfter`): no cell either.
    Empty { columns: u32 },
}

/// Lays out one table, row by row.
#[derive(Debug, Default)]
pub struct Grid {
    /// How many more rows each grid column is taken by a row span from a
    /// row above.
    covered: Vec<u32>,
    /// The next free column of the current row.
    col: usize,
}

impl Grid {
    pub fn new() -> Grid {
        Grid::default()
    }

    /// Places the next slot of the current row: the grid column of a
    /// printed cell, `None` for a slot that is no cell.
    pub fn place(&mut self, slot: Slot) -> Option<u16> {
        match slot {
            Slot::Cell { colspan, rowspan } => {
                while self.covered.get(self.col).is_some_and(|&n| n > 0) {
                    self.col += 1;
                }
                let col = self.col;
                let span = colspan.clamp(1, MAX_COLSPAN) as usize;
                let rows = match rowspan {
                    0 => MAX_ROWSPAN,
                    n => n.min(MAX_ROWSPAN),
                };
                let end = (col + span).min(MAX_GRID_COLS);
                if self.covered.len() < end {
                    self.covered.resize(end, 0);
                }
                for n in self.covered.iter_mut().take(end).skip(col) {
                    *n = (*n).max(rows);
                }
                self.col = col + span;
                Some(col.min(u16::MAX as usize) as u16)
            }
            Slot::Covered { colspan: n } | Slot::Empty { columns: n } => {
                self.col += n.min(MAX_COLSPAN) as usize;
                None
            }
        }
    }

    /// Ends the current row: the next `place` starts the next row.
    pub fn end_row(&mut self) {
        for n in self.covered.iter_mut() {
            *n = n.saturating_sub(1);
        }
        self.col = 0;
    }
}

/// The grid column of every printed cell of a table given as rows of slots
/// (`None` for slots that are no cell), row by row.
pub fn columns(rows: &[Vec<Slot>]) -> Vec<Vec<Option<u16>>> {
    let mut grid = Grid::new();
    rows.iter()
        .map(|row| {
            let cols = row.iter().map(|&s| grid.place(s)).collect();
            grid.end_row();
            cols
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(colspan: u32, rowspan: u32) -> Slot {
        Slot::Cell { colspan, rowspan }
    }

    /// The printed cells' columns of each row.
    fn printed(rows: &[Vec<Slot>]) -> Vec<Vec<u16>> {
        columns(rows)
            .into_iter()
            .map(|r| r.into_iter().flatten().collect())
            .collect()
    }

    #[test]
    fn row_and_column_spans_take_their_slots_and_are_not_repeated() {
        // The requests table's header: a corner over two rows and two
        // columns, 申请人情况 over three, then three cells under it.
        let rows = vec![
            vec![cell(2, 2), cell(3, 1)],
            vec![cell(1, 1), cell(1, 1), cell(1, 1)],
            vec![cell(1, 2), cell(1, 1), cell(1, 1), cell(1, 1), cell(1, 1)],
            vec![cell(1, 1), cell(1, 1), cell(1, 1), cell(1, 1)],
        ];
        assert_eq!(
            printed(&rows),
            [
                vec![0, 2],
                vec![2, 3, 4],
                vec![0, 1, 2, 3, 4],
                vec![1, 2, 3, 4]
            ]
        );
    }

    #[test]
    fn covered_and_empty_slots_are_no_cells_but_take_their_columns() {
        // DOCX: a group label restarted in row 0 and continued in row 1; row
        // 2 starts one column late (gridBefore) and ends early (gridAfter).
        let rows = vec![
            vec![cell(1, 1), cell(2, 1), cell(1, 1)],
            vec![Slot::Covered { colspan: 1 }, cell(2, 1), cell(1, 1)],
            vec![
                Slot::Empty { columns: 1 },
                cell(1, 1),
                cell(1, 1),
                Slot::Empty { columns: 1 },
            ],
        ];
        assert_eq!(
            columns(&rows),
            [
                vec![Some(0), Some(1), Some(3)],
                vec![None, Some(1), Some(3)],
                vec![None, Some(1), Some(2), None],
            ]
        );
    }

    #[test]
    fn hostile_spans_are_clamped() {
        // A span of 0 rows is to the end; huge spans are cut to the limits;
        // a cell past the tracked columns still gets a column.
        let rows = vec![
            vec![cell(99_999_999, 0), cell(0, 1)],
            vec![cell(1, 1)],
            vec![Slot::Empty { columns: u32::MAX }, cell(1, u32::MAX)],
        ];
        assert_eq!(printed(&rows), [vec![0, 1000], vec![1000], vec![1000]]);
        // Columns beyond u16 are clamped, not wrapped.
        let wide = vec![vec![cell(1000, 1); 70]];
        assert_eq!(printed(&wide)[0].last(), Some(&u16::MAX));
    }
}
