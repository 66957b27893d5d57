-- bench/intake.lua - wrk script: POSTs the JSON body of bench/intake (file given as the first
-- script argument, without "id") with a unique client id per request; counts non-2xx replies.
-- Arguments: BODY_FILE PATH [RUN] (RUN: a number that differs between concurrent wrk processes).
local threads = {}
local counter, prefix = 0, ""
local body_head, path

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	local f = assert(io.open(args[1], "r"))
	local body = f:read("*a"):gsub("%s+$", "")
	f:close()
	path = args[2]
	body_head = string.sub(body, 2)      -- drop the opening brace: the id goes first
	-- tid is set per thread by setup(); the random part keeps runs apart
	-- (an optional third argument tells apart wrk processes started in the same second)
	math.randomseed(os.time() * 1000 + tid + 100 * (tonumber(args[3]) or 0))
	prefix = string.format("%08x-%04x-4", math.random(0, 0x7fffffff), tid)
	bad = 0
end

function request()
	counter = counter + 1
	local id = string.format("%s%03x-8%03x-%012x", prefix, counter % 4096, math.floor(counter / 4096) % 4096, counter)
	return wrk.format("POST", path, { ["Content-Type"] = "application/json" },
		'{"id":"' .. id .. '",' .. body_head)
end

function response(status, headers, body)
	if status ~= 201 then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local total = 0
	for _, t in ipairs(threads) do
		total = total + (t:get("bad") or 0)
	end
	io.write(string.format("non_201 %d\n", total))
	io.write(string.format("p99_ms %.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("p50_ms %.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("rps %.1f\n", summary.requests / (summary.duration / 1e6)))
end
