//! A stored document's verification data as compact bytes (the payload of an index file),
//! and back: the layout `dedup/store/codec.py` describes, bit for bit.
//!
//! The bytes come from a file, so the decoder trusts nothing in them: every count is checked
//! against the bytes left BEFORE anything is allocated for it (a payload of `n` bytes never
//! makes the decoder allocate more than a small multiple of `n`), and every fault is an
//! [`Error`] saying what was wrong, never a panic.

use std::fmt;

/// The payload format this code reads and writes.
pub const VERSION: u8 = 2;
/// version, words, shingles, units, stem entries, distinct stems, truncated (`<BIIIIIB`).
const HEAD: usize = 22;
const EXACT_KEY: usize = 16;
/// low bits, bytes of the high part (`<BI`).
const EF_HEAD: usize = 5;

/// Why stored bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Written by another format version (`None`: no bytes at all).
    Version(Option<u8>),
    /// The bytes end before `what` does.
    Truncated {
        what: &'static str,
        need: u64,
        have: u64,
    },
    /// A field holds a value the format never writes.
    Invalid { what: &'static str, detail: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Version(Some(v)) => write!(f, "payload format {v}, this dedup reads {VERSION}"),
            Error::Version(None) => write!(f, "empty payload, this dedup reads format {VERSION}"),
            Error::Truncated { what, need, have } => write!(
                f,
                "payload truncated: {what} needs {need} bytes, {have} left"
            ),
            Error::Invalid { what, detail } => write!(f, "payload damaged: {what} {detail}"),
        }
    }
}

impl std::error::Error for Error {}

/// What verification needs of one stored document (see `decode_features` in Python).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stored {
    pub words: u32,
    pub truncated: bool,
    pub exact_key: [u8; 16],
    /// Sorted word-shingle hashes.
    pub shingles: Vec<u32>,
    /// Every unit's stems, concatenated in unit order.
    pub stems: Vec<u32>,
    /// Stems a unit.
    pub sizes: Vec<i64>,
    /// Each unit's exact key.
    pub keys: Vec<u64>,
    /// Each unit's first line.
    pub lines: Vec<i64>,
    /// Each unit's last line minus its first.
    pub spans: Vec<i64>,
    /// Each unit's word count.
    pub unit_words: Vec<i64>,
}

/// A cursor over untrusted bytes: every read is checked.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], Error> {
        let have = self.left() as u64;
        if n > have {
            return Err(Error::Truncated {
                what,
                need: n,
                have,
            });
        }
        let n = n as usize; // <= have, so it fits
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The header's counts.
struct Head {
    words: u32,
    shingles: u32,
    units: u32,
    stems: u32,
    distinct: u32,
    truncated: u8,
}

fn check_version(data: &[u8]) -> Result<(), Error> {
    match data.first() {
        Some(&VERSION) => Ok(()),
        other => Err(Error::Version(other.copied())),
    }
}

fn read_head(r: &mut Reader<'_>) -> Result<Head, Error> {
    check_version(r.data)?;
    r.take(1, "the header")?;
    if r.left() < HEAD - 1 {
        return Err(Error::Truncated {
            what: "the header",
            need: HEAD as u64,
            have: r.data.len() as u64,
        });
    }
    Ok(Head {
        words: r.u32("the header")?,
        shingles: r.u32("the header")?,
        units: r.u32("the header")?,
        stems: r.u32("the header")?,
        distinct: r.u32("the header")?,
        truncated: r.u8("the header")?,
    })
}

