#!/usr/bin/env python3
"""seed-sample.py -- load config/sample-dossiers.json into a running dvcbot
through the agency API, once per agency key it creates (`make run` calls it).

Usage: seed-sample.py HTTP_PORT [CONFIG]. Keys are created with
`build/dvcbot keys create` (Redis from the config / DVCBOT_REDIS_URL); PUT is
idempotent, so running it twice changes nothing."""
import json
import subprocess
import sys
import urllib.request


def main():
    port = sys.argv[1]
    cfg = sys.argv[2] if len(sys.argv) > 2 else "config/dvcbot.json"
    data = json.load(open("config/sample-dossiers.json", encoding="utf-8"))
    keys = {}
    loaded = 0
    for d in data["dossiers"]:
        code = d.pop("code")
        agency = code.rsplit("-", 2)[0]
        if agency not in keys:
            out = subprocess.run(["build/dvcbot", "keys", "create", "--agency", agency,
                                  "--name", "sample data (make run)", "--config", cfg],
                                 capture_output=True, text=True, check=True)
            keys[agency] = out.stdout.strip()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/dossiers/{code}",
                                     data=json.dumps(d).encode(), method="PUT",
                                     headers={"Authorization": f"Bearer {keys[agency]}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            loaded += r.status == 200 or r.status == 201
    print(f"seed-sample: {loaded} sample dossiers loaded for {', '.join(sorted(keys))} "
          "(try: TRACUU 000.00.12.H18-200520-0001)")


if __name__ == "__main__":
    main()
