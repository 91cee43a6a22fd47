"""X's intake: sweeps of the polled streams, their pollers, budget, baselines and timelines."""
