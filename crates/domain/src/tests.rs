//! Tests of the domain as a whole, across its modules: the properties every decider holds.

mod properties;