/// Read `n` values below 2**32 in Elias-Fano form (low parts of any width up to 32 bits;
/// whole bytes, as [`ef_pack`] writes them, are read a byte at a time).
fn ef_unpack(r: &mut Reader<'_>, n: u32, what: &'static str) -> Result<Vec<u32>, Error> {
    let low_bits = u32::from(r.u8(what)?);
    let high_size = u64::from(r.u32(what)?);
    if n == 0 {
        if high_size != 0 || low_bits != 0 {
            return Err(Error::Invalid {
                what,
                detail: format!("has no values but {high_size} bytes of high part"),
            });
        }
        return Ok(Vec::new());
    }
    if low_bits > 32 {
        return Err(Error::Invalid {
            what,
            detail: format!("has {low_bits} low bits a value, at most 32 fit"),
        });
    }
    let high = r.take(high_size, what)?;
    let n64 = u64::from(n);
    // n set bits need n bits: checked before the allocation of n values.
    if n64 > 8 * high_size {
        return Err(Error::Invalid {
            what,
            detail: format!("holds {n} values in {high_size} bytes of high part"),
        });
    }
    let low = r.take((n64 * u64::from(low_bits)).div_ceil(8), what)?;
    let mut values = Vec::with_capacity(n as usize);
    'bytes: for (i, &byte) in high.iter().enumerate() {
        let mut bits = byte;
        while bits != 0 {
            let at = (i as u64) * 8 + u64::from(bits.trailing_zeros());
            let index = values.len() as u64;
            values.push(((at - index) << low_bits) as u32);
            if values.len() as u64 == n64 {
                break 'bytes;
            }
            bits &= bits - 1;
        }
    }
    if (values.len() as u64) < n64 {
        return Err(Error::Invalid {
            what,
            detail: format!("high part holds {} of its {n} values", values.len()),
        });
    }
    if low_bits % 8 == 0 {
        let width = (low_bits / 8) as usize;
        if width > 0 {
            for (value, part) in values.iter_mut().zip(low.chunks_exact(width)) {
                let mut word = [0u8; 4];
                word[..width].copy_from_slice(part);
                *value |= u32::from_le_bytes(word);
            }
        }
    } else {
        for (i, value) in values.iter_mut().enumerate() {
            let mut part = 0u32;
            for j in 0..low_bits {
                let bit = i as u64 * u64::from(low_bits) + u64::from(j);
                part |= u32::from((low[(bit / 8) as usize] >> (bit % 8)) & 1) << j;
            }
            *value |= part;
        }
    }
    Ok(values)
}

/// Write sorted `values` in Elias-Fano form, the low parts in whole bytes.
fn ef_pack(values: &[u32], out: &mut Vec<u8>) {
    let n = values.len();
    if n == 0 {
        out.extend_from_slice(&[0; EF_HEAD]);
        return;
    }
    let bit_length = usize::BITS - n.leading_zeros();
    let low_bytes = 32u32.saturating_sub(bit_length).div_ceil(8);
    let shift = 8 * low_bytes;
    let high = |v: u32| (u64::from(v) >> shift) as usize;
    let bits = high(values[n - 1]) + n;
    let mut unary = vec![0u8; bits.div_ceil(8)];
    for (i, &v) in values.iter().enumerate() {
        let at = high(v) + i;
        unary[at / 8] |= 1 << (at % 8);
    }
    out.push(shift as u8);
    out.extend_from_slice(&(unary.len() as u32).to_le_bytes());
    out.extend_from_slice(&unary);
    for &v in values {
        out.extend_from_slice(&v.to_le_bytes()[..low_bytes as usize]);
    }
}

