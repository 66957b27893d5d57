-- bench/soak.lua - wrk script of bench/soak: mixed traffic of citizens and analysts.
-- Script arguments: BODY_FILE SURVEY ANALYST_TOKEN TEAM_TOKEN [MODE]; MODE "health" sends only
-- GET /healthz (the ceiling of the same server and client); "post", "form", "estimates" and
-- "progress" only that kind: bench/soak runs one wrk per kind at once, so that each kind's
-- latency is its own. Without MODE, one wrk mixes them by share of requests:
--   35% citizens' JSON posts (a unique client id each)    -> 201
--   30% the citizens' web form (GET /s/SURVEY)             -> 200
--   15% estimates by agency (analyst token)                -> 200
--   10% fieldwork progress (team token)                    -> 200
--   10% GET /healthz                                        -> 200
-- Every request says Accept-Encoding: gzip, deflate, br, as the browsers of citizens and
-- analysts do (the server gzips the replies it keeps, such as the estimates).
-- Any other status, and every socket error (connect, read, write, timeout), is an error.
local threads = {}
local counter, prefix = 0, ""
local accept = "gzip, deflate, br"

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	local f = assert(io.open(args[1], "r"))
	local body = f:read("*a"):gsub("%s+$", "")
	f:close()
	body_head = string.sub(body, 2)
	survey, analyst, team, mode = args[2], args[3], args[4], args[5] or "mixed"
	math.randomseed(os.time() * 1000 + tid)
	prefix = string.format("%08x-%04x-4", math.random(0, 0x7fffffff), tid)
	bad = 0
end

function request()
	counter = counter + 1
	local r = math.random(100)
	if mode == "health" then r = 100
	elseif mode == "post" then r = 1
	elseif mode == "form" then r = 50
	elseif mode == "estimates" then r = 70
	elseif mode == "progress" then r = 85
	end
	if r <= 35 then
		local id = string.format("%s%03x-8%03x-%012x", prefix, counter % 4096, math.floor(counter / 4096) % 4096, counter)
		return wrk.format("POST", "/api/v1/surveys/" .. survey .. "/responses",
			{ ["Content-Type"] = "application/json", ["Accept-Encoding"] = accept }, '{"id":"' .. id .. '",' .. body_head)
	end
	if r <= 65 then
		return wrk.format("GET", "/s/" .. survey, { ["Accept-Encoding"] = accept })
	elseif r <= 80 then
		return wrk.format("GET", "/api/v1/surveys/" .. survey .. "/estimates?by=agency",
			{ ["Authorization"] = "Bearer " .. analyst, ["Accept-Encoding"] = accept })
	elseif r <= 90 then
		return wrk.format("GET", "/api/v1/surveys/" .. survey .. "/progress",
			{ ["Authorization"] = "Bearer " .. team, ["Accept-Encoding"] = accept })
	end
	return wrk.format("GET", "/healthz", { ["Accept-Encoding"] = accept })
end

-- wrk's response() does not say which request a reply answers: a reply is an error when it
-- is neither 200 nor 201.
function response(status, headers, body)
	if status ~= 200 and status ~= 201 then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local total = 0
	for _, t in ipairs(threads) do
		total = total + (t:get("bad") or 0)
	end
	local e = summary.errors
	io.write(string.format("bad_status %d\n", total))
	io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
	io.write(string.format("requests %d\n", summary.requests))
	io.write(string.format("rps %.1f\n", summary.requests / (summary.duration / 1e6)))
	io.write(string.format("p50_ms %.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("p99_ms %.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("max_ms %.3f\n", latency.max / 1000))
end
