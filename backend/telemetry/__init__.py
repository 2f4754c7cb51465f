"""Spans: devkit's own tracer, the span model and store, OTLP decoding, the OTLP/HTTP
receiver, span files, and the hub that starts and stops them."""
