//! bindery: authentik flows, stages and bindings, managed from the terminal.
//!
//! The library holds everything that is not a terminal: the domain model, the store, the edit
//! layer. Nothing here depends on ratatui, crossterm or clap.

pub mod blueprint;
pub mod cli;
pub mod demo;
pub mod edit;
pub mod engine;
pub mod generate;
pub mod lint;
pub mod model;
pub mod remote;
pub mod store;
pub mod text;
pub mod tui;
