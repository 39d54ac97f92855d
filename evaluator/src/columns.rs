//! Column-at-a-time glue between the row structs of `tables` and Arrow record batches, plus
//! Parquet file I/O. Writers push whole columns; readers pull typed columns by name and name the
//! file and the column in every error. Integer columns are signed (Int32/Int64) so Spark, pandas,
//! DuckDB and polars all read them without unsigned-type surprises.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Float64Type, Int32Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, PrimitiveArray,
    RecordBatch, StringArray,
};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use scenario::Level;

use crate::report::ReportError;

/// Builds a record batch one named column at a time.
#[derive(Debug, Default)]
pub(crate) struct BatchBuilder {
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl BatchBuilder {
    fn push(mut self, name: &str, nullable: bool, array: ArrayRef) -> Self {
        self.fields
            .push(Field::new(name, array.data_type().clone(), nullable));
        self.arrays.push(array);
        self
    }

    pub fn str<'a>(self, name: &str, v: impl Iterator<Item = &'a str>) -> Self {
        self.push(name, false, Arc::new(v.map(Some).collect::<StringArray>()))
    }
    pub fn opt_str<'a>(self, name: &str, v: impl Iterator<Item = Option<&'a str>>) -> Self {
        self.push(name, true, Arc::new(v.collect::<StringArray>()))
    }
    pub fn list_str<'a>(self, name: &str, v: impl Iterator<Item = &'a [String]>) -> Self {
        let mut b = ListBuilder::new(StringBuilder::new());
        for list in v {
            for s in list {
                b.values().append_value(s);
            }
            b.append(true);
        }
        self.push(name, false, Arc::new(b.finish()))
    }
    pub fn i64(self, name: &str, v: impl Iterator<Item = i64>) -> Self {
        self.push(name, false, Arc::new(v.collect::<Int64Array>()))
    }
    /// A count, stored as Int64 (saturating at `i64::MAX`).
    pub fn u64(self, name: &str, v: impl Iterator<Item = u64>) -> Self {
        self.i64(name, v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
    }
    pub fn i32(self, name: &str, v: impl Iterator<Item = i32>) -> Self {
        self.push(name, false, Arc::new(v.collect::<Int32Array>()))
    }
    pub fn f64(self, name: &str, v: impl Iterator<Item = f64>) -> Self {
        self.push(name, false, Arc::new(v.collect::<Float64Array>()))
    }
    pub fn opt_f64(self, name: &str, v: impl Iterator<Item = Option<f64>>) -> Self {
        self.push(name, true, Arc::new(v.collect::<Float64Array>()))
    }
    /// A nullable count, stored as Int64 (saturating at `i64::MAX`).
    pub fn opt_u64(self, name: &str, v: impl Iterator<Item = Option<u64>>) -> Self {
        let v = v.map(|v| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)));
        self.push(name, true, Arc::new(v.collect::<Int64Array>()))
    }
    pub fn bool(self, name: &str, v: impl Iterator<Item = bool>) -> Self {
        self.push(name, false, Arc::new(v.map(Some).collect::<BooleanArray>()))
    }
    pub fn opt_bool(self, name: &str, v: impl Iterator<Item = Option<bool>>) -> Self {
        self.push(name, true, Arc::new(v.collect::<BooleanArray>()))
    }

    /// Writes the batch to `path` with [`write_parquet`].
    pub fn write(self, path: &Path) -> Result<(), ReportError> {
        let batch =
            RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.arrays).map_err(|e| {
                ReportError::Parquet {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            })?;
        write_parquet(path, &batch)
    }
}

/// Typed access to the columns of one batch read from `file`.
#[derive(Debug)]
pub(crate) struct Columns<'a> {
    pub batch: &'a RecordBatch,
    pub file: &'a Path,
}

impl<'a> Columns<'a> {
    fn err(&self, column: &str, message: impl Into<String>) -> ReportError {
        ReportError::Column {
            path: self.file.to_path_buf(),
            column: column.to_owned(),
            message: message.into(),
        }
    }

