-- bench_web.py: one JSON line of what wrk measured (latencies in microseconds).
done = function(summary, latency, requests)
  io.write(string.format(
    '{"p50": %d, "p95": %d, "p99": %d, "requests": %d, "seconds": %.3f, "non2xx": %d, "errors": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
