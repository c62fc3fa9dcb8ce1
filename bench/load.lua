-- wrk script for the POS Server load test (driven by bench/run.sh).
-- env: BENCH_DATA (data.lua from bench/prep.py), BENCH_SCENARIO, BENCH_TOKEN, BENCH_OUT (JSON lines).
local data = dofile(os.getenv("BENCH_DATA"))
local scenario = os.getenv("BENCH_SCENARIO")
local out_path = os.getenv("BENCH_OUT")

wrk.method = "POST"
wrk.path = "/graphql/"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "JWT " .. os.getenv("BENCH_TOKEN")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  ok, refused, bad, seq, sent, answered = 0, 0, 0, 0, 0, 0
  refusals, tids = "", {}
  math.randomseed(os.time() * 1000 + id * 7919)
end

local function pick(list) return list[math.random(#list)] end

local function distinct(list, n)
  local chosen, seen = {}, {}
  while #chosen < n do
    local v = pick(list)
    if not seen[v] then seen[v] = true; table.insert(chosen, v) end
  end
  return chosen
end

local SALE = 'mutation($input: SaleInput!) { createSale(input: $input) { success replayed errors { code } '
  .. 'sale { transactionId total change } } }'
local PRICE = 'query($input: SaleInput!) { priceSale(input: $input) { success errors { code } '
  .. 'quote { total amountDue } } }'

local function sale_input(products, lines, cash_only)
  local items = {}
  for _, pid in ipairs(distinct(products, lines)) do
    table.insert(items, string.format('{"productId":"%d","quantity":"%d"}', pid, math.random(1, 3)))
  end
  local r = cash_only and 0 or math.random()
  local customer, payments = "", nil
  if r < 0.45 then
    payments = '[{"method":"cash","amount":"100000.00"}]'
  elseif r < 0.65 then
    payments = '[{"method":"card","amount":"1.00"},{"method":"cash","amount":"100000.00"}]'
  elseif r < 0.80 then
    payments = '[{"method":"transfer","amount":"2.00"},{"method":"cash","amount":"100000.00"}]'
  else
    -- Part paid now, the rest charged to the customer's account (only part_payment or credit may do that).
    customer = string.format('"customerId":"%d",', pick(data.customers))
    payments = '[{"method":"part_payment","amount":"1.00"}]'
  end
  seq = seq + 1
  local key = string.format('"idempotencyKey":"bench-%d-%d-%d-%d",', os.time(), id, seq, math.random(1, 1e9))
  return string.format('{%s%s"items":[%s],"payments":%s}', customer, key, table.concat(items, ","), payments)
end

local function gql(query, variables)
  return (string.format([[{"query":%q,"variables":%s}]], query, variables or "{}"))
end

local bodies = {
  typename = function() return '{"query":"{ __typename }"}' end,
  createSale = function() return gql(SALE, '{"input":' .. sale_input(data.ids, math.random(1, 5)) .. '}') end,
  createSale3 = function() return gql(SALE, '{"input":' .. sale_input(data.ids, 3) .. '}') end,
  -- Issue 15's target: a 3-line cash sale without a customer.
  createSale3Cash = function() return gql(SALE, '{"input":' .. sale_input(data.ids, 3, true) .. '}') end,
  createSaleHot = function() return gql(SALE, '{"input":' .. sale_input(data.hot, math.random(1, 3)) .. '}') end,
  priceSale = function()
    return gql(PRICE, '{"input":' .. sale_input(data.ids, math.random(1, 5)):gsub('"idempotencyKey":"[^"]*",', '') .. '}')
  end,
  productByCode = function()
    return gql('query($c: String!) { productByCode(code: $c) { id name retailPrice stockQuantity } }',
      string.format('{"c":"%s"}', pick(data.codes)))
  end,
  products = function()
    return gql('query($s: String!) { products(search: $s, first: 20) { totalCount edges { node { id name retailPrice } } } }',
      string.format('{"s":"%s"}', pick(data.words)))
  end,
  salesStats = function()
    return gql('query($f: Date!, $t: Date!) { salesStats(dateFrom: $f, dateTo: $t) { totalSales totalTransactions averageSaleValue } }',
      string.format('{"f":"%s","t":"%s"}', data.date_from, data.date_to))
  end,
  profitAndLoss = function()
    return gql('query($f: Date!, $t: Date!) { profitAndLoss(dateFrom: $f, dateTo: $t) { revenue costOfGoodsSold grossProfit } }',
      string.format('{"f":"%s","t":"%s"}', data.date_from, data.date_to))
  end,
}

local make = assert(bodies[scenario], "unknown BENCH_SCENARIO " .. tostring(scenario))

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, make())
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    bad = bad + 1
  elseif body:find('"success":%s*true') then
    ok = ok + 1
    local tid = body:match('"transactionId":%s*"([^"]+)"')
    if tid then table.insert(tids, tid) end
  elseif body:find('"success":%s*false') then
    -- A business refusal (e.g. not enough stock): an answer, not an error; its codes are kept.
    refused = refused + 1
    local code = body:match('"code":%s*"([^"]+)"')
    if code and #refusals < 200 then refusals = refusals .. code .. " " end
  elseif body:find('"errors"', 1, true) or not body:find('"data"', 1, true) then
    bad = bad + 1
    if #refusals < 200 then refusals = refusals .. "ERR:" .. body:sub(1, 80):gsub('"', "'") .. " " end
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local t_ok, t_refused, t_bad, notes, unanswered = 0, 0, 0, "", 0
  local tid_file = io.open(out_path .. ".tids", "a")
  for _, thread in ipairs(threads) do
    t_ok = t_ok + thread:get("ok")
    unanswered = unanswered + thread:get("sent") - thread:get("answered")
    local list = thread:get("tids")
    if #list > 0 then tid_file:write(table.concat(list, "\n"), "\n") end
    t_refused = t_refused + thread:get("refused")
    t_bad = t_bad + thread:get("bad")
    notes = notes .. thread:get("refusals")
  end
  tid_file:close()
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  local line = string.format(
    '{"scenario":"%s","clients":%s,"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,'
      .. '"p99_ms":%.2f,"max_ms":%.2f,"ok":%d,"refused":%d,"errors":%d,"socket_errors":%d,"status_errors":%d,'
      .. '"unanswered":%d,"notes":"%s"}\n',
    scenario, os.getenv("BENCH_CLIENTS") or "0", summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t_ok, t_refused, t_bad + socket_errors, socket_errors, e.status, unanswered,
    notes:sub(1, 300))
  local f = io.open(out_path, "a")
  f:write(line)
  f:close()
  io.write(line)
end
