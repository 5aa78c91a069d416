//! Any bytes given to the payload decoder: an error or a payload no larger than its bytes
//! allow, never a panic.
#![no_main]

use _core::codec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = codec::unit_keys(data);
    if let Ok(stored) = codec::decode(data) {
        assert!(stored.shingles.len() <= 8 * data.len());
        assert!(stored.stems.len() <= data.len() && stored.keys.len() <= data.len());
    }
});
