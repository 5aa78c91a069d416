//! Any bytes given to the page reader and the filter: an error or values, never a panic.
#![no_main]

use _core::pages;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Vec<u8>, u16, u16, Vec<u64>)| {
    let (blob, count, slot, keys) = input;
    if let Ok(values) = pages::unpack_pages(&[&blob], &[usize::from(count)], &[3]) {
        assert!(values.len() < blob.len());
    }
    let _ = pages::pick_values(&[&blob], &[0], &[usize::from(slot)]);
    let _ = pages::bloom_maybe(&keys, &keys);
});
