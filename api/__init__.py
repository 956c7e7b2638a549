"""idgraph API: GraphQL over HTTP, the CLI and settings; the only package that wires the others together."""
