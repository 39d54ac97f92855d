//! Printing a result frame as an aligned table, CSV or JSON (our own code: the result is a few
//! rows, and polars' `fmt` feature would add crates for nothing).

use polars::prelude::*;

/// One cell of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Missing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Anything else, as text.
    Text(String),
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned text table (accuracies with 4 decimals, `-` for null).
    Table,
    /// CSV with a header row (full precision, empty for null).
    Csv,
    /// A JSON array of objects, one per row, keys in column order (null for null).
    Json,
}

fn cell(v: &AnyValue<'_>) -> Cell {
    match v {
        AnyValue::Null => Cell::Null,
        AnyValue::Boolean(b) => Cell::Bool(*b),
        AnyValue::Float32(_) | AnyValue::Float64(_) => {
            Cell::Float(v.extract::<f64>().unwrap_or(f64::NAN))
        }
        v if v.is_integer() => v.extract::<i64>().map_or(Cell::Null, Cell::Int),
        v => Cell::Text(v.str_value().into_owned()),
    }
}

/// The column names and rows of a frame.
pub fn rows(df: &DataFrame) -> (Vec<String>, Vec<Vec<Cell>>) {
    let names = df
        .get_column_names()
        .iter()
        .map(ToString::to_string)
        .collect();
    let rows = (0..df.height())
        .map(|i| {
            df.columns()
                .iter()
                .map(|c| c.get(i).map_or(Cell::Null, |v| cell(&v)))
                .collect()
        })
        .collect();
    (names, rows)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Renders a frame in the given format (ending in a newline).
pub fn render(df: &DataFrame, format: Format) -> String {
    let (names, rows) = rows(df);
    match format {
        Format::Json => {
            // Objects written by hand so keys keep the column order (serde_json's `Map` sorts
            // them unless its `preserve_order` feature is on, which would rebuild polars).
            let mut s = String::from("[");
            for (i, row) in rows.iter().enumerate() {
                s.push_str(if i == 0 { "\n  {" } else { ",\n  {" });
                for (j, (name, c)) in names.iter().zip(row).enumerate() {
                    let v = match c {
                        Cell::Null => serde_json::Value::Null,
                        Cell::Bool(b) => (*b).into(),
                        Cell::Int(i) => (*i).into(),
                        Cell::Float(f) => serde_json::Number::from_f64(*f)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                        Cell::Text(t) => t.clone().into(),
                    };
                    if j > 0 {
                        s.push_str(", ");
                    }
                    s.push_str(&serde_json::Value::from(name.as_str()).to_string());
                    s.push_str(": ");
                    s.push_str(&v.to_string());
                }
                s.push('}');
            }
            s.push_str(if rows.is_empty() { "]\n" } else { "\n]\n" });
            s
        }
        Format::Csv => {
            let mut s = names
                .iter()
                .map(|n| csv_field(n))
                .collect::<Vec<_>>()
                .join(",");
            s.push('\n');
            for row in &rows {
                let fields: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Null => String::new(),
                        Cell::Bool(b) => b.to_string(),
                        Cell::Int(i) => i.to_string(),
                        Cell::Float(f) => f.to_string(),
                        Cell::Text(t) => csv_field(t),
                    })
                    .collect();
                s.push_str(&fields.join(","));
                s.push('\n');
            }
            s
        }
        Format::Table => {
            let text: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Cell::Null => "-".to_string(),
                            Cell::Bool(b) => b.to_string(),
                            Cell::Int(i) => i.to_string(),
                            Cell::Float(f) => format!("{f:.4}"),
                            Cell::Text(t) => t.clone(),
                        })
                        .collect()
                })
                .collect();
            let widths: Vec<usize> = (0..names.len())
                .map(|j| {
                    text.iter()
                        .map(|r| r[j].chars().count())
                        .chain([names[j].chars().count()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let numeric: Vec<bool> = (0..names.len())
                .map(|j| {
                    rows.iter()
                        .all(|r| matches!(r[j], Cell::Null | Cell::Int(_) | Cell::Float(_)))
                })
                .collect();
            let line = |cells: &[String]| {
                let parts: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        if numeric[j] {
                            format!("{c:>w$}", w = widths[j])
                        } else {
                            format!("{c:<w$}", w = widths[j])
                        }
                    })
                    .collect();
                let mut l = parts.join("  ").trim_end().to_string();
                l.push('\n');
                l
            };
            let mut s = line(&names);
            for r in &text {
                s.push_str(&line(r));
            }
            if rows.is_empty() {
                s.push_str("(no rows)\n");
            }
            s
        }
    }
}
