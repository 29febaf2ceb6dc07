#!/usr/bin/env python3
"""dvcbot-json.py -- /etc/dvcbot/dvcbot.json of the package, from
config/dvcbot.json: the data files under /usr/share/dvcbot, the system
Redis (6379), and no outbox drain until a Kannel is configured (sms.outbox,
docs/operations.md). Usage: dvcbot-json.py SRC OUT."""
import json
import sys

SHARE = "/usr/share/dvcbot"
src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    cfg = json.load(f)
cfg["http"]["web_root"] = SHARE + "/web"
cfg["redis"]["url"] = "redis://127.0.0.1:6379/0"
cfg["sms"]["outbox"] = False
for k, v in cfg["files"].items():
    cfg["files"][k] = f"{SHARE}/config/{v}"
with open(out, "w", encoding="utf-8") as f:
    json.dump(cfg, f, ensure_ascii=False, indent=2)
    f.write("\n")
