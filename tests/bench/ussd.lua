-- ussd.lua -- wrk script: Africa's Talking USSD requests (POST /ussd). 1000
-- sessions walk home -> procedures -> field 1 -> procedure 1 -> documents
-- (the last step runs the procedure dialog through the router), then start
-- again under a new session id. Consecutive steps of one session are 1000
-- requests apart, so they arrive in order; every request loads and saves its
-- route in Redis.
local counter = 0
local paths = {"", "2", "2*1", "2*1*1", "2*1*1*1"}
local tid = math.random(1, 1000000)
local secret = os.getenv("DVCBOT_CHANNELS_SECRET") or ""   -- SPEC.md "Channel access"
request = function()
  local s = counter % 1000
  local round = math.floor(counter / 1000)
  local step = round % #paths
  local walk = math.floor(round / #paths)
  counter = counter + 1
  local body = string.format("sessionId=b%d-%d-%d&serviceCode=%%2A384%%23&phoneNumber=0912%06d" ..
                             "&networkCode=45204&text=%s", tid, walk, s, s, paths[step + 1])
  return wrk.format("POST", "/ussd", {["Content-Type"] = "application/x-www-form-urlencoded",
                                      ["X-Dvcbot-Secret"] = secret}, body)
end
