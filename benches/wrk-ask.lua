-- wrk script: POST /v1/ask with a rotating set of questions.
-- Used by BENCHMARKS.md: wrk -t2 -c64 -d20s -s benches/wrk-ask.lua http://127.0.0.1:8080/v1/ask
local questions = {
  "When does the revenue share end?",
  "Can OpenAI use AWS?",
  "what happend to the agi clasue",
  "What did Satya Nadella say?",
  "<@U024BE7LH> tl;dr pls",
  "How much of OpenAI does Microsoft own?",
}
local bodies = {}
for i, q in ipairs(questions) do
  bodies[i] = '{"question": "' .. q .. '"}'
end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("latency p50 %.0f us, p99 %.0f us\n", latency:percentile(50), latency:percentile(99)))
end
