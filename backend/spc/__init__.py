"""Statistical process control over span durations and error rates: control charts,
Nelson's rules, capability and sigma level. Plain functions over sequences."""
