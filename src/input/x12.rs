//! X12 837P claims (being written).
