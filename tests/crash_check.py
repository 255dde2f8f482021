#!/usr/bin/env python3
"""Checks for tests/crash.test.sh; prints no secret, only key ids.

usage:
  crash_check.py rounds ISSUED_LOG ROUNDS_DIR
      ROUNDS_DIR/0, /1, ... each hold cache/ (a copy of the cache after
      that round) and from (how many lines ISSUED_LOG had when the round
      started). Round 0 is a complete run; its entries are the ones every
      later round must hold. For each round and entry: the file parses, has
      every field, its key was issued by the stand-in (tests/sts_fast.py)
      with this secret key, session token, expiration and identity, for
      this entry's role and session, and it is either byte for byte the
      previous round's file or holds a key issued during this round.
      status.json, (when round 0 has it) imds.key and (when there is one)
      the catalog are complete. Temp files (.NAME.tmp.*) may
      stay behind a killed run, but none survives a round that wrote
      anything (the run removes them before it writes).
  crash_check.py entries ISSUED_LOG OLD_DIR NEW_DIR FROM
      One run that may have failed: prints "new N old N" (entries with a
      key issued after line FROM, entries byte-identical to OLD_DIR's);
      every entry is one or the other and valid, as above.
  crash_check.py readers ISSUED_LOG OUT_DIR [LOG...]
      OUT_DIR holds one file per CGI answer named LOOP.N.ROLE and rc.*
      files of "LOOP.N STATUS" lines. Every answer is 200 with the complete
      credentials of one issue for ROLE, every exit status is 0, and no
      LOG holds a secret key or session token of an answer.

Each prints "# ..." lines for what it found and exits 1 on any violation.
"""

import hashlib
import json
import os
import re
import sys

ENTRY_KEYS = {"version", "access_key_id", "secret_access_key", "session_token",
              "expiration", "last_updated", "identity"}
