//! MinHash signatures identical to datasketch's `affine32` scheme, and LSH band keys.
//!
//! For uint32 shingle hashes `h`, permutation `i` maps `fmix32(h)` to `a[i] * x + b[i]`
//! modulo 2**32 and a signature keeps the minimum of each: exactly
//! `datasketch.MinHash(num_perm, seed, hashfunc=lambda h: h).update_batch(hashes)`, whose
//! `a` and `b` the caller draws as datasketch does (numpy's `RandomState(seed)`).

/// What every slot of an empty set's signature holds (as in datasketch).
pub const EMPTY_VALUE: u32 = u32::MAX;

const BAND_SALT: u64 = 0x9E37_79B9_7F4A_7C15;
const ROW_MUL: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// MurmurHash3's 32-bit finalizer, which datasketch applies to each input hash.
#[inline]
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// Permutations computed together: 32 lanes of `a`, `b` and the minima fit in registers
/// (four AVX2 or two AVX-512 registers each), so a hash costs a broadcast and, per register,
/// a multiply, an add and a min, with no load or store of the signature.
const BLOCK: usize = 32;

/// Fold hashes already mixed by [`fmix32`] into `signature` (its slots hold running minima).
///
/// `a`, `b` and `signature` have one entry per permutation.
#[inline(always)]
fn update_mixed(signature: &mut [u32], mixed: &[u32], a: &[u32], b: &[u32]) {
    let mut slots = signature.chunks_exact_mut(BLOCK);
    let mut a_blocks = a.chunks_exact(BLOCK);
    let mut b_blocks = b.chunks_exact(BLOCK);
    for ((slot, a_block), b_block) in (&mut slots).zip(&mut a_blocks).zip(&mut b_blocks) {
        let mut minima = [0u32; BLOCK];
        minima.copy_from_slice(slot);
        let (mut a_lanes, mut b_lanes) = ([0u32; BLOCK], [0u32; BLOCK]);
        a_lanes.copy_from_slice(a_block);
        b_lanes.copy_from_slice(b_block);
        for &x in mixed {
            for ((m, &ai), &bi) in minima.iter_mut().zip(&a_lanes).zip(&b_lanes) {
                *m = (*m).min(ai.wrapping_mul(x).wrapping_add(bi));
            }
        }
        slot.copy_from_slice(&minima);
    }
    let tail = slots.into_remainder();
    for ((m, &ai), &bi) in tail
        .iter_mut()
        .zip(a_blocks.remainder())
        .zip(b_blocks.remainder())
    {
        for &x in mixed {
            *m = (*m).min(ai.wrapping_mul(x).wrapping_add(bi));
        }
    }
}

/// Fold one set of hashes into `signature` (its slots hold the running minima).
///
/// `a`, `b` and `signature` have one entry per permutation.
pub fn update(signature: &mut [u32], hashes: &[u32], a: &[u32], b: &[u32]) {
    let mixed: Vec<u32> = hashes.iter().map(|&h| fmix32(h)).collect();
    update_mixed(signature, &mixed, a, b);
}

/// Signatures of sets laid end to end: `counts[k]` hashes belong to set `k`.
///
/// Returns `counts.len() * a.len()` values, one row per set; an empty set's row holds
/// [`EMPTY_VALUE`] everywhere. The counts must add up to `hashes.len()` and `a` and `b`
/// have the same length (the binding layer checks both).
pub fn signatures(hashes: &[u32], counts: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked on the line above.
            return unsafe { signatures_avx512(hashes, counts, a, b) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked on the line above.
            return unsafe { signatures_avx2(hashes, counts, a, b) };
        }
    }
    signatures_portable(hashes, counts, a, b)
}

/// [`signatures`] compiled for AVX-512 (a wheel must run on any x86-64, so the choice is
/// made at run time).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn signatures_avx512(hashes: &[u32], counts: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    signatures_portable(hashes, counts, a, b)
}

/// [`signatures`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn signatures_avx2(hashes: &[u32], counts: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    signatures_portable(hashes, counts, a, b)
}

