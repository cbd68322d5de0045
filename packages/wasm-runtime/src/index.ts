// Implemented by its own issue; see docs/adr/001-package-graph.md for what this package owns.
export {};