/// Read `n` unsigned values of the width (1, 2, 4 or 8 bytes) the first byte names.
fn unsmall(r: &mut Reader<'_>, n: u32, what: &'static str) -> Result<Vec<u64>, Error> {
    let width = r.u8(what)?;
    if !matches!(width, 1 | 2 | 4 | 8) {
        return Err(Error::Invalid {
            what,
            detail: format!("has values of {width} bytes, not 1, 2, 4 or 8"),
        });
    }
    let bytes = r.take(u64::from(n) * u64::from(width), what)?;
    Ok(bytes
        .chunks_exact(width as usize)
        .map(|c| {
            let mut word = [0u8; 8];
            word[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(word)
        })
        .collect())
}

/// Write `values` in the fewest whole bytes (1, 2, 4 or 8) that hold them all.
fn small(values: impl Iterator<Item = u64> + Clone, out: &mut Vec<u8>) {
    let top = values.clone().max().unwrap_or(0);
    let width: usize = match top {
        0..0x100 => 1,
        0x100..0x1_0000 => 2,
        0x1_0000..0x1_0000_0000 => 4,
        _ => 8,
    };
    out.push(width as u8);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
}

/// Decode a payload written by [`encode`] (or by the Python codec it replaced).
pub fn decode(data: &[u8]) -> Result<Stored, Error> {
    let mut r = Reader { data, pos: 0 };
    let head = read_head(&mut r)?;
    let mut exact_key = [0u8; 16];
    exact_key.copy_from_slice(r.take(EXACT_KEY as u64, "the exact key")?);
    let shingles = ef_unpack(&mut r, head.shingles, "the shingles")?;
    let distinct = ef_unpack(&mut r, head.distinct, "the distinct stems")?;
    let stems = unsmall(&mut r, head.stems, "the stem positions")?
        .into_iter()
        .map(|w| {
            distinct
                .get(w as usize)
                .copied()
                .ok_or_else(|| Error::Invalid {
                    what: "the stem positions",
                    detail: format!("name stem {w} of {}", distinct.len()),
                })
        })
        .collect::<Result<Vec<u32>, Error>>()?;
    let mut columns: [Vec<i64>; 4] = Default::default();
    const COLUMNS: [&str; 4] = [
        "the unit lines",
        "the unit line spans",
        "the unit word counts",
        "the unit stem counts",
    ];
    for (column, what) in columns.iter_mut().zip(COLUMNS) {
        *column = unsmall(&mut r, head.units, what)?
            .into_iter()
            .map(|v| v as i64) // as numpy's astype(int64): wraps
            .collect();
    }
    let [line_steps, spans, unit_words, sizes] = columns;
    let total = sizes.iter().try_fold(0u64, |t, &s| t.checked_add(s as u64));
    if total != Some(u64::from(head.stems)) {
        return Err(Error::Invalid {
            what: "the unit stem counts",
            detail: format!("do not add up to the {} stems of the header", head.stems),
        });
    }
    let keys: Vec<u64> = r
        .take(8 * u64::from(head.units), "the unit keys")?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    if r.left() != 0 {
        return Err(Error::Invalid {
            what: "the payload",
            detail: format!("has {} bytes after its last field", r.left()),
        });
    }
    let mut line = 0i64;
    let lines = line_steps
        .iter()
        .map(|&step| {
            line = line.wrapping_add(step);
            line
        })
        .collect();
    Ok(Stored {
        words: head.words,
        truncated: head.truncated != 0,
        exact_key,
        shingles,
        stems,
        sizes,
        keys,
        lines,
        spans,
        unit_words,
    })
}

/// The sentence keys of a payload (its last `8 * units` bytes), without decoding the rest.
pub fn unit_keys(data: &[u8]) -> Result<Vec<u64>, Error> {
    let mut r = Reader { data, pos: 0 };
    let head = read_head(&mut r)?;
    let need = 8 * u64::from(head.units);
    let have = r.left() as u64;
    if need > have {
        return Err(Error::Truncated {
            what: "the unit keys",
            need,
            have,
        });
    }
    Ok(data[data.len() - need as usize..]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// What [`encode`] stores of a document (the fields of [`Stored`], lines as first and last).
pub struct Payload<'a> {
    pub words: u32,
    pub truncated: bool,
    /// Padded with zeros or cut to 16 bytes.
    pub exact_key: &'a [u8],
    /// In any order: they are sorted.
    pub shingles: &'a [u32],
    pub stems: &'a [u32],
    pub sizes: &'a [u64],
    pub keys: &'a [u64],
    pub lines: &'a [u64],
    pub end_lines: &'a [u64],
    pub unit_words: &'a [u64],
}

/// Encode a document's verification data (bit for bit what the Python codec wrote).
///
/// # Panics
/// If the unit arrays differ in length or `sizes` do not add up to `stems`: the caller's
/// bug, not the data's.
pub fn encode(p: &Payload<'_>) -> Vec<u8> {
    let units = p.keys.len();
    for column in [p.sizes, p.lines, p.end_lines, p.unit_words] {
        assert_eq!(column.len(), units, "one value a unit in every unit column");
    }
    assert_eq!(
        p.sizes.iter().sum::<u64>(),
        p.stems.len() as u64,
        "unit sizes add up to the stems"
    );
    let mut shingles = p.shingles.to_vec();
    shingles.sort_unstable();
    let mut distinct = p.stems.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let mut out = Vec::with_capacity(HEAD + EXACT_KEY + 6 * shingles.len() + 12 * units);
    out.push(VERSION);
    for count in [
        p.words as usize,
        shingles.len(),
        units,
        p.stems.len(),
        distinct.len(),
    ] {
        out.extend_from_slice(&(count as u32).to_le_bytes());
    }
    out.push(u8::from(p.truncated));
    let mut key = [0u8; 16];
    let cut = p.exact_key.len().min(16);
    key[..cut].copy_from_slice(&p.exact_key[..cut]);
    out.extend_from_slice(&key);
    ef_pack(&shingles, &mut out);
    ef_pack(&distinct, &mut out);
    let where_ = p
        .stems
        .iter()
        .map(|s| distinct.binary_search(s).expect("a stem is in its set") as u64);
    small(where_, &mut out);
    let steps = (0..units).map(|i| {
        let before = if i == 0 { 0 } else { p.lines[i - 1] };
        p.lines[i].wrapping_sub(before)
    });
    small(steps, &mut out);
    small(
        (0..units).map(|i| p.end_lines[i].wrapping_sub(p.lines[i])),
        &mut out,
    );
    small(p.unit_words.iter().copied(), &mut out);
    small(p.sizes.iter().copied(), &mut out);
    for k in p.keys {
        out.extend_from_slice(&k.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        encode(&Payload {
            words: 12,
            truncated: false,
            exact_key: b"0123456789abcdef",
            shingles: &[9, 3, 70000, 4_000_000_000],
            stems: &[5, 7, 5, 900],
            sizes: &[3, 1],
            keys: &[1, u64::MAX],
            lines: &[2, 5],
            end_lines: &[2, 7],
            unit_words: &[6, 6],
        })
    }

    #[test]
    fn round_trip() {
        let got = decode(&sample()).unwrap();
        assert_eq!(got.shingles, [3, 9, 70000, 4_000_000_000]);
        assert_eq!(got.stems, [5, 7, 5, 900]);
        assert_eq!(got.sizes, [3, 1]);
        assert_eq!(got.lines, [2, 5]);
        assert_eq!(got.spans, [0, 2]);
        assert_eq!(got.keys, [1, u64::MAX]);
        assert_eq!(unit_keys(&sample()).unwrap(), [1, u64::MAX]);
    }

    #[test]
    fn errors_name_the_fault() {
        assert_eq!(decode(&[]), Err(Error::Version(None)));
        assert_eq!(decode(&[1, 0, 0]), Err(Error::Version(Some(1))));
        let data = sample();
        let cut = decode(&data[..data.len() - 1]).unwrap_err();
        assert!(
            matches!(
                cut,
                Error::Truncated {
                    what: "the unit keys",
                    ..
                }
            ),
            "{cut}"
        );
        let mut more = data.clone();
        more.push(0);
        assert!(
            decode(&more)
                .unwrap_err()
                .to_string()
                .contains("1 bytes after")
        );
    }

    #[test]
    fn hostile_counts_are_refused_before_allocating() {
        // Header claims 2**32 - 1 shingles, units and stems in a payload of a few bytes.
        let mut data = vec![VERSION];
        data.extend_from_slice(&[0xff; 20]);
        data.push(0);
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&[8, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(decode(&data), Err(Error::Truncated { .. })));
        assert!(matches!(unit_keys(&data), Err(Error::Truncated { .. })));
    }

    #[test]
    fn odd_low_widths_are_read_bit_by_bit() {
        // 3 values with 5 low bits: high parts 0, 1, 2 (unary bits 0, 2, 4), low parts
        // 1, 2, 3 packed little-endian 5 bits each (bits 0, 6, 10 and 11).
        let mut r = Reader {
            data: &[5, 1, 0, 0, 0, 0b1_0101, 0b0100_0001, 0b0000_1100],
            pos: 0,
        };
        let got = ef_unpack(&mut r, 3, "x").unwrap();
        assert_eq!(got, [1, (1 << 5) | 2, (2 << 5) | 3]);
    }

    fn payload_strategy() -> impl Strategy<Value = Vec<u8>> {
        (
            any::<u32>(),
            any::<bool>(),
            proptest::collection::vec(any::<u8>(), 0..20),
            proptest::collection::vec(any::<u32>(), 0..300),
            proptest::collection::vec((0u64..4, 0u64..50, 0u64..3, 0u64..300, any::<u64>()), 0..20),
            proptest::collection::vec(any::<u32>(), 1..40),
        )
            .prop_map(|(words, truncated, key, shingles, units, pool)| {
                let mut stems = Vec::new();
                let (mut sizes, mut keys, mut lines, mut ends, mut uw) =
                    (vec![], vec![], vec![], vec![], vec![]);
                let mut line = 0;
                for (i, &(step, size, span, w, k)) in units.iter().enumerate() {
                    line += step;
                    for j in 0..size {
                        stems.push(pool[((i as u64 * 7 + j * 3) % pool.len() as u64) as usize]);
                    }
                    sizes.push(size);
                    keys.push(k);
                    lines.push(line);
                    ends.push(line + span);
                    uw.push(w);
                }
                encode(&Payload {
                    words,
                    truncated,
                    exact_key: &key,
                    shingles: &shingles,
                    stems: &stems,
                    sizes: &sizes,
                    keys: &keys,
                    lines: &lines,
                    end_lines: &ends,
                    unit_words: &uw,
                })
            })
    }

    /// The decoder's allocations are bounded by its input: no output array may hold more
    /// values than the payload has bytes (times 8, for the shingles' high bits).
    fn bounded(data: &[u8], s: &Stored) {
        let n = data.len();
        assert!(s.shingles.len() <= 8 * n && s.stems.len() <= n && s.keys.len() <= n);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn encode_decode_encode_is_identity(data in payload_strategy()) {
            let s = decode(&data).unwrap();
            let sizes: Vec<u64> = s.sizes.iter().map(|&v| v as u64).collect();
            let lines: Vec<u64> = s.lines.iter().map(|&v| v as u64).collect();
            let ends: Vec<u64> = s.lines.iter().zip(&s.spans).map(|(&l, &e)| (l + e) as u64).collect();
            let words: Vec<u64> = s.unit_words.iter().map(|&v| v as u64).collect();
            let again = encode(&Payload {
                words: s.words, truncated: s.truncated, exact_key: &s.exact_key,
                shingles: &s.shingles, stems: &s.stems, sizes: &sizes, keys: &s.keys,
                lines: &lines, end_lines: &ends, unit_words: &words,
            });
            prop_assert_eq!(again, data.clone());
            prop_assert_eq!(unit_keys(&data).unwrap(), s.keys);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut data in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Some(first) = data.first_mut() { *first = VERSION; }
            if let Ok(s) = decode(&data) { bounded(&data, &s); }
            let _ = unit_keys(&data);
        }

        #[test]
        fn mutated_payloads_never_panic(
            data in payload_strategy(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bad = data.clone();
            for (at, byte) in flips {
                let i = at.index(bad.len());
                bad[i] = byte;
            }
            if let Ok(s) = decode(&bad) { bounded(&bad, &s); }
            let _ = unit_keys(&bad);
            let short = &data[..cut.index(data.len())];
            prop_assert!(decode(short).is_err());
        }
    }
}
