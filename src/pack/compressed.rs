//! Data files that arrive compressed. The standard pack ships the national tables as zstd, and
//! a payer may point `--table` at a `.gz` download: a file is told by its first bytes, not by
//! its name, and read as the text it holds.

use std::borrow::Cow;
use std::io::Read;

/// How a data file's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// A Zstandard stream (RFC 8878), as `zstd` writes it.
    Zstd,
    /// A gzip stream (RFC 1952), as `gzip` writes it.
    Gzip,
}

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
const GZIP_MAGIC: [u8; 2] = [0x1F, 0x8B];

impl Compression {
    /// The compression of bytes, by their magic number.
    pub fn of(bytes: &[u8]) -> Compression {
        if bytes.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else if bytes.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }
}

/// The bytes a data file holds: the file's own bytes, or what they decompress to. At most
/// `limit` bytes come out: a file that decompresses to more is refused rather than filling
/// memory, and so is a damaged stream.
pub fn decompress<'b>(bytes: &'b [u8], limit: u64, shown: &str) -> Result<Cow<'b, [u8]>, String> {
    let damaged = |kind: &str, e: std::io::Error| {
        format!("`{shown}` is {kind}-compressed but does not decompress: {e}")
    };
    let out = match Compression::of(bytes) {
        Compression::None => return Ok(Cow::Borrowed(bytes)),
        Compression::Zstd => {
            let decoder =
                zstd::stream::read::Decoder::with_buffer(bytes).map_err(|e| damaged("zstd", e))?;
            read_bounded(decoder, content_size(bytes), limit).map_err(|e| damaged("zstd", e))?
        }
        Compression::Gzip => {
            let decoder = flate2::read::MultiGzDecoder::new(bytes);
            read_bounded(decoder, None, limit).map_err(|e| damaged("gzip", e))?
        }
    };
    if out.len() as u64 > limit {
        return Err(format!(
            "`{shown}` decompresses to more than the limit of {limit} bytes for a data file"
        ));
    }
    Ok(Cow::Owned(out))
}

/// The name a file is cited by: a compressed file is cited as the file it holds
/// (`ptp.tsv.zst` as `ptp.tsv`), so that an auditor opens the published file at the cited line.
pub fn cited_as(name: &str, bytes: &[u8]) -> String {
    let inner = match Compression::of(bytes) {
        Compression::None => None,
        Compression::Zstd => name
            .strip_suffix(".zst")
            .or_else(|| name.strip_suffix(".zstd")),
        Compression::Gzip => name.strip_suffix(".gz"),
    };
    inner.unwrap_or(name).to_string()
}

/// Reads a decoder to its end, or to one byte past `limit` (which the caller refuses).
fn read_bounded(decoder: impl Read, expected: Option<u64>, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    // A frame that states its size lets the buffer be allocated once; a size past the limit is
    // not trusted with memory.
    if let Some(size) = expected.filter(|&s| s <= limit) {
        out.reserve_exact(size as usize);
    }
    decoder
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)?;
    Ok(out)
}

/// The decompressed size a zstd frame header states, when it states one.
fn content_size(bytes: &[u8]) -> Option<u64> {
    zstd::zstd_safe::get_frame_content_size(bytes)
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = b"column_1\tcolumn_2\n27093\t77002\n";

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        zstd::encode_all(bytes, 3).expect("compress")
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("compress");
        encoder.finish().expect("compress")
    }

    #[test]
    fn compressed_and_plain_bytes_read_as_the_same_text() {
        for bytes in [TEXT.to_vec(), zstd(TEXT), gzip(TEXT)] {
            assert_eq!(&*decompress(&bytes, 1 << 20, "t").unwrap(), TEXT);
        }
        assert!(matches!(
            decompress(TEXT, 1 << 20, "t"),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn the_kind_is_told_by_content_not_by_name() {
        assert_eq!(Compression::of(&zstd(TEXT)), Compression::Zstd);
        assert_eq!(Compression::of(&gzip(TEXT)), Compression::Gzip);
        assert_eq!(Compression::of(TEXT), Compression::None);
        assert_eq!(cited_as("ptp.tsv.zst", &zstd(TEXT)), "ptp.tsv");
        assert_eq!(cited_as("ptp.tsv.gz", &gzip(TEXT)), "ptp.tsv");
        assert_eq!(cited_as("ptp.data", &zstd(TEXT)), "ptp.data");
        assert_eq!(cited_as("ptp.tsv.gz", TEXT), "ptp.tsv.gz");
    }

    #[test]
    fn more_than_the_limit_is_refused() {
        let big = vec![b'x'; 10_000];
        for bytes in [zstd(&big), gzip(&big)] {
            let e = decompress(&bytes, 9_999, "big.zst").unwrap_err();
            assert!(e.contains("more than the limit of 9999 bytes"), "{e}");
            assert_eq!(decompress(&bytes, 10_000, "big").unwrap().len(), 10_000);
        }
    }

    #[test]
    fn a_damaged_stream_is_an_error() {
        for mut bytes in [zstd(TEXT), gzip(TEXT)] {
            let n = bytes.len();
            bytes.truncate(n / 2 + 4);
            let e = decompress(&bytes, 1 << 20, "cut.tsv.zst").unwrap_err();
            assert!(e.contains("does not decompress"), "{e}");
        }
    }
}
