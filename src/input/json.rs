//! Streaming JSON claims (being written).