    fn col(&self, name: &str) -> Result<&'a ArrayRef, ReportError> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| self.err(name, "missing column"))
    }

    fn no_nulls(&self, name: &str, a: &dyn Array) -> Result<(), ReportError> {
        if a.null_count() > 0 {
            Err(self.err(name, "unexpected null"))
        } else {
            Ok(())
        }
    }

    fn strings(&self, name: &str) -> Result<&'a StringArray, ReportError> {
        let c = self.col(name)?;
        c.as_string_opt::<i32>()
            .ok_or_else(|| self.err(name, format!("expected Utf8, got {}", c.data_type())))
    }

    pub fn str(&self, name: &str) -> Result<Vec<String>, ReportError> {
        let a = self.strings(name)?;
        self.no_nulls(name, a)?;
        Ok(a.iter().map(|v| v.unwrap_or_default().to_owned()).collect())
    }
    /// A column of scoring levels; a value that is not a [`Level`] names the valid ones.
    pub fn level(&self, name: &str) -> Result<Vec<Level>, ReportError> {
        let a = self.strings(name)?;
        self.no_nulls(name, a)?;
        a.iter()
            .map(|v| Level::parse(v.unwrap_or_default()).map_err(|e| self.err(name, e.to_string())))
            .collect()
    }
    /// An optional string column that files written before it existed lack (all null then).
    pub fn opt_str_or_null(
        &self,
        name: &str,
        rows: usize,
    ) -> Result<Vec<Option<String>>, ReportError> {
        if self.batch.column_by_name(name).is_none() {
            return Ok(vec![None; rows]);
        }
        self.opt_str(name)
    }
    pub fn opt_str(&self, name: &str) -> Result<Vec<Option<String>>, ReportError> {
        Ok(self
            .strings(name)?
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect())
    }
    pub fn list_str(&self, name: &str) -> Result<Vec<Vec<String>>, ReportError> {
        let c = self.col(name)?;
        let list = c
            .as_list_opt::<i32>()
            .ok_or_else(|| self.err(name, format!("expected List<Utf8>, got {}", c.data_type())))?;
        let mut out = Vec::with_capacity(list.len());
        for i in 0..list.len() {
            if list.is_null(i) {
                out.push(Vec::new());
                continue;
            }
            let inner = list.value(i);
            let s = inner.as_string_opt::<i32>().ok_or_else(|| {
                self.err(name, format!("expected List<Utf8>, got {}", c.data_type()))
            })?;
            out.push(s.iter().flatten().map(str::to_owned).collect());
        }
        Ok(out)
    }
    /// A primitive column of type `T`; the error names the type expected and the type found.
    fn primitives<T: ArrowPrimitiveType>(
        &self,
        name: &str,
    ) -> Result<&'a PrimitiveArray<T>, ReportError> {
        let c = self.col(name)?;
        c.as_primitive_opt::<T>().ok_or_else(|| {
            self.err(
                name,
                format!("expected {}, got {}", T::DATA_TYPE, c.data_type()),
            )
        })
    }
    pub fn u64(&self, name: &str) -> Result<Vec<u64>, ReportError> {
        let a = self.primitives::<Int64Type>(name)?;
        self.no_nulls(name, a)?;
        a.values()
            .iter()
            .map(|v| {
                u64::try_from(*v).map_err(|_| self.err(name, format!("expected a count, got {v}")))
            })
            .collect()
    }
    pub fn i32(&self, name: &str) -> Result<Vec<i32>, ReportError> {
        let a = self.primitives::<Int32Type>(name)?;
        self.no_nulls(name, a)?;
        Ok(a.values().to_vec())
    }
    pub fn f64(&self, name: &str) -> Result<Vec<f64>, ReportError> {
        let a = self.primitives::<Float64Type>(name)?;
        self.no_nulls(name, a)?;
        Ok(a.values().to_vec())
    }
    pub fn opt_f64(&self, name: &str) -> Result<Vec<Option<f64>>, ReportError> {
        Ok(self.primitives::<Float64Type>(name)?.iter().collect())
    }
    /// A nullable count column added in a later schema version: all null when the file
    /// predates it.
    pub fn added_u64(&self, name: &str) -> Result<Vec<Option<u64>>, ReportError> {
        if self.batch.column_by_name(name).is_none() {
            return Ok(vec![None; self.batch.num_rows()]);
        }
        self.primitives::<Int64Type>(name)?
            .iter()
            .map(|v| {
                v.map(|v| {
                    u64::try_from(v)
                        .map_err(|_| self.err(name, format!("expected a count, got {v}")))
                })
                .transpose()
            })
            .collect()
    }
    /// A nullable float column added in a later schema version: all null when the file
    /// predates it.
    pub fn added_f64(&self, name: &str) -> Result<Vec<Option<f64>>, ReportError> {
        if self.batch.column_by_name(name).is_none() {
            return Ok(vec![None; self.batch.num_rows()]);
        }
        self.opt_f64(name)
    }
    fn bools(&self, name: &str) -> Result<&'a BooleanArray, ReportError> {
        let c = self.col(name)?;
        c.as_boolean_opt()
            .ok_or_else(|| self.err(name, format!("expected Boolean, got {}", c.data_type())))
    }
    pub fn bool(&self, name: &str) -> Result<Vec<bool>, ReportError> {
        let a = self.bools(name)?;
        self.no_nulls(name, a)?;
        Ok(a.iter().map(|v| v.unwrap_or(false)).collect())
    }
    pub fn opt_bool(&self, name: &str) -> Result<Vec<Option<bool>>, ReportError> {
        Ok(self.bools(name)?.iter().collect())
    }
    /// A nullable bool column added in a later schema version: all null when the file
    /// predates it.
    pub fn added_bool(&self, name: &str, rows: usize) -> Result<Vec<Option<bool>>, ReportError> {
        if self.batch.column_by_name(name).is_none() {
            return Ok(vec![None; rows]);
        }
        self.opt_bool(name)
    }
}

/// Writes one batch to `path` (Snappy-compressed Parquet) and fsyncs it.
fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let pq = |e: parquet::errors::ParquetError| ReportError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut writer = ArrowWriter::try_new(&file, batch.schema(), Some(props)).map_err(pq)?;
    writer.write(batch).map_err(pq)?;
    writer.close().map_err(pq)?;
    file.sync_all().map_err(io)
}

/// Reads every batch of a Parquet file and converts each with `rows`.
pub(crate) fn read_parquet<T>(
    path: &Path,
    rows: impl Fn(&Columns<'_>) -> Result<Vec<T>, ReportError>,
) -> Result<Vec<T>, ReportError> {
    let file = File::open(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let pq = |e: String| ReportError::Parquet {
        path: path.to_path_buf(),
        message: e,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| pq(e.to_string()))?
        .build()
        .map_err(|e| pq(e.to_string()))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| pq(e.to_string()))?;
        out.extend(rows(&Columns {
            batch: &batch,
            file: path,
        })?);
    }
    Ok(out)
}
