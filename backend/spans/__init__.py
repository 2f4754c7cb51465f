"""Spans: the model, OTLP decoding, the store, the receiver, span files, our own tracer."""
