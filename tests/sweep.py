#!/usr/bin/env python3
"""sweep.py: the suite-wide secret search of tests/run.sh (issue 5).

  sweep.py harvest DIR SWEEP   (from t_cleanup) add to SWEEP/secrets every
      secret a test left under DIR: the secret keys, session tokens,
      sign-in tokens and ECR tokens of cache entries (*.json), base secret
      keys (secrets.conf, secrets_file), pam_wrapper passwords (passdb);
      copy every stderr capture (*.err) to SWEEP/logs.
  sweep.py search SWEEP        search SWEEP/output (everything every test
      printed) and SWEEP/logs for every harvested secret; print one
      ok/not ok line naming files, never a secret.
  sweep.py selftest            harvest and search a planted case: a secret
      key in a cache entry that also shows up in a stderr log must be found.
"""

import json
import os
import re
import shutil
import sys

MIN_LEN = 8
MIN_SECRETS = 50    # the whole suite uses hundreds
FIELDS = ("secret_access_key", "session_token", "signin_token")


def entry_secrets(path):
    try:
        with open(path, "rb") as f:
            d = json.loads(f.read())
    except (OSError, ValueError):
        return []
    if not isinstance(d, dict) or "secret_access_key" not in d:
        return []
    out = [d[k] for k in FIELDS if isinstance(d.get(k), str)]
    for v in (d.get("ecr") or {}).values():
        if isinstance(v, dict) and isinstance(v.get("token"), str):
            out.append(v["token"])
    return out


def conf_secrets(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"\s*(secret_access_key|session_token)\s*=\s*(\S+)", line)
                if m:
                    out.append(m.group(2))
    except OSError:
        pass
    return out


def passdb_secrets(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(":")
                if len(parts) >= 3:
                    out.append(":".join(parts[1:-1]))
    except OSError:
        pass
    return out


def harvest(top, sweep):
    found = []
    os.makedirs(os.path.join(sweep, "logs"), exist_ok=True)
    name = os.path.basename(top.rstrip("/"))
    for d, _, files in os.walk(top):
        for f in files:
            p = os.path.join(d, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            if f.endswith(".json"):
                found += entry_secrets(p)
            elif f.endswith(".conf") or f == "credentials":
                found += conf_secrets(p)
            elif f == "passdb":
                found += passdb_secrets(p)
            elif f.endswith(".err"):
                rel = os.path.relpath(p, top).replace("/", "_")
                shutil.copyfile(p, os.path.join(sweep, "logs", name + "." + rel))
    with open(os.path.join(sweep, "secrets"), "a", encoding="utf-8") as f:
        for s in found:
            if len(s) >= MIN_LEN and "\n" not in s:
                f.write(s + "\n")


def scan(sweep):
    """(number of secrets, number of log files, {file: hits})"""
    try:
        with open(os.path.join(sweep, "secrets"), encoding="utf-8") as f:
            secrets = sorted(set(l.rstrip("\n") for l in f if l.strip()))
    except OSError:
        secrets = []
    files = [os.path.join(sweep, "output")]
    logs = os.path.join(sweep, "logs")
    if os.path.isdir(logs):
        files += sorted(os.path.join(logs, f) for f in os.listdir(logs))
    hits = {}
    for p in files:
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError:
            continue
        n = sum(1 for s in secrets if s.encode() in data)
        if n:
            hits[os.path.basename(p)] = n
    return len(secrets), len(files) - 1, hits


def search(sweep):
    n, nlogs, hits = scan(sweep)
    desc = ("suite-wide: %d secrets of every test searched in all test "
            "output and %d stderr logs" % (n, nlogs))
    if n < MIN_SECRETS:
        print("not ok - %s: fewer than %d harvested" % (desc, MIN_SECRETS))
    elif hits:
        print("not ok - %s: found in %s" % (desc, ", ".join(
            "%s (%d)" % (k, v) for k, v in sorted(hits.items()))))
    else:
        print("ok - %s: 0 hits" % desc)


def selftest():
    import tempfile
    with tempfile.TemporaryDirectory() as t:
        top, sweep = os.path.join(t, "afp-test.x"), os.path.join(t, "sweep")
        os.makedirs(os.path.join(top, "cache", "prod"))
        os.makedirs(sweep)
        secret = "planted-" + os.urandom(12).hex()
        with open(os.path.join(top, "cache", "prod", "admin.json"), "w") as f:
            json.dump({"secret_access_key": secret, "session_token": "t" * 20}, f)
        with open(os.path.join(top, "refresher.err"), "w") as f:
            f.write("afp-refresher: error: leaked " + secret[-MIN_LEN:] + secret[:-MIN_LEN] + "\n")
        with open(os.path.join(top, "cgi.err"), "w") as f:
            f.write("afp.cgi: leaked " + secret + "\n")
        open(os.path.join(sweep, "output"), "w").close()
        harvest(top, sweep)
        n, nlogs, hits = scan(sweep)
    if n == 2 and nlogs == 2 and hits == {"afp-test.x.cgi.err": 1}:
        print("ok - suite-wide search self-check: a planted secret in a log is found")
    else:
        print("not ok - suite-wide search self-check: got %d secrets, %d logs, %s" %
              (n, nlogs, hits))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "harvest":
        harvest(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "search":
        search(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "selftest":
        selftest()
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
