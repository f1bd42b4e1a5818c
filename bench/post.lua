-- wrk: POST a chat completion. MODEL and KEY come from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "none")
local stream = os.getenv("STREAM") == "1"
wrk.body = '{"model":"' .. (os.getenv("MODEL") or "bench-json") .. '","stream":' .. (stream and "true" or "false")
  .. ',"messages":[{"role":"user","content":"Say hello to the benchmark."}]}'
