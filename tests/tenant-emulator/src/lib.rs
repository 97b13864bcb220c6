//! The tenant emulator (being built).