#[inline(always)]
fn signatures_portable(hashes: &[u32], counts: &[usize], a: &[u32], b: &[u32]) -> Vec<u32> {
    let num_perm = a.len();
    let mut out = vec![EMPTY_VALUE; counts.len() * num_perm];
    let mut mixed = Vec::new();
    let mut start = 0;
    for (row, &count) in out.chunks_exact_mut(num_perm.max(1)).zip(counts) {
        mixed.clear();
        mixed.extend(hashes[start..start + count].iter().map(|&h| fmix32(h)));
        update_mixed(row, &mixed, a, b);
        start += count;
    }
    out
}

/// The `bands` LSH bucket keys of each signature (rows of `num_perm` values): band `k`
/// hashes its `rows` values, salted with `k + 1`, to one 64-bit key.
///
/// `num_perm >= bands * rows` (the binding layer checks it); later values are ignored.
pub fn band_keys(signatures: &[u32], num_perm: usize, bands: usize, rows: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(signatures.len() / num_perm.max(1) * bands);
    for signature in signatures.chunks_exact(num_perm.max(1)) {
        for (k, band) in signature[..bands * rows]
            .chunks_exact(rows.max(1))
            .enumerate()
        {
            let mut key = (k as u64 + 1).wrapping_mul(BAND_SALT);
            for &value in band {
                key = key.wrapping_mul(ROW_MUL).wrapping_add(u64::from(value));
            }
            key ^= key >> 29;
            key = key.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            out.push(key ^ (key >> 32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sets_hold_the_empty_value_and_rows_match_one_at_a_time() {
        let (a, b) = ([3u32, 5, 7], [11u32, 13, 17]);
        let hashes = [9u32, 8, 7, 6, 5];
        let rows = signatures(&hashes, &[2, 0, 3], &a, &b);
        assert_eq!(&rows[3..6], &[EMPTY_VALUE; 3]);
        let mut third = [EMPTY_VALUE; 3];
        update(&mut third, &hashes[2..], &a, &b);
        assert_eq!(&rows[6..], &third);
    }

    #[test]
    fn a_signature_is_the_minimum_of_each_permutation() {
        let (a, b) = ([0x9E37_79B1u32], [12_345u32]);
        let hashes = [1u32, 2, 3, 400_000];
        let expected = hashes
            .iter()
            .map(|&h| a[0].wrapping_mul(fmix32(h)).wrapping_add(b[0]))
            .min()
            .unwrap();
        assert_eq!(signatures(&hashes, &[4], &a, &b), vec![expected]);
    }

    #[test]
    fn every_kernel_gives_the_same_rows() {
        let a: Vec<u32> = (0..77u32).map(|i| fmix32(i) | 1).collect();
        let b: Vec<u32> = (0..77u32).map(|i| fmix32(i + 1000)).collect();
        let hashes: Vec<u32> = (0..500u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let counts = [0, 1, 200, 0, 299];
        let portable = signatures_portable(&hashes, &counts, &a, &b);
        assert_eq!(signatures(&hashes, &counts, &a, &b), portable);
        let mut one = vec![EMPTY_VALUE; 77];
        update(&mut one, &hashes[201..], &a, &b);
        assert_eq!(&portable[4 * 77..], &one[..]);
    }

    #[test]
    fn fmix32_matches_murmur3() {
        assert_eq!(fmix32(0), 0);
        assert_eq!(fmix32(1), 0x514E_28B7);
    }

    #[test]
    fn equal_bands_give_equal_keys_and_bands_are_salted() {
        let sig = [1u32, 2, 1, 2, 9, 9, 0, 0];
        let keys = band_keys(&sig, 8, 3, 2);
        assert_eq!(keys.len(), 3);
        assert_ne!(
            keys[0], keys[1],
            "the same values in two bands must not share a key"
        );
        let other = band_keys(&[1u32, 2, 7, 7, 7, 7, 7, 7], 8, 3, 2);
        assert_eq!(keys[0], other[0]);
    }
}