IDENTITY_KEYS = {"account", "arn", "user_id"}
STATUS_KEYS = {"version", "ok", "start", "end", "entries", "refreshed", "failed", "errors"}
TEMP = re.compile(r"^\..+\.tmp\.[0-9a-f]{16}$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def load_issued(path):
    """key -> (index in the log, record)"""
    issued = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if not line.endswith("\n"):
                break
            rec = json.loads(line)
            issued[rec["key"]] = (i, rec)
    return issued


def strict_json(data):
    def no_constant(name):
        raise ValueError("constant %s" % name)

    def no_dup(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ValueError("duplicate key %s" % k)
            d[k] = v
        return d

    return json.loads(data.decode("utf-8"), parse_constant=no_constant,
                      object_pairs_hook=no_dup)


def want_arn(rel):
    """The identity an entry's path asks for: prod/r01.json is role r01
    with session afp-r01, prod/pu1/alice.json role pu1 with afp-alice."""
    parts = rel[:-len(".json")].split("/")
    if len(parts) == 2:
        return "assumed-role/%s/afp-%s" % (parts[1], parts[1])
    return "assumed-role/%s/afp-%s" % (parts[1], parts[2])


def check_entry(rel, data, issued):
    """The key of a valid entry, or raise ValueError saying what is wrong."""
    e = strict_json(data)
    if not isinstance(e, dict) or set(e) != ENTRY_KEYS:
        raise ValueError("fields %s" % sorted(e) if isinstance(e, dict) else "not an object")
    if e["version"] != 1 or not isinstance(e["identity"], dict) or \
            set(e["identity"]) != IDENTITY_KEYS:
        raise ValueError("version or identity fields")
    key = e["access_key_id"]
    if key not in issued:
        raise ValueError("key %s was never issued" % key)
    rec = issued[key][1]
    if sha(e["secret_access_key"]) != rec["secret_sha256"]:
        raise ValueError("key %s with another secret key (mixed entry)" % key)
    if sha(e["session_token"]) != rec["token_sha256"]:
        raise ValueError("key %s with another session token (mixed entry)" % key)
    if e["expiration"] != rec["expiration"] or not ISO.match(e["last_updated"]):
        raise ValueError("key %s: expiration or last_updated" % key)
    if e["identity"]["arn"] != rec["arn"]:
        raise ValueError("key %s with the identity of another issue" % key)
    if not rec["arn"].endswith(want_arn(rel)):
        raise ValueError("key %s belongs to %s" % (key, rec["arn"]))
    return key


def check_status(data):
    s = strict_json(data)
    if not isinstance(s, dict) or set(s) != STATUS_KEYS or s["version"] != 1 or \
            not isinstance(s["errors"], list) or len(s["errors"]) != s["failed"]:
        raise ValueError("status.json incomplete")
    return s


def listing(cache):
    """entries (relative *.json paths but status.json), temp names, others"""
    entries, temps, other = {}, set(), set()
    for top, dirs, files in os.walk(cache):
        for name in files:
            rel = os.path.relpath(os.path.join(top, name), cache)
            if TEMP.match(name):
                temps.add(rel)
            elif rel in ("status.json", "imds.key", "catalog", ".lock"):
                continue
            elif name.endswith(".json"):
                with open(os.path.join(top, name), "rb") as f:
                    entries[rel] = f.read()
            else:
                other.add(rel)
    return entries, temps, other


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check_extras(cache, problems, where, imds):
    try:
        check_status(read(os.path.join(cache, "status.json")))
    except (OSError, ValueError) as e:
        problems.append("%s: status.json: %s" % (where, e))
    try:
        if not re.fullmatch(rb"afp-catalog 1\n(?:[agmru] [!-~]+ [!-~]+\n)*",
                            read(os.path.join(cache, "catalog"))):
            problems.append("%s: catalog incomplete" % where)
    except FileNotFoundError:
        pass
    except OSError as e:
        problems.append("%s: catalog: %s" % (where, e))
    if not imds:
        return
    try:
        if not re.fullmatch(rb"[0-9a-f]{64}\n", read(os.path.join(cache, "imds.key"))):
            problems.append("%s: imds.key incomplete" % where)
    except OSError as e:
        problems.append("%s: imds.key: %s" % (where, e))


def cmd_rounds(issued_log, rounds_dir):
    issued = load_issued(issued_log)
    problems = []
    n = 0
    while os.path.isdir(os.path.join(rounds_dir, str(n + 1))):
        n += 1
    base, base_temps, _ = listing(os.path.join(rounds_dir, "0", "cache"))
    for rel, data in sorted(base.items()):
        try:
            check_entry(rel, data, issued)
        except ValueError as e:
            problems.append("round 0: %s: %s" % (rel, e))
    # A refresher that makes imds.key must never leave it half written.
    imds = os.path.exists(os.path.join(rounds_dir, "0", "cache", "imds.key"))
    prev, prev_temps = base, base_temps
    stats = {"changed_all": 0, "changed_some": 0, "changed_none": 0,
             "temps_left": 0, "temps_total": 0, "changed_entries": 0}
    for r in range(1, n + 1):
        d = os.path.join(rounds_dir, str(r))
        start = int(read(os.path.join(d, "from")))
        cur, temps, other = listing(os.path.join(d, "cache"))
        if set(cur) != set(base):
            problems.append("round %d: entries missing or added: %s" %
                            (r, sorted(set(cur) ^ set(base))))
        if other:
            problems.append("round %d: unexpected files %s" % (r, sorted(other)))
        changed = 0
        for rel in sorted(set(cur) & set(base)):
            try:
                key = check_entry(rel, cur[rel], issued)
            except ValueError as e:
                problems.append("round %d: %s: %s" % (r, rel, e))
                continue
            if cur[rel] == prev.get(rel):
                continue
            changed += 1
            if issued[key][0] < start:
                problems.append("round %d: %s: neither the old entry nor one "
                                "issued in this round (key %s)" % (r, rel, key))
        check_extras(os.path.join(d, "cache"), problems, "round %d" % r, imds)
        if changed and prev_temps & temps:
            problems.append("round %d wrote entries but left the temp files "
                            "of an earlier run: %s" % (r, sorted(prev_temps & temps)))
        stats["changed_entries"] += changed
        stats["changed_all" if changed == len(base) else
              "changed_some" if changed else "changed_none"] += 1
        stats["temps_left"] += bool(temps)
        stats["temps_total"] += len(temps)
        prev, prev_temps = cur, temps
    print("# %d rounds over %d entries; %d keys issued" % (n, len(base), len(issued)))
    print("# rounds that replaced every entry: %(changed_all)d, some: "
          "%(changed_some)d, none: %(changed_none)d; entries replaced: "
          "%(changed_entries)d" % stats)
    print("# rounds that left temp files: %(temps_left)d (%(temps_total)d files)" % stats)
    print("ROUNDS=%d CHANGED_SOME=%d TEMPS_LEFT=%d VIOLATIONS=%d" %
          (n, stats["changed_some"], stats["temps_left"], len(problems)))
    return problems


def cmd_entries(issued_log, old_dir, new_dir, start):
    issued = load_issued(issued_log)
    problems = []
    old, _, _ = listing(old_dir)
    cur, temps, other = listing(new_dir)
    if set(cur) != set(old) or other:
        problems.append("entries missing or added: %s" % sorted((set(cur) ^ set(old)) | other))
    if temps:
        problems.append("temp files left: %s" % sorted(temps))
    n_new = n_old = 0
    for rel in sorted(set(cur) & set(old)):
        if cur[rel] == old[rel]:
            n_old += 1
            continue
        try:
            key = check_entry(rel, cur[rel], issued)
        except ValueError as e:
            problems.append("%s: %s" % (rel, e))
            continue
        if issued[key][0] < start:
            problems.append("%s: neither the old entry nor a new one (key %s)" % (rel, key))
        else:
            n_new += 1
    print("new %d old %d" % (n_new, n_old))
    return problems


def cmd_readers(issued_log, out_dir, *logs):
    issued = load_issued(issued_log)
    problems = []
    answers = 0
    keys = set()
    seen = set()
    roles = set()
    for name in sorted(os.listdir(out_dir)):
        path = os.path.join(out_dir, name)
        if name.startswith("rc."):
            for line in read(path).decode().splitlines():
                if line.split()[-1] != "0":
                    problems.append("request %s exited with %s" % tuple(line.split()))
            continue
        answers += 1
        role = name.split(".", 2)[2]
        roles.add(role)
        raw = read(path).replace(b"\r\n", b"\n")
        head, sep, body = raw.partition(b"\n\n")
        status = re.search(rb"(?mi)^Status: *(\d{3})", head)
        code = status.group(1).decode() if status else "200"
        if not sep or code != "200":
            problems.append("%s: status %s" % (name, code if sep else "(no header end)"))
            continue
        try:
            c = strict_json(body)["credentials"]
            key = c["access_key"]
            rec = issued[key][1]
            if sha(c["secret_key"]) != rec["secret_sha256"] or \
                    sha(c["session_token"]) != rec["token_sha256"] or \
                    c["expiration"] != rec["expiration"]:
                raise ValueError("key %s with parts of another issue (mixed)" % key)
            rel = "prod/%s.json" % role.replace("-", "/")
            if not rec["arn"].endswith(want_arn(rel)):
                raise ValueError("key %s belongs to %s" % (key, rec["arn"]))
            keys.add(key)
            seen.update((c["secret_key"].encode(), c["session_token"].encode()))
        except (ValueError, KeyError, TypeError) as e:
            problems.append("%s: %s" % (name, e if isinstance(e, ValueError) else "incomplete answer"))
    for log in logs:
        data = read(log) if os.path.exists(log) else b""
        leaked = sum(1 for s in seen if s in data)
        if leaked:
            problems.append("%s holds %d secrets of the answers" % (log, leaked))
    print("# %d answers over %d roles; %d distinct keys seen; %d secrets "
          "searched for in %d logs" % (answers, len(roles), len(keys), len(seen), len(logs)))
    print("ANSWERS=%d KEYS=%d ROLES=%d VIOLATIONS=%d" % (answers, len(keys), len(roles), len(problems)))
    return problems


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "rounds":
        problems = cmd_rounds(*args)
    elif cmd == "entries":
        problems = cmd_entries(args[0], args[1], args[2], int(args[3]))
    elif cmd == "readers":
        problems = cmd_readers(*args)
    else:
        sys.exit("unknown command %s" % cmd)
    for p in problems[:50]:
        print("# violation: %s" % p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
