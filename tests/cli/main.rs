//! Black-box tests of the `sightline` binary (being written).
