-- wrk script of benchmarks/auth_overhead.py: POST /api/v1/auth/refresh, each request a real rotation.
-- init reads a pool of refresh tokens (one per line) from the file named by the first script argument.
-- Each request takes a token from the pool; each answer's successor (`refresh_token` in the JSON body,
-- REFRESH_TOKEN_TRANSPORT=body) goes back into it. wrk sends a connection's next request only after its
-- answer was handled, so with at most 4 connections a pool of 6 never runs dry unless requests fail;
-- a failed request loses its token, and an empty pool sends "exhausted" (a 401, counted as non-2xx).
local pool = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then pool[#pool + 1] = line end
  end
end

function request()
  local token = table.remove(pool) or "exhausted"
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
                    '{"refresh_token": "' .. token .. '"}')
end

function response(status, headers, body)
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then pool[#pool + 1] = token end
end
