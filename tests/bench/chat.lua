-- chat.lua -- wrk script: POST /api/v1/chat with a different user per request
-- (so every request loads and saves its own session) and a realistic text.
local counter = 0
local texts = {
  "xin chao", "TRACUU 000.00.12.H18-200520-0001", "lam giay khai sinh can giay to gi",
  "HD", "danh gia 5 sao", "gia vang hom nay bao nhieu",
}
request = function()
  counter = counter + 1
  local body = string.format('{"user":"bench-%d-%d","text":"%s"}',
                             math.random(1, 1000000), counter, texts[(counter % #texts) + 1])
  return wrk.format("POST", "/api/v1/chat", {["Content-Type"] = "application/json"}, body)
end
