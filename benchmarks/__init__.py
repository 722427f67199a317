"""npgrad benchmarks: every workload timed beside PyTorch in the same run (``python -m benchmarks``)."""
