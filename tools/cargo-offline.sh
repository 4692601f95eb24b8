#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Makes DIR a CARGO_HOME for offline builds with Debian's Rust: its config.toml replaces
# crates.io with the vendored sources of Debian's standard library (rust-web-src), which
# -Zbuild-std needs, and forbids the network. rtheap's crates depend on nothing else.
# Usage: tools/cargo-offline.sh DIR
set -eu
dir=${1:?usage: cargo-offline.sh DIR}
mkdir -p "$dir"
cat >"$dir/config.toml" <<'END'
[source.crates-io]
replace-with = "rust-library-vendor"
[source.rust-library-vendor]
directory = "/usr/lib/rustlib/src/rust/library/vendor"
[net]
offline = true
END
